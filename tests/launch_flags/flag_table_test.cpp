#include "launch_flags/flag_table.h"

#include <doctest/doctest.h>

#include <set>

namespace spyt::launcher::detail {

TEST_SUITE("launcher flag table") {
  TEST_CASE("a role takes each flag name once, and every row reads and writes") {
    for (Role role : {Role::kMaster, Role::kWorker, Role::kHistory, Role::kLivy}) {
      std::set<std::string> names;
      for (const FlagRow& row : FlagTable()) {
        if (!row.TakenBy(role)) continue;
        CAPTURE(row.name);
        CHECK(names.insert(row.name).second);
        CHECK(row.read);
        CHECK(row.write);
        CHECK_FALSE(row.help.empty());
        CHECK_FALSE((row.required && row.fallback));
        CHECK_FALSE((row.is_switch && (row.required || row.fallback)));
      }
    }
  }

  TEST_CASE("a flag's fallback text means the default its field already has") {
    for (const FlagRow& row : FlagTable()) {
      if (!row.fallback) continue;
      CAPTURE(row.name);
      Flags defaults;
      defaults.role = row.roles.front();
      Flags read = defaults;
      row.read(*row.fallback, read);
      CHECK(read == defaults);
    }
  }
}

}  // namespace spyt::launcher::detail

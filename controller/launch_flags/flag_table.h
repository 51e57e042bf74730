#pragma once

// The launcher's flags, one row each: its name, which roles take it, its help
// line, how its text is read into Flags and how Flags writes it back. ParseFlags
// (and --help) and ToArgs both work from this table, so a new flag is a field in
// Flags and one row here.
//
// Internal to launch_flags/. The table is built once and read-only after that:
// thread-safe.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "launch_flags/flags.h"

namespace spyt::launcher::detail {

struct FlagRow {
  std::string name;
  std::vector<Role> roles;  // the roles that take it; all four: a flag of every role
  std::string help;
  bool required = false;   // parsing fails without it
  bool is_switch = false;  // no value; `read` runs (with "") only when it is given
  // The text used when the flag is absent (parsed like a given value); nullopt: the
  // field keeps its default.
  std::optional<std::string> fallback;
  // Reads the flag's text into the flags; throws FlagError naming the flag.
  std::function<void(const std::string& text, Flags& f)> read;
  // The flag's value as ToArgs writes it ("" for a switch), nullopt to leave it out.
  std::function<std::optional<std::string>(const Flags& f)> write;

  bool TakenBy(Role role) const;
  bool EveryRole() const { return roles.size() == 4; }
};

// Every row, in the order ToArgs writes them: --host, the role's own flags, the
// flags of every role, then --wait-for-master. --help lists a role's own flags,
// then those of every role, each group in this order.
const std::vector<FlagRow>& FlagTable();

}  // namespace spyt::launcher::detail

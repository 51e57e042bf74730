// ToArgs: Flags written back as the command line ParseFlags reads.

#include <string>
#include <vector>

#include "launch_flags/flag_table.h"
#include "launch_flags/flags.h"

namespace spyt::launcher {

std::vector<std::string> ToArgs(const Flags& f) {
  std::vector<std::string> args = {RoleName(f.role)};
  for (const detail::FlagRow& row : detail::FlagTable()) {
    if (!row.TakenBy(f.role)) continue;
    const std::optional<std::string> value = row.write(f);
    if (!value) continue;
    args.push_back("--" + row.name);
    if (!row.is_switch) args.push_back(*value);
  }
  return args;
}

}  // namespace spyt::launcher

// spyt-launcher's command line. The input is its arguments, one per line.
// Properties: a bad command line is a FlagError (or --help's HelpRequested),
// never another error; an accepted one prints (ToArgs) to arguments that parse
// back to the same flags, and printing those gives the same arguments again.

#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "launch_flags/flags.h"

namespace {

std::string Joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += "[" + a + "] ";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = spyt::fuzz::AsText(data, size);
  std::vector<std::string> args;
  std::size_t start = 0;
  while (start < input.size() && args.size() < 64) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    args.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }
  spyt::launcher::Flags flags;
  try {
    flags = spyt::launcher::ParseFlags(args);
  } catch (const spyt::launcher::FlagError&) {
    return 0;
  } catch (const spyt::launcher::HelpRequested&) {
    return 0;
  }
  const std::vector<std::string> printed = spyt::launcher::ToArgs(flags);
  spyt::launcher::Flags again;
  try {
    again = spyt::launcher::ParseFlags(printed);
  } catch (const spyt::launcher::FlagError& e) {
    spyt::fuzz::Fail("accepted flags print to arguments that do not parse: " + Joined(printed) +
                         "(" + e.what() + ")",
                     input);
  }
  spyt::fuzz::Check(again == flags, "flags change through ToArgs: " + Joined(printed), input);
  spyt::fuzz::Check(spyt::launcher::ToArgs(again) == printed,
                    "ToArgs is not stable: " + Joined(printed), input);
  return 0;
}

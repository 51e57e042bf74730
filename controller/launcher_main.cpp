// spyt-launcher: the entrypoint of every SPYT container (and of each process
// the local runtime starts). This file only wires; see launcher/launch.h.

#include <iostream>
#include <string>
#include <vector>

#include "common/log.h"
#include "launcher/launch.h"
#include "launcher/process.h"

int main(int argc, char** argv) {
  // Before anything else: SIGTERM and SIGINT are taken synchronously and
  // forwarded to the daemon (launcher/process.h).
  spyt::launcher::BlockLauncherSignals();
  spyt::log::Configure(spyt::log::Level::kInfo, spyt::log::Format::kText);
  const std::vector<std::string> args(argv + 1, argv + argc);
  return spyt::launcher::RunLauncher(args, spyt::launcher::CaptureEnvironment(), std::cout,
                                     std::cerr);
}

// spyt-launcher: the entrypoint of every SPYT container (and of each process
// the local controller starts). This file only wires; see launcher/launch.h.

#include <unistd.h>

#include <filesystem>
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
  auto env = spyt::launcher::CaptureEnvironment();
  // Livy's session drivers ship next to the launcher (<bin>/driver) unless the
  // environment says otherwise.
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) env.emplace("SPYT_DRIVER_HOME", (self.parent_path() / "driver").string());
  return spyt::launcher::RunLauncher(args, env, std::cout, std::cerr);
}

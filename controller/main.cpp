// spyt-operator: runs SPYT clusters (Spark standalone + Livy) declaratively.
// This file only dispatches to the subcommands in cli/.

#include <boost/program_options/errors.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "launch_flags/parser_message.h"
#include "runtime/manager.h"

namespace {

constexpr const char* kUsage = R"(Usage: spyt-operator COMMAND [ARGS]

Commands:
  run [flags]        run the operator against a Kubernetes cluster
  local [flags]      run SpytClusters from a directory as local processes
  discovery NAME     print a cluster's addresses as spark-discovery-yt does
  validate FILE...   check SpytCluster manifests as the API server would
  default FILE...    print manifests with every default filled in
  render FILE...     print the child objects the operator applies for them
  permissions        print the Kubernetes API permissions `run` needs (JSON)
  version            print the version

Run 'spyt-operator COMMAND --help' for a command's options.
)";

}  // namespace

int main(int argc, char** argv) {
  // Before any thread exists, so the manager can take SIGTERM/SIGINT with sigwait.
  spyt::runtime::Manager::BlockTerminationSignals();
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    // A manager whose work outlived the shutdown deadline: exit without unwinding.
    auto exit_now = [](int code) { std::_Exit(code); };
    if (command == "run") return spyt::cli::RunOperator(args, exit_now);
    if (command == "local") return spyt::cli::RunLocal(args, exit_now);
    if (command == "discovery") return spyt::cli::RunDiscovery(args);
    if (command == "validate") return spyt::cli::RunValidate(args);
    if (command == "default") return spyt::cli::RunDefault(args);
    if (command == "render") return spyt::cli::RunRender(args);
    if (command == "permissions") return spyt::cli::RunPermissions(args);
    if (command == "version") {
      std::cout << "spyt-operator " << SPYT_OPERATOR_VERSION << "\n";
      return 0;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      std::cout << kUsage;
      return 0;
    }
    std::cerr << "spyt-operator: unknown command \"" << command << "\"\n\n" << kUsage;
    return 2;
  } catch (const boost::program_options::error& e) {
    std::cerr << "spyt-operator " << command << ": " << spyt::launcher::FlagParserMessage(e)
              << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "spyt-operator " << command << ": " << e.what() << "\n";
    return 1;
  }
}

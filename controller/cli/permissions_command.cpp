#include <boost/program_options.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/run_options.h"
#include "cluster/permissions.h"

namespace spyt::cli {

int RunPermissions(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string lease = RunOptions{}.leader_election_id;
  po::options_description desc(
      "Usage: spyt-operator permissions [flags]\n"
      "Prints, as JSON, the Kubernetes API permissions `spyt-operator run` needs");
  desc.add_options()("help,h", "show this help")(
      "leader-election-id", po::value(&lease)->default_value(lease),
      "as spyt-operator run's flag: the Lease that get and update are needed on");
  if (!ParseFlags(args, desc)) return 0;
  std::cout << json::Dump(cluster::EncodePermissions(cluster::OperatorPermissions(lease)), 2)
            << "\n";
  return 0;
}

}  // namespace spyt::cli

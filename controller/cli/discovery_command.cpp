#include <boost/program_options.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cluster/discovery.h"
#include "kube/rest_client.h"
#include "kube/rest_config.h"
#include "local/local_controller.h"

namespace spyt::cli {

int RunDiscovery(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string name, ns = "default", kubeconfig, local_state;
  po::options_description desc(
      "Usage: spyt-operator discovery NAME [-n NAMESPACE] [--kubeconfig FILE | --local "
      "STATE_DIR]\n\n"
      "Prints where a SpytCluster's components answer, as spark-discovery-yt does.\n\nFlags");
  desc.add_options()("help,h", "show this help")("namespace,n", po::value(&ns)->default_value(ns),
                                                 "namespace of the cluster")(
      "kubeconfig", po::value(&kubeconfig),
      "kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)")(
      "local", po::value(&local_state),
      "read the state directory of `spyt-operator local` instead of Kubernetes");
  po::options_description hidden;
  hidden.add_options()("name", po::value(&name));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("name", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
  if (vm.count("help") != 0) {
    std::cout << desc << "\n";
    return 0;
  }
  po::notify(vm);
  if (name.empty()) throw po::error("the cluster NAME is required");

  if (!local_state.empty()) {
    auto entries = local::ReadDiscoveryDirectory(local_state + "/discovery/" + name);
    if (entries.empty()) {
      std::cerr << "spyt-operator discovery: no discovery records for " << name << " under "
                << local_state << "/discovery: is `spyt-operator local` running it?\n";
      return 1;
    }
    std::cout << cluster::FormatDiscovery(entries);
    return 0;
  }
  auto client = kube::MakeClient(kube::ResolveConfig(kubeconfig));
  json::Value cm;
  try {
    cm = client->Get(kube::resources::kConfigMaps, ns, name + "-discovery");
  } catch (const kube::ApiError& e) {
    if (!kube::IsNotFound(e)) throw;
    std::cerr << "spyt-operator discovery: no discovery records for " << ns << "/" << name
              << " (ConfigMap " << name << "-discovery not found): is the SpytCluster there and "
              << "the operator running?\n";
    return 1;
  }
  cluster::DiscoveryEntries entries;
  if (const json::Value* data = cm.find("data"); data != nullptr && data->is_object()) {
    for (const auto& [k, v] : data->as_object()) {
      if (v.is_string()) entries[k] = v.as_string();
    }
  }
  std::cout << cluster::FormatDiscovery(entries);
  return 0;
}

}  // namespace spyt::cli

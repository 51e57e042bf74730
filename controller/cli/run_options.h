#pragma once

// Flags of `spyt-operator run`, the Kubernetes mode. The names are the ones users
// know from controller-runtime operators.

#include <chrono>
#include <string>
#include <vector>

namespace spyt::cli {

struct RunOptions {
  std::string kubeconfig;
  std::vector<std::string> watch_namespaces;  // empty = all namespaces
  bool leader_elect = false;
  std::string leader_election_namespace;
  std::string leader_election_id = "spyt-operator-leader";
  std::chrono::seconds lease_duration{15};
  std::chrono::seconds renew_deadline{10};
  std::chrono::seconds retry_period{2};
  std::string metrics_bind_address = "127.0.0.1:8080";       // "0" disables
  std::string health_probe_bind_address = "127.0.0.1:8081";  // "0" disables
  int max_concurrent_reconciles = 4;
  double kube_api_qps = 20;
  int kube_api_burst = 30;
  std::string log_level = "info";
  std::string log_format = "text";
  std::string image_repository = "ghcr.io/ytsaurus/spyt";
  std::string cluster_domain = "cluster.local";
  std::chrono::seconds graceful_shutdown_timeout{30};
  std::chrono::milliseconds livy_poll_interval{30000};  // 0: Livy polling off
  std::chrono::milliseconds livy_poll_timeout{5000};
};

// Parses and checks the flags; throws boost::program_options::error or
// std::invalid_argument naming the flag. Prints help and exits 0 for --help.
RunOptions ParseRunOptions(const std::vector<std::string>& args);

}  // namespace spyt::cli

#include "cli/run_options.h"

#include <boost/program_options.hpp>
#include <cstdlib>
#include <sstream>

#include "api/units.h"
#include "cli/durations.h"
#include "cli/flags.h"

namespace spyt::cli {
namespace {

namespace po = boost::program_options;

std::chrono::seconds ParseSeconds(const std::string& flag, const std::string& text) {
  try {
    auto ms = api::Duration::Parse(text).millis();
    if (ms <= 0 || ms % 1000 != 0)
      throw std::invalid_argument("must be a positive whole number of seconds");
    return std::chrono::seconds(ms / 1000);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("--" + flag + ": " + e.what());
  }
}

std::vector<std::string> SplitList(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::stringstream ss(v);
    for (std::string item; std::getline(ss, item, ',');) {
      if (!item.empty()) out.push_back(item);
    }
  }
  return out;
}

}  // namespace

RunOptions ParseRunOptions(const std::vector<std::string>& args) {
  RunOptions o;
  std::vector<std::string> namespaces, namespace_lists;
  std::string lease, renew, retry, shutdown, livy_interval, livy_timeout;
  po::options_description desc(
      "Usage: spyt-operator run [flags]\n\nRuns the operator against a Kubernetes "
      "cluster.\n\nFlags");
  desc.add_options()("help,h", "show this help")(
      "kubeconfig", po::value(&o.kubeconfig),
      "kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)")(
      "namespace", po::value<std::vector<std::string>>(&namespaces)->composing(),
      "namespace to watch (repeatable)")(
      "watch-namespaces", po::value<std::vector<std::string>>(&namespace_lists)->composing(),
      "comma-separated namespaces to watch (default: all)")(
      "leader-elect", po::bool_switch(&o.leader_elect),
      "elect a leader on a Lease; only the leader reconciles")(
      "leader-election-namespace", po::value(&o.leader_election_namespace),
      "namespace of the Lease (default: the pod's, else default)")(
      "leader-election-id", po::value(&o.leader_election_id)->default_value(o.leader_election_id),
      "name of the Lease")("leader-election-lease-duration",
                           po::value(&lease)->default_value("15s"),
                           "how long a lease is valid without renewal")(
      "leader-election-renew-deadline", po::value(&renew)->default_value("10s"),
      "how long the leader retries renewing before it gives up")(
      "leader-election-retry-period", po::value(&retry)->default_value("2s"),
      "how often candidates and the leader act")(
      "metrics-bind-address",
      po::value(&o.metrics_bind_address)->default_value(o.metrics_bind_address),
      "address of /metrics; 0 disables")(
      "health-probe-bind-address",
      po::value(&o.health_probe_bind_address)->default_value(o.health_probe_bind_address),
      "address of /healthz and /readyz; 0 disables")(
      "max-concurrent-reconciles",
      po::value(&o.max_concurrent_reconciles)->default_value(o.max_concurrent_reconciles),
      "reconcile workers")("kube-api-qps",
                           po::value(&o.kube_api_qps)->default_value(o.kube_api_qps),
                           "client-side requests per second to the API server")(
      "kube-api-burst", po::value(&o.kube_api_burst)->default_value(o.kube_api_burst),
      "client-side burst")("log-level", po::value(&o.log_level)->default_value(o.log_level),
                           "debug, info, warn or error")(
      "log-format", po::value(&o.log_format)->default_value(o.log_format), "text or json")(
      "image-repository", po::value(&o.image_repository)->default_value(o.image_repository),
      "SPYT image used when a cluster names none (tag = spytVersion)")(
      "cluster-domain", po::value(&o.cluster_domain)->default_value(o.cluster_domain),
      "DNS domain of the Kubernetes cluster")("graceful-shutdown-timeout",
                                              po::value(&shutdown)->default_value("30s"),
                                              "how long in-flight reconciles may take at shutdown")(
      "livy-poll-interval", po::value(&livy_interval)->default_value("30s"),
      "how often each Ready Livy's GET /sessions is polled for session metrics; 0 turns it off")(
      "livy-poll-timeout", po::value(&livy_timeout)->default_value("5s"),
      "how long one Livy poll may take");
  if (!ParseFlags(args, desc)) std::exit(0);
  namespace_lists.insert(namespace_lists.end(), namespaces.begin(), namespaces.end());
  o.watch_namespaces = SplitList(namespace_lists);
  o.lease_duration = ParseSeconds("leader-election-lease-duration", lease);
  o.renew_deadline = ParseSeconds("leader-election-renew-deadline", renew);
  o.retry_period = ParseSeconds("leader-election-retry-period", retry);
  o.graceful_shutdown_timeout = ParseSeconds("graceful-shutdown-timeout", shutdown);
  o.livy_poll_interval = ParseInterval("livy-poll-interval", livy_interval, true);
  o.livy_poll_timeout = ParseInterval("livy-poll-timeout", livy_timeout, false);
  if (o.max_concurrent_reconciles < 1)
    throw std::invalid_argument("--max-concurrent-reconciles must be at least 1");
  if (o.kube_api_qps <= 0) throw std::invalid_argument("--kube-api-qps must be positive");
  if (o.kube_api_burst < 1) throw std::invalid_argument("--kube-api-burst must be at least 1");
  if (o.metrics_bind_address == "0") o.metrics_bind_address.clear();
  if (o.health_probe_bind_address == "0") o.health_probe_bind_address.clear();
  return o;
}

}  // namespace spyt::cli

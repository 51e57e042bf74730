#include <fstream>

#include "cli/commands.h"
#include "cli/run_options.h"
#include "cluster/operator.h"
#include "common/log.h"
#include "common/memory.h"
#include "http/http.h"
#include "kube/rest_client.h"
#include "kube/rest_config.h"
#include "metrics/metrics.h"
#include "runtime/manager.h"

namespace spyt::cli {
namespace {

// The namespace this pod runs in, when in a cluster; else "default".
std::string OwnNamespace() {
  std::ifstream in("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
  std::string ns;
  if (in && std::getline(in, ns) && !ns.empty()) return ns;
  return "default";
}

// Often enough that a burst's freed pages do not linger; a trim of an idle heap
// takes well under a millisecond.
constexpr std::chrono::seconds kTrimInterval{30};

}  // namespace

int RunOperator(const std::vector<std::string>& args, const ExitNow& exit_now) {
  RunOptions o = ParseRunOptions(args);
  memory::LimitAllocatorArenas(2);  // before any thread starts: see common/memory.h
  log::Configure(log::ParseLevel(o.log_level), log::ParseFormat(o.log_format));

  kube::RestConfig config = kube::ResolveConfig(o.kubeconfig);
  config.qps = o.kube_api_qps;
  config.burst = o.kube_api_burst;
  config.user_agent = "spyt-operator/" SPYT_OPERATOR_VERSION;
  metrics::Metrics metrics(SPYT_OPERATOR_VERSION);
  std::unique_ptr<kube::Client> client = kube::MakeClient(config, &metrics);
  log::Info("connecting to the API server", {{"server", config.server}});

  runtime::ManagerOptions mo;
  mo.health_probe_bind_address = o.health_probe_bind_address;
  mo.leader_elect = o.leader_elect;
  mo.graceful_shutdown_timeout = o.graceful_shutdown_timeout;
  mo.on_shutdown_timeout = exit_now;
  mo.on_lost_lease = exit_now;
  mo.leader_election.lease_namespace =
      o.leader_election_namespace.empty() ? OwnNamespace() : o.leader_election_namespace;
  mo.leader_election.lease_name = o.leader_election_id;
  mo.leader_election.identity = runtime::DefaultIdentity();
  mo.leader_election.lease_duration = o.lease_duration;
  mo.leader_election.renew_deadline = o.renew_deadline;
  mo.leader_election.retry_period = o.retry_period;
  if (o.leader_elect) runtime::ValidateLeaderElectionConfig(mo.leader_election);

  runtime::Manager manager(*client, RealClock(), mo);
  cluster::OperatorOptions oo;
  oo.build.image_repository = o.image_repository;
  oo.build.cluster_domain = o.cluster_domain;
  oo.namespaces = o.watch_namespaces;
  oo.workers = o.max_concurrent_reconciles;
  oo.instance = mo.leader_election.identity;
  oo.livy.interval = o.livy_poll_interval;
  oo.livy.timeout = o.livy_poll_timeout;
  runtime::QueueMetrics* queue_metrics = metrics.Queue("spytcluster");
  auto livy_transports = [](const std::string& url) { return http::MakeTransport(url, {}); };
  cluster::Operator op(manager, *client, RealClock(), oo,
                       {queue_metrics, &metrics, &metrics, &metrics, metrics.Livy()},
                       livy_transports);
  metrics.SetMaxConcurrentReconciles("spytcluster", oo.workers);
  metrics.Poll([&op, queue_metrics] {
    auto [total, longest] = op.controller().queue().Unfinished();
    queue_metrics->SetUnfinished(total, longest);
  });
  if (o.leader_elect) {
    metrics.Poll([&manager, &metrics, lease = mo.leader_election.lease_name] {
      metrics.SetLeader(lease, manager.IsLeader());
    });
  }
  manager.Add(metrics.Pollers());
  auto trim = runtime::MakeRunnable("memory trim", false, [](std::stop_token stop) {
    Clock& clock = RealClock();
    while (!runtime::SleepUntil(clock, stop, clock.Now() + kTrimInterval)) {
      memory::ReturnFreeMemory();
    }
  });
  manager.Add(*trim);
  if (!o.metrics_bind_address.empty()) {
    metrics.Serve(o.metrics_bind_address);
    log::Info("serving metrics",
              {{"address", o.metrics_bind_address}, {"port", std::to_string(metrics.port())}});
  }
  std::string watched;
  for (const auto& ns : o.watch_namespaces) watched += (watched.empty() ? "" : ",") + ns;
  log::Info("starting spyt-operator", {{"version", SPYT_OPERATOR_VERSION},
                                       {"namespaces", watched.empty() ? "*" : watched},
                                       {"leaderElect", o.leader_elect ? "true" : "false"},
                                       {"identity", oo.instance}});
  int code = manager.Run();  // stops the pollers, which reference `op` and `manager`
  log::Info("spyt-operator stopped", {{"exitCode", std::to_string(code)}});
  return code;
}

}  // namespace spyt::cli

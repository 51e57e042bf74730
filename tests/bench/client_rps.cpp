// Requests per second RestClient sustains for sequential GETs of one ConfigMap, with
// client-side rate limiting off: one thread, one kept-alive TLS connection.
//
//   bench_client_rps [--kubeconfig PATH] [--namespace NS] [--name NAME] [--requests N]
//
// The kubeconfig defaults to $SPYT_CONTROL_PLANE_DIR/kubeconfig. The ConfigMap is
// created (server-side apply) when missing. Prints one line: requests, seconds,
// requests/s and the p50/p99 latency in milliseconds.
//
// Baselines for the same GET: tests/bench/requests_rps.py (Python requests, one
// Session) and kubectl, one process per request:
//   time (for i in $(seq 200); do kubectl get configmap bench-client-rps -n default; done)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kube/rest_client.h"
#include "kube/rest_config.h"

namespace {

struct Options {
  std::string kubeconfig;
  std::string ns = "default";
  std::string name = "bench-client-rps";
  int requests = 2000;
};

Options ParseArgs(int argc, char** argv) {
  Options o;
  if (const char* dir = std::getenv("SPYT_CONTROL_PLANE_DIR")) {
    o.kubeconfig = std::string(dir) + "/kubeconfig";
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--kubeconfig") {
      o.kubeconfig = value;
    } else if (flag == "--namespace") {
      o.ns = value;
    } else if (flag == "--name") {
      o.name = value;
    } else if (flag == "--requests") {
      o.requests = std::max(1, std::atoi(value.c_str()));
    } else {
      throw std::invalid_argument("unknown flag " + flag);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  namespace kube = spyt::kube;
  try {
    Options o = ParseArgs(argc, argv);
    kube::RestConfig config = kube::ResolveConfig(o.kubeconfig);
    config.qps = 0;
    auto client = kube::MakeClient(config);
    spyt::json::Value cm =
        spyt::json::Object{{"metadata", spyt::json::Object{{"name", o.name}, {"namespace", o.ns}}},
                           {"data", spyt::json::Object{{"key", "value"}}}};
    client->Apply(kube::resources::kConfigMaps, o.ns, cm, {"bench-client-rps", true});
    for (int i = 0; i < 50; ++i) {  // warm up: connection, TLS session, server caches
      client->Get(kube::resources::kConfigMaps, o.ns, o.name);
    }
    std::vector<double> latencies_ms;
    latencies_ms.reserve(o.requests);
    Clock::time_point start = Clock::now();
    for (int i = 0; i < o.requests; ++i) {
      Clock::time_point t0 = Clock::now();
      client->Get(kube::resources::kConfigMaps, o.ns, o.name);
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::sort(latencies_ms.begin(), latencies_ms.end());
    std::printf("requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f\n", o.requests, seconds,
                o.requests / seconds, latencies_ms[latencies_ms.size() / 2],
                latencies_ms[latencies_ms.size() * 99 / 100]);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_client_rps: %s\n", e.what());
    return 1;
  }
}

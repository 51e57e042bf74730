#pragma once

// The hook through which RestClient reports every HTTP round trip, so the metrics
// module can export request counts and latencies without the client knowing
// Prometheus.

#include <string>

namespace spyt::kube {

class ClientMetrics {
 public:
  virtual ~ClientMetrics() = default;
  // verb: GET, LIST, WATCH, POST, PUT, PATCH or DELETE (controller-runtime's names).
  // code: the HTTP status, 0 when no response came (transport error). seconds: the
  // round trip (for WATCH: until the response headers). Called from the requesting
  // thread; implementations must be thread-safe.
  virtual void ObserveRequest(const std::string& verb, int code, double seconds) = 0;
};

}  // namespace spyt::kube

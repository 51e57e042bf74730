#pragma once

// The server's own /metrics, in Prometheus' text format (0.0.4): gauges read
// from the registry at scrape time, counters and histograms recorded as things
// happen. Series:
//   spyt_livy_server_sessions{kind,state}            sessions by kind and state
//   spyt_livy_server_batches{state}                  batches by state
//   spyt_livy_server_statements{state}               statements by state
//   spyt_livy_server_slots_in_use / _slots_max       what the limit counts / the limit
//   spyt_livy_server_rejected_total{reason}          refused creations (reason="limit", or
//                                                    "state_unwritable": the state dir failed)
//   spyt_livy_server_state_write_failures_total      state writes that failed (disk full, ...)
//   spyt_livy_server_requests_total{method,code}     answered requests
//   spyt_livy_server_statement_duration_seconds{kind}      run time, start to end
//   spyt_livy_server_session_start_duration_seconds{kind}  POST to idle
// Thread-safe.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "livy_server/registry.h"

namespace spyt::livy_server {

class ServerMetrics {
 public:
  void Rejected(const std::string& reason);
  void StateWriteFailed();
  void Request(const std::string& method, int code);
  void StatementDone(const std::string& kind, double seconds);
  void SessionStarted(const std::string& kind, double seconds);

  std::string Render(const RegistryStats& stats, int max_sessions) const;

 private:
  struct Histogram {
    std::vector<double> counts;  // per bucket, cumulative at render
    double sum = 0;
    long count = 0;
  };
  static void Observe(std::map<std::string, Histogram>& h, const std::string& kind, double v);

  mutable std::mutex mu_;
  std::map<std::string, long> rejected_;
  long state_write_failures_ = 0;
  std::map<std::pair<std::string, int>, long> requests_;
  std::map<std::string, Histogram> statement_seconds_;
  std::map<std::string, Histogram> session_start_seconds_;
};

}  // namespace spyt::livy_server

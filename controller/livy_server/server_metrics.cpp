#include "livy_server/server_metrics.h"

#include <sstream>

namespace spyt::livy_server {
namespace {

const std::vector<double> kBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300};

std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Head(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
}

}  // namespace

void ServerMetrics::Observe(std::map<std::string, Histogram>& h, const std::string& kind,
                            double v) {
  Histogram& hist = h[kind];
  if (hist.counts.empty()) hist.counts.assign(kBuckets.size(), 0);
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (v <= kBuckets[i]) hist.counts[i] += 1;
  }
  hist.sum += v;
  hist.count += 1;
}

void ServerMetrics::Rejected(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  rejected_[reason]++;
}

void ServerMetrics::StateWriteFailed() {
  std::lock_guard<std::mutex> lock(mu_);
  state_write_failures_++;
}

void ServerMetrics::Request(const std::string& method, int code) {
  std::lock_guard<std::mutex> lock(mu_);
  requests_[{method, code}]++;
}

void ServerMetrics::StatementDone(const std::string& kind, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  Observe(statement_seconds_, kind, seconds);
}

void ServerMetrics::SessionStarted(const std::string& kind, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  Observe(session_start_seconds_, kind, seconds);
}

std::string ServerMetrics::Render(const RegistryStats& stats, int max_sessions) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream out;
  Head(out, "spyt_livy_server_sessions", "gauge", "Sessions by kind and state.");
  for (const auto& [key, n] : stats.sessions) {
    out << "spyt_livy_server_sessions{kind=\"" << Escape(key.first) << "\",state=\""
        << Escape(key.second) << "\"} " << n << "\n";
  }
  Head(out, "spyt_livy_server_batches", "gauge", "Batches by state.");
  for (const auto& [state, n] : stats.batches) {
    out << "spyt_livy_server_batches{state=\"" << Escape(state) << "\"} " << n << "\n";
  }
  Head(out, "spyt_livy_server_statements", "gauge", "Statements of listed sessions by state.");
  for (const auto& [state, n] : stats.statements) {
    out << "spyt_livy_server_statements{state=\"" << Escape(state) << "\"} " << n << "\n";
  }
  Head(out, "spyt_livy_server_slots_in_use", "gauge",
       "Sessions and batches that count toward the limit.");
  out << "spyt_livy_server_slots_in_use " << stats.live << "\n";
  Head(out, "spyt_livy_server_slots_max", "gauge", "The limit (--livy-max-sessions).");
  out << "spyt_livy_server_slots_max " << max_sessions << "\n";
  Head(out, "spyt_livy_server_rejected_total", "counter", "Creations refused.");
  if (rejected_.empty()) out << "spyt_livy_server_rejected_total{reason=\"limit\"} 0\n";
  for (const auto& [reason, n] : rejected_) {
    out << "spyt_livy_server_rejected_total{reason=\"" << Escape(reason) << "\"} " << n << "\n";
  }
  Head(out, "spyt_livy_server_state_write_failures_total", "counter",
       "Writes of the state directory that failed (their changes are retried).");
  out << "spyt_livy_server_state_write_failures_total " << state_write_failures_ << "\n";
  Head(out, "spyt_livy_server_requests_total", "counter", "Requests answered.");
  for (const auto& [key, n] : requests_) {
    out << "spyt_livy_server_requests_total{code=\"" << key.second << "\",method=\""
        << Escape(key.first) << "\"} " << n << "\n";
  }
  auto histograms = [&](const char* name, const char* help,
                        const std::map<std::string, Histogram>& hs) {
    Head(out, name, "histogram", help);
    for (const auto& [kind, h] : hs) {
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        out << name << "_bucket{kind=\"" << Escape(kind) << "\",le=\"" << kBuckets[i] << "\"} "
            << h.counts[i] << "\n";
      }
      out << name << "_bucket{kind=\"" << Escape(kind) << "\",le=\"+Inf\"} " << h.count << "\n";
      out << name << "_sum{kind=\"" << Escape(kind) << "\"} " << h.sum << "\n";
      out << name << "_count{kind=\"" << Escape(kind) << "\"} " << h.count << "\n";
    }
  };
  histograms("spyt_livy_server_statement_duration_seconds", "Statement run time.",
             statement_seconds_);
  histograms("spyt_livy_server_session_start_duration_seconds", "Time from POST /sessions to idle.",
             session_start_seconds_);
  return out.str();
}

}  // namespace spyt::livy_server

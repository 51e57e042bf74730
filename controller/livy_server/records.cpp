#include "livy_server/records.h"

#include <algorithm>
#include <cctype>

namespace spyt::livy_server {
namespace {

json::Value OptionalString(const std::optional<std::string>& s) {
  return s ? json::Value(*s) : json::Value(nullptr);
}

json::Value OptionalInt(const std::optional<int>& i) {
  return i ? json::Value(*i) : json::Value(nullptr);
}

json::Value Strings(const std::vector<std::string>& items) {
  json::Array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

json::Value ConfJson(const std::map<std::string, std::string>& conf) {
  json::Object out;
  for (const auto& [k, v] : conf) out[k] = v;
  return out;
}

json::Value AppInfo(const std::string& spark_ui) {
  json::Object info;
  info["driverLogUrl"] = nullptr;
  info["sparkUiUrl"] = spark_ui.empty() ? json::Value(nullptr) : json::Value(spark_ui);
  return info;
}

}  // namespace

const char* StateName(SessionState state) {
  switch (state) {
    case SessionState::kStarting:
      return "starting";
    case SessionState::kIdle:
      return "idle";
    case SessionState::kBusy:
      return "busy";
    case SessionState::kShuttingDown:
      return "shutting_down";
    case SessionState::kError:
      return "error";
    case SessionState::kDead:
      return "dead";
    case SessionState::kKilled:
      return "killed";
    case SessionState::kSuccess:
      return "success";
  }
  return "unknown";
}

const char* StateName(StatementState state) {
  switch (state) {
    case StatementState::kWaiting:
      return "waiting";
    case StatementState::kRunning:
      return "running";
    case StatementState::kAvailable:
      return "available";
    case StatementState::kCancelling:
      return "cancelling";
    case StatementState::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

const char* StateName(BatchState state) {
  switch (state) {
    case BatchState::kStarting:
      return "starting";
    case BatchState::kRunning:
      return "running";
    case BatchState::kSuccess:
      return "success";
    case BatchState::kDead:
      return "dead";
    case BatchState::kKilled:
      return "killed";
  }
  return "unknown";
}

std::optional<StatementState> ParseStatementState(const std::string& name) {
  for (auto s : {StatementState::kWaiting, StatementState::kRunning, StatementState::kAvailable,
                 StatementState::kCancelling, StatementState::kCancelled}) {
    if (name == StateName(s)) return s;
  }
  return std::nullopt;
}

bool IsActive(SessionState state) {
  return state == SessionState::kStarting || state == SessionState::kIdle ||
         state == SessionState::kBusy;
}

bool IsEnded(SessionState state) {
  return state == SessionState::kError || state == SessionState::kDead ||
         state == SessionState::kKilled || state == SessionState::kSuccess;
}

bool IsEnded(BatchState state) {
  return state == BatchState::kSuccess || state == BatchState::kDead ||
         state == BatchState::kKilled;
}

bool IsEnded(StatementState state) {
  return state == StatementState::kAvailable || state == StatementState::kCancelled;
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kSpark:
      return "spark";
    case Kind::kPySpark:
      return "pyspark";
    case Kind::kSql:
      return "sql";
  }
  return "spark";
}

std::optional<Kind> ParseKind(const std::string& name) {
  if (name == "spark" || name == "scala") return Kind::kSpark;
  if (name == "pyspark" || name == "python") return Kind::kPySpark;
  if (name == "sql") return Kind::kSql;
  return std::nullopt;
}

bool IsSecretKey(const std::string& key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* word : {"token", "password", "secret"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

std::map<std::string, std::string> Redacted(const std::map<std::string, std::string>& conf) {
  std::map<std::string, std::string> out = conf;
  for (auto& [k, v] : out) {
    if (IsSecretKey(k)) v = "*********(redacted)";
  }
  return out;
}

json::Value SessionJson(const Session& s, const std::vector<std::string>& log, Secrets secrets) {
  const SessionRequest& r = s.request;
  json::Object o;
  o["id"] = s.id;
  o["name"] = OptionalString(r.name);
  o["appId"] = s.app_id.empty() ? json::Value(nullptr) : json::Value(s.app_id);
  o["owner"] = s.owner.empty() ? json::Value(nullptr) : json::Value(s.owner);
  o["proxyUser"] = OptionalString(r.proxy_user);
  o["state"] = StateName(s.state);
  o["kind"] = KindName(r.kind);
  o["appInfo"] = AppInfo(s.spark_ui);
  o["log"] = Strings(log);
  // Livy 0.8's additions: the request as the session runs it.
  o["ttl"] = OptionalString(r.ttl);
  o["driverMemory"] = OptionalString(r.driver_memory);
  o["driverCores"] = OptionalInt(r.driver_cores);
  o["executorMemory"] = OptionalString(r.executor_memory);
  o["executorCores"] = OptionalInt(r.executor_cores);
  o["numExecutors"] = OptionalInt(r.num_executors);
  o["queue"] = OptionalString(r.queue);
  o["jars"] = Strings(r.jars);
  o["pyFiles"] = Strings(r.py_files);
  o["files"] = Strings(r.files);
  o["archives"] = Strings(r.archives);
  o["heartbeatTimeoutInSecond"] = r.heartbeat_timeout_s.value_or(0);
  o["conf"] = ConfJson(secrets == Secrets::kReveal ? r.conf : Redacted(r.conf));
  return o;
}

json::Value StatementJson(const Statement& s) {
  json::Object o;
  o["id"] = s.id;
  o["code"] = s.code;
  o["state"] = StateName(s.state);
  o["output"] = s.output;
  o["progress"] = s.progress;
  o["started"] = s.started_ms;
  o["completed"] = s.completed_ms;
  return o;
}

json::Value BatchJson(const Batch& b, const std::vector<std::string>& log) {
  json::Object o;
  o["id"] = b.id;
  o["name"] = OptionalString(b.request.name);
  o["owner"] = b.owner.empty() ? json::Value(nullptr) : json::Value(b.owner);
  o["proxyUser"] = OptionalString(b.request.proxy_user);
  o["state"] = StateName(b.state);
  o["appId"] = b.app_id.empty() ? json::Value(nullptr) : json::Value(b.app_id);
  o["appInfo"] = AppInfo("");
  o["log"] = Strings(log);
  return o;
}

}  // namespace spyt::livy_server

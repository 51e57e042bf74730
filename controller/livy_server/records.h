#pragma once

// The records the Livy-compatible server keeps for sessions, statements and
// batches, their lifecycles, and their JSON as Apache Livy's REST API shows
// them. Pure: no I/O, no clock (times are passed in).
//
// Session lifecycle:   starting -> idle <-> busy -> shutting_down -> killed
//                      starting -> error (the driver never came up)
//                      idle/busy -> dead (the driver died); idle -> killed (idle timeout)
// Statement lifecycle: waiting -> running -> available
//                      waiting|running -> cancelling -> cancelled
// Batch lifecycle:     starting -> running -> success | dead; DELETE -> killed
//
// Not thread-safe: the registry guards every record with its mutex.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"

namespace spyt::livy_server {

enum class SessionState {
  kStarting,
  kIdle,
  kBusy,
  kShuttingDown,
  kError,
  kDead,
  kKilled,
  kSuccess,
};
enum class StatementState { kWaiting, kRunning, kAvailable, kCancelling, kCancelled };
enum class BatchState { kStarting, kRunning, kSuccess, kDead, kKilled };

// Livy's names: "starting", "idle", ..., "shutting_down".
const char* StateName(SessionState state);
const char* StateName(StatementState state);
const char* StateName(BatchState state);
std::optional<StatementState> ParseStatementState(const std::string& name);

// starting, idle, busy: what find-by-user returns and a statement may be sent to.
bool IsActive(SessionState state);
// error, dead, killed, success: the driver is gone; the record stays for a while.
bool IsEnded(SessionState state);
bool IsEnded(BatchState state);
bool IsEnded(StatementState state);

// The interpreters a session runs; "spark" is Scala.
enum class Kind { kSpark, kPySpark, kSql };
const char* KindName(Kind kind);
std::optional<Kind> ParseKind(const std::string& name);

// What a client asked for in POST /sessions or POST /batches (validated).
struct SparkRequest {
  std::optional<std::string> name;
  std::optional<std::string> proxy_user;
  std::vector<std::string> jars;
  std::vector<std::string> py_files;
  std::vector<std::string> files;
  std::vector<std::string> archives;
  std::optional<std::string> driver_memory;
  std::optional<int> driver_cores;
  std::optional<std::string> executor_memory;
  std::optional<int> executor_cores;
  std::optional<int> num_executors;
  std::optional<std::string> queue;
  std::map<std::string, std::string> conf;
};

struct SessionRequest : SparkRequest {
  Kind kind = Kind::kSpark;
  std::optional<int> heartbeat_timeout_s;
  std::optional<std::string> ttl;
};

struct BatchRequest : SparkRequest {
  std::string file;
  std::optional<std::string> class_name;
  std::vector<std::string> args;
};

struct Statement {
  std::int64_t id = 0;
  std::string code;
  Kind kind = Kind::kSpark;
  StatementState state = StatementState::kWaiting;
  json::Value output;  // null until available; Livy's output object then
  double progress = 0.0;
  std::int64_t started_ms = 0;    // epoch ms; 0 until it runs
  std::int64_t completed_ms = 0;  // epoch ms; 0 until it ends

  friend bool operator==(const Statement&, const Statement&) = default;
};

struct Session {
  std::int64_t id = 0;
  SessionRequest request;
  std::string owner;  // the proxy user when given (who the session runs as)
  SessionState state = SessionState::kStarting;
  std::string app_id;    // the Spark application id once the driver runs
  std::string spark_ui;  // its web UI, when known
  std::vector<Statement> statements;
  std::string log_path;  // the driver's stdout and stderr
  std::chrono::steady_clock::time_point last_activity;
  std::chrono::steady_clock::time_point ended_at;
  std::int64_t ended_ms = 0;  // epoch ms of ended_at (kept across restarts)
};

struct Batch {
  std::int64_t id = 0;
  BatchRequest request;
  std::string owner;
  BatchState state = BatchState::kStarting;
  std::string app_id;
  std::string log_path;
  std::chrono::steady_clock::time_point ended_at;
  std::int64_t ended_ms = 0;  // epoch ms of ended_at (kept across restarts)
};

// Conf keys whose values are secrets: they contain "token", "password" or
// "secret" (any case).
bool IsSecretKey(const std::string& key);
// The conf with every secret value replaced by "*********(redacted)".
std::map<std::string, std::string> Redacted(const std::map<std::string, std::string>& conf);

enum class Secrets { kRedact, kReveal };

// The session as GET /sessions/{id} shows it; `log` is its last lines.
// kReveal only for find-by-user (Query Tracker reads its token back from it).
json::Value SessionJson(const Session& s, const std::vector<std::string>& log, Secrets secrets);
json::Value StatementJson(const Statement& s);
json::Value BatchJson(const Batch& b, const std::vector<std::string>& log);

}  // namespace spyt::livy_server

#include "livy_server/state_codec.h"

namespace spyt::livy_server {
namespace {

// Reading: each helper throws BadRecord naming the field.
const json::Value& Field(const json::Value& v, const char* key) {
  const json::Value* f = v.find(key);
  if (f == nullptr) throw BadRecord(std::string("missing field \"") + key + "\"");
  return *f;
}

std::string Str(const json::Value& v, const char* key) {
  const json::Value& f = Field(v, key);
  if (!f.is_string()) throw BadRecord(std::string("field \"") + key + "\" is not a string");
  return f.as_string();
}

std::int64_t Int(const json::Value& v, const char* key) {
  const json::Value& f = Field(v, key);
  if (!f.is_int()) throw BadRecord(std::string("field \"") + key + "\" is not an integer");
  return f.as_int();
}

std::optional<std::string> OptStr(const json::Value& v, const char* key) {
  const json::Value* f = v.find(key);
  if (f == nullptr || f->is_null()) return std::nullopt;
  return Str(v, key);
}

std::optional<int> OptInt(const json::Value& v, const char* key) {
  const json::Value* f = v.find(key);
  if (f == nullptr || f->is_null()) return std::nullopt;
  return static_cast<int>(Int(v, key));
}

std::vector<std::string> Strs(const json::Value& v, const char* key) {
  const json::Value& f = Field(v, key);
  if (!f.is_array()) throw BadRecord(std::string("field \"") + key + "\" is not a list");
  std::vector<std::string> out;
  for (const json::Value& item : f.as_array()) {
    if (!item.is_string()) throw BadRecord(std::string("field \"") + key + "\" holds a non-string");
    out.push_back(item.as_string());
  }
  return out;
}

template <typename State>
State StateOf(const json::Value& v, std::initializer_list<State> all) {
  const std::string name = Str(v, "state");
  for (State s : all) {
    if (name == StateName(s)) return s;
  }
  throw BadRecord("unknown state \"" + name + "\"");
}

Kind KindOf(const json::Value& v) {
  auto kind = ParseKind(Str(v, "kind"));
  if (!kind) throw BadRecord("unknown kind \"" + Str(v, "kind") + "\"");
  return *kind;
}

// Writing.
json::Value Opt(const std::optional<std::string>& s) {
  return s ? json::Value(*s) : json::Value(nullptr);
}
json::Value Opt(const std::optional<int>& i) { return i ? json::Value(*i) : json::Value(nullptr); }
json::Value List(const std::vector<std::string>& items) {
  return json::Array(items.begin(), items.end());
}

json::Object SparkRequestRecord(const SparkRequest& r) {
  json::Object o;
  o["name"] = Opt(r.name);
  o["proxyUser"] = Opt(r.proxy_user);
  o["jars"] = List(r.jars);
  o["pyFiles"] = List(r.py_files);
  o["files"] = List(r.files);
  o["archives"] = List(r.archives);
  o["driverMemory"] = Opt(r.driver_memory);
  o["driverCores"] = Opt(r.driver_cores);
  o["executorMemory"] = Opt(r.executor_memory);
  o["executorCores"] = Opt(r.executor_cores);
  o["numExecutors"] = Opt(r.num_executors);
  o["queue"] = Opt(r.queue);
  json::Object conf;
  for (const auto& [k, val] : r.conf) conf[k] = val;
  o["conf"] = std::move(conf);
  return o;
}

void ReadSparkRequest(const json::Value& v, SparkRequest& r) {
  r.name = OptStr(v, "name");
  r.proxy_user = OptStr(v, "proxyUser");
  r.jars = Strs(v, "jars");
  r.py_files = Strs(v, "pyFiles");
  r.files = Strs(v, "files");
  r.archives = Strs(v, "archives");
  r.driver_memory = OptStr(v, "driverMemory");
  r.driver_cores = OptInt(v, "driverCores");
  r.executor_memory = OptStr(v, "executorMemory");
  r.executor_cores = OptInt(v, "executorCores");
  r.num_executors = OptInt(v, "numExecutors");
  r.queue = OptStr(v, "queue");
  const json::Value& conf = Field(v, "conf");
  if (!conf.is_object()) throw BadRecord("field \"conf\" is not an object");
  for (const auto& [k, val] : conf.as_object()) {
    if (!val.is_string()) throw BadRecord("conf \"" + k + "\" is not a string");
    r.conf[k] = val.as_string();
  }
}

// Livy's statement JSON plus the statement's kind.
json::Value StatementRecord(const Statement& s) {
  json::Value o = StatementJson(s);
  o["kind"] = KindName(s.kind);
  return o;
}

Statement StatementFromRecord(const json::Value& v) {
  Statement s;
  s.id = Int(v, "id");
  s.code = Str(v, "code");
  s.kind = KindOf(v);
  s.state =
      StateOf(v, {StatementState::kWaiting, StatementState::kRunning, StatementState::kAvailable,
                  StatementState::kCancelling, StatementState::kCancelled});
  s.output = Field(v, "output");
  const json::Value& p = Field(v, "progress");
  if (!p.is_number()) throw BadRecord("field \"progress\" is not a number");
  s.progress = p.as_double();
  s.started_ms = Int(v, "started");
  s.completed_ms = Int(v, "completed");
  return s;
}

void RequireObject(const json::Value& v) {
  if (!v.is_object()) throw BadRecord("the record is not a JSON object");
}

// The fields sessions and batches share, their request included.
template <typename Record>
json::Object CommonRecord(const Record& r, json::Object request) {
  json::Object o;
  o["id"] = r.id;
  o["owner"] = r.owner;
  o["state"] = StateName(r.state);
  o["app_id"] = r.app_id;
  o["log_path"] = r.log_path;
  o["ended_ms"] = r.ended_ms;
  o["request"] = std::move(request);
  return o;
}

// Reads the shared fields; returns the request object, its Spark part read.
template <typename Record, typename State>
const json::Value& ReadCommon(const json::Value& v, Record& r, std::initializer_list<State> all) {
  RequireObject(v);
  r.id = Int(v, "id");
  r.owner = Str(v, "owner");
  r.state = StateOf(v, all);
  r.app_id = Str(v, "app_id");
  r.log_path = Str(v, "log_path");
  r.ended_ms = Int(v, "ended_ms");
  const json::Value& request = Field(v, "request");
  RequireObject(request);
  ReadSparkRequest(request, r.request);
  return request;
}

}  // namespace

json::Value SessionRecord(const Session& s) {
  json::Object request = SparkRequestRecord(s.request);
  request["kind"] = KindName(s.request.kind);
  request["heartbeatTimeoutInSecond"] = Opt(s.request.heartbeat_timeout_s);
  request["ttl"] = Opt(s.request.ttl);
  json::Array statements;
  for (const Statement& st : s.statements) statements.push_back(StatementRecord(st));
  json::Object o = CommonRecord(s, std::move(request));
  o["spark_ui"] = s.spark_ui;
  o["statements"] = std::move(statements);
  return o;
}

Session SessionFromRecord(const json::Value& v) {
  Session s;
  const json::Value& r =
      ReadCommon(v, s,
                 {SessionState::kStarting, SessionState::kIdle, SessionState::kBusy,
                  SessionState::kShuttingDown, SessionState::kError, SessionState::kDead,
                  SessionState::kKilled, SessionState::kSuccess});
  s.spark_ui = Str(v, "spark_ui");
  s.request.kind = KindOf(r);
  s.request.heartbeat_timeout_s = OptInt(r, "heartbeatTimeoutInSecond");
  s.request.ttl = OptStr(r, "ttl");
  const json::Value& statements = Field(v, "statements");
  if (!statements.is_array()) throw BadRecord("field \"statements\" is not a list");
  for (const json::Value& item : statements.as_array()) {
    s.statements.push_back(StatementFromRecord(item));
    if (s.statements.back().id != static_cast<std::int64_t>(s.statements.size()) - 1) {
      throw BadRecord("statement ids are not 0, 1, 2, ...");
    }
  }
  return s;
}

json::Value BatchRecord(const Batch& b) {
  json::Object request = SparkRequestRecord(b.request);
  request["file"] = b.request.file;
  request["className"] = Opt(b.request.class_name);
  request["args"] = List(b.request.args);
  return CommonRecord(b, std::move(request));
}

Batch BatchFromRecord(const json::Value& v) {
  Batch b;
  const json::Value& r = ReadCommon(v, b,
                                    {BatchState::kStarting, BatchState::kRunning,
                                     BatchState::kSuccess, BatchState::kDead, BatchState::kKilled});
  b.request.file = Str(r, "file");
  b.request.class_name = OptStr(r, "className");
  b.request.args = Strs(r, "args");
  return b;
}

}  // namespace spyt::livy_server

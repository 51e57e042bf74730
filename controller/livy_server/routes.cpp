// LivyServer's REST routes: Livy's paths, bodies and errors.

#include <charconv>
#include <filesystem>
#include <fstream>

#include "common/log.h"
#include "livy_server/log_file.h"
#include "livy_server/server.h"
#include "livy_server/session_worker.h"

namespace spyt::livy_server {
namespace {

namespace fs = std::filesystem;

// The Livy REST API this server implements (GET /version; clients such as the
// `livy` package choose their requests by it).
constexpr const char* kLivyApiVersion = "0.8.0-spyt";
constexpr const char* kJson = "application/json;charset=utf-8";  // as Livy (Jetty) writes it

http::Response JsonResponse(int status, const json::Value& body) {
  http::Response r;
  r.status = status;
  r.headers["Content-Type"] = kJson;
  r.body = json::Dump(body);
  return r;
}

http::Response Message(int status, const std::string& msg) {
  json::Object o;
  o["msg"] = msg;
  return JsonResponse(status, o);
}

http::Response Created(const json::Value& body, const std::string& location) {
  http::Response r = JsonResponse(201, body);
  r.headers["Location"] = location;
  return r;
}

struct Target {
  std::vector<std::string> parts;  // "/sessions/3/log" -> {"sessions", "3", "log"}
  std::map<std::string, std::string> query;
};

Target ParseTarget(const std::string& path) {
  Target t;
  const auto q = path.find('?');
  const std::string p = path.substr(0, q);
  std::size_t start = 0;
  while (start < p.size()) {
    auto end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    if (end > start) t.parts.push_back(p.substr(start, end - start));
    start = end + 1;
  }
  if (q != std::string::npos) {
    std::string qs = path.substr(q + 1);
    std::size_t s = 0;
    while (s <= qs.size()) {
      auto e = qs.find('&', s);
      if (e == std::string::npos) e = qs.size();
      const std::string kv = qs.substr(s, e - s);
      const auto eq = kv.find('=');
      if (!kv.empty()) t.query[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
      s = e + 1;
    }
  }
  return t;
}

std::optional<std::int64_t> ParseId(const std::string& text) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

// A query parameter as a number; `fallback` when absent. Throws BadRequest
// with Livy's message ("For input string: \"abc\"").
long QueryInt(const Target& t, const char* name, long fallback) {
  auto it = t.query.find(name);
  if (it == t.query.end()) return fallback;
  long v = 0;
  auto [ptr, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (it->second.empty() || ec != std::errc() || ptr != it->second.data() + it->second.size()) {
    throw BadRequest("For input string: \"" + it->second + "\"");
  }
  return v;
}

// Items [from, from + size) with Scala's slice rules, as Livy pages listings:
// a negative start counts as 0, the end is not moved.
template <typename T>
std::vector<T> Slice(const std::vector<T>& items, long from, long size) {
  const long n = static_cast<long>(items.size());
  const long lo = std::max(0L, from);
  // from + size saturates: both come from the query string and may be huge.
  const long hi = size <= 0 ? from : (from > n - size ? n : std::min(n, from + size));
  if (hi <= lo) return {};
  return std::vector<T>(items.begin() + lo, items.begin() + hi);
}

template <typename T, typename ToJson>
json::Value Listing(const std::vector<T>& items, const Target& t, const char* key, ToJson to_json) {
  const long from = QueryInt(t, "from", 0);
  json::Array page;
  for (const T& item : Slice(items, from, QueryInt(t, "size", 100))) page.push_back(to_json(item));
  json::Object o;
  o["from"] = static_cast<std::int64_t>(from);
  o["total"] = static_cast<std::int64_t>(items.size());
  o[key] = std::move(page);
  return o;
}

json::Value LogJson(std::int64_t id, const std::string& path, const Target& t) {
  const LogPage page = PageOf(ReadLines(path), QueryInt(t, "from", -1), QueryInt(t, "size", 100));
  json::Object o;
  o["id"] = id;
  o["from"] = static_cast<std::int64_t>(page.from);
  o["total"] = static_cast<std::int64_t>(page.total);
  json::Array lines;
  for (const auto& l : page.lines) lines.emplace_back(l);
  o["log"] = std::move(lines);
  return o;
}

std::string Owner(const http::Request&, const SparkRequest& r) { return r.proxy_user.value_or(""); }

}  // namespace

http::Response LivyServer::Handle(const http::Request& request) {
  http::Response response;
  try {
    response = Route(request);
  } catch (const BadRequest& e) {
    response = Message(400, e.what());
  } catch (const LimitReached& e) {
    metrics_.Rejected("limit");
    response = Message(400, e.what());
  } catch (const NotFound& e) {
    response = Message(404, e.what());
  } catch (const std::exception& e) {
    log::Error("request failed", {{"method", request.method}, {"error", e.what()}});
    response = Message(500, e.what());
  }
  // What a client was told is created, changed or deleted is stored first.
  if (request.method != "GET") Persist();
  metrics_.Request(request.method, response.status);
  return response;
}

http::Response LivyServer::Route(const http::Request& request) {
  const Target t = ParseTarget(request.path);
  const std::string& m = request.method;
  const auto& p = t.parts;
  if (p.size() == 1 && p[0] == "metrics" && m == "GET") {
    http::Response r;
    r.status = 200;
    r.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_.Render(registry_.Stats(), config_.registry.max_sessions);
    return r;
  }
  if (config_.csrf_protection && (m == "POST" || m == "DELETE" || m == "PUT") &&
      request.headers.find("x-requested-by") == request.headers.end()) {
    return Message(400, "Missing Required Header for CSRF protection.");
  }
  if (request.body_too_large) {
    return Message(413,
                   "Request body larger than " + std::to_string(config_.max_body_bytes) + " bytes");
  }
  if (p.size() == 1 && p[0] == "version" && m == "GET") {
    json::Object v;
    v["version"] = kLivyApiVersion;
    v["server"] = "spyt-launcher livy";
    return JsonResponse(200, v);
  }
  if (p.empty() || (p[0] != "sessions" && p[0] != "batches")) {
    return Message(404, "Not found: " + request.path.substr(0, request.path.find('?')));
  }
  const bool sessions = p[0] == "sessions";
  if (p.size() == 1) {
    if (m == "GET" && sessions) {
      return JsonResponse(200, Listing(registry_.Sessions(), t, "sessions", [](const Session& s) {
                            return SessionJson(s, LogTail(s.log_path), Secrets::kRedact);
                          }));
    }
    if (m == "GET") {
      return JsonResponse(200, Listing(registry_.Batches(), t, "sessions", [](const Batch& b) {
                            return BatchJson(b, LogTail(b.log_path));
                          }));
    }
    if (m == "POST") return sessions ? CreateSession(request) : CreateBatch(request);
    http::Response r = Message(405, "Method " + m + " is not allowed on /" + p[0]);
    r.headers["Allow"] = "POST, GET, HEAD";
    return r;
  }
  if (sessions && p.size() == 2 && p[1] == "find-by-user" && m == "POST") {
    return FindByUser(request);
  }
  const auto id = ParseId(p[1]);
  if (!id) throw NotFound("Session '" + p[1] + "' not found.");
  if (p.size() == 2) {
    if (m == "DELETE") return sessions ? DeleteSession(*id) : DeleteBatch(*id);
    if (m != "GET") return Message(405, "Method " + m + " is not allowed here");
    if (sessions) {
      const Session s = registry_.SessionOrThrow(*id);
      return JsonResponse(200, SessionJson(s, LogTail(s.log_path), Secrets::kRedact));
    }
    const Batch b = registry_.BatchOrThrow(*id);
    return JsonResponse(200, BatchJson(b, LogTail(b.log_path)));
  }
  if (p.size() == 3 && m == "GET" && (p[2] == "state" || p[2] == "log")) {
    std::string log_path;
    json::Object o;
    o["id"] = *id;
    if (sessions) {
      const Session s = registry_.SessionOrThrow(*id);
      log_path = s.log_path;
      o["state"] = StateName(s.state);
    } else {
      const Batch b = registry_.BatchOrThrow(*id);
      log_path = b.log_path;
      o["state"] = StateName(b.state);
    }
    return JsonResponse(200, p[2] == "state" ? json::Value(o) : LogJson(*id, log_path, t));
  }
  if (sessions && p.size() >= 3 && p[2] == "statements") {
    if (p.size() == 3 && m == "POST") return CreateStatement(*id, request);
    if (p.size() == 3 && m == "GET") {
      const Session s = registry_.SessionOrThrow(*id);
      json::Array list;
      for (const Statement& st :
           Slice(s.statements, QueryInt(t, "from", 0),
                 QueryInt(t, "size", static_cast<long>(s.statements.size())))) {
        list.push_back(StatementJson(st));
      }
      json::Object o;
      o["total_statements"] = static_cast<std::int64_t>(s.statements.size());
      o["statements"] = std::move(list);
      return JsonResponse(200, o);
    }
    if (p.size() == 3) return Message(405, "Method " + m + " is not allowed here");
    const auto sid = ParseId(p[3]);
    if (p.size() == 4 && m == "GET") {
      const Session s = registry_.SessionOrThrow(*id);
      if (!sid || *sid >= static_cast<std::int64_t>(s.statements.size())) {
        throw NotFound("Statement not found");
      }
      return JsonResponse(200, StatementJson(s.statements[*sid]));
    }
    if (p.size() == 5 && p[4] == "cancel" && m == "POST") {
      if (!sid) throw NotFound("Statement not found");
      return CancelStatement(*id, *sid);
    }
  }
  return Message(404, "Not found: " + request.path.substr(0, request.path.find('?')));
}

http::Response LivyServer::StateUnwritable(const std::string& what, const std::string& error) {
  metrics_.Rejected("state_unwritable");
  return Message(503, "Rejected: the " + what + " cannot be stored in the state directory (" +
                          error + "); running sessions are not affected");
}

http::Response LivyServer::CreateSession(const http::Request& request) {
  SessionRequest req = ParseSessionRequest(request.body, config_.limits);
  const std::string owner = Owner(request, req);
  const Session s = registry_.AddSession(std::move(req), owner);
  // Stored before a driver can exist for it: the id is never reused, and a
  // session that could not be stored would not survive a restart.
  if (auto error = Persist()) {
    registry_.RemoveSession(s.id);
    return StateUnwritable("session", *error);
  }
  const std::string dir = SessionDir(s.id);
  const std::string log_path = (fs::path(dir) / "driver.log").string();
  registry_.SetLogPath(s.id, log_path);
  try {
    fs::create_directories(dir);
    std::unique_ptr<Driver> driver = drivers_.Start({s.id, s.request, dir, log_path});
    auto worker = std::make_unique<SessionWorker>(
        registry_, metrics_, clock_,
        WorkerTimeouts{config_.driver_start_timeout, config_.driver_stop_grace}, s.id,
        KindName(s.request.kind), std::move(driver));
    std::lock_guard<std::mutex> lock(mu_);
    workers_[s.id] = std::move(worker);
  } catch (const std::exception& e) {
    log::Error("cannot start a session's driver",
               {{"session", std::to_string(s.id)}, {"error", e.what()}});
    std::ofstream(log_path, std::ios::app) << "cannot start the driver: " << e.what() << "\n";
    registry_.SessionExited(s.id, e.what());
  }
  log::Info(
      "session created",
      {{"session", std::to_string(s.id)}, {"kind", KindName(s.request.kind)}, {"owner", owner}});
  const Session now = registry_.SessionOrThrow(s.id);
  return Created(SessionJson(now, LogTail(log_path), Secrets::kRedact),
                 "/sessions/" + std::to_string(s.id));
}

http::Response LivyServer::DeleteSession(std::int64_t id) {
  registry_.SessionOrThrow(id);
  std::unique_ptr<SessionWorker> worker;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = workers_.find(id); it != workers_.end()) {
      worker = std::move(it->second);
      workers_.erase(it);
    }
  }
  // The driver is gone before the answer, so the slot is really free.
  if (worker) worker->StopAndJoin();
  registry_.RemoveSession(id);
  log::Info("session deleted", {{"session", std::to_string(id)}});
  return Message(200, "deleted");
}

http::Response LivyServer::CreateStatement(std::int64_t id, const http::Request& request) {
  const StatementRequest req = ParseStatementRequest(request.body);
  if (req.code.size() > config_.max_code_bytes) {
    registry_.SessionOrThrow(id);  // an unknown session is still a 404
    return Message(413, "Field 'code' is " + std::to_string(req.code.size()) +
                            " bytes, more than the " + std::to_string(config_.max_code_bytes) +
                            " a statement may have (--max-code-size)");
  }
  const Statement st = registry_.AddStatement(id, req);
  // Stored before the driver has it: a restarted server never gives its id to another.
  Persist();
  if (SessionWorker* w = Worker(id)) w->SubmitPending();
  const std::string location =
      "/sessions/" + std::to_string(id) + "/statements/" + std::to_string(st.id);
  const Session s = registry_.SessionOrThrow(id);
  return Created(StatementJson(s.statements.at(st.id)), location);
}

http::Response LivyServer::CancelStatement(std::int64_t id, std::int64_t statement_id) {
  const Statement st = registry_.CancelStatement(id, statement_id);
  if (!IsEnded(st.state)) {
    if (SessionWorker* w = Worker(id)) w->Cancel(statement_id);
  }
  return Message(200, "canceled");
}

http::Response LivyServer::FindByUser(const http::Request& request) {
  const auto user = ParseFindByUser(request.body);
  if (!user) return Message(400, "Rejected, Reason: User is not defined");
  const auto s = registry_.FindByUser(*user);
  if (!s) return Message(404, "Session not found");
  http::Response r = JsonResponse(200, SessionJson(*s, LogTail(s->log_path), Secrets::kReveal));
  r.headers["Location"] = "/sessions/" + std::to_string(s->id);
  return r;
}

http::Response LivyServer::CreateBatch(const http::Request& request) {
  BatchRequest req = ParseBatchRequest(request.body, config_.limits);
  const std::string owner = Owner(request, req);
  const Batch b = registry_.AddBatch(std::move(req), owner);
  if (auto error = Persist()) {
    registry_.RemoveBatch(b.id);
    return StateUnwritable("batch", *error);
  }
  const std::string dir = BatchDir(b.id);
  const std::string log_path = (fs::path(dir) / "spark-submit.log").string();
  registry_.SetBatchLogPath(b.id, log_path);
  try {
    fs::create_directories(dir);
    auto process = batches_.Start({b.id, b.request, dir, log_path});
    std::lock_guard<std::mutex> lock(mu_);
    batch_runs_[b.id] = BatchRun{std::move(process), false};
  } catch (const std::exception& e) {
    log::Error("cannot start a batch", {{"batch", std::to_string(b.id)}, {"error", e.what()}});
    std::ofstream(log_path, std::ios::app) << "cannot start spark-submit: " << e.what() << "\n";
    registry_.BatchExited(b.id, false);
  }
  const Batch now = registry_.BatchOrThrow(b.id);
  return Created(BatchJson(now, LogTail(log_path)), "/batches/" + std::to_string(b.id));
}

http::Response LivyServer::DeleteBatch(std::int64_t id) {
  registry_.BatchOrThrow(id);
  std::unique_ptr<BatchProcess> process;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = batch_runs_.find(id); it != batch_runs_.end()) {
      process = std::move(it->second.process);
      batch_runs_.erase(it);
    }
  }
  if (process) process->Kill(std::chrono::seconds(5));
  registry_.RemoveBatch(id);
  return Message(200, "deleted");
}

}  // namespace spyt::livy_server

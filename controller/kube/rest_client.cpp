#include "kube/rest_client.h"

#include <algorithm>

#include "kube/request_path.h"
#include "kube/rest_watch.h"

namespace spyt::kube {
namespace {

constexpr int kMaxThrottleRetries = 3;
constexpr std::chrono::seconds kDefaultRetryAfter{1};
constexpr std::chrono::seconds kMaxRetryAfter{60};
// A watch is silent between events, and the transport's timeout bounds silence: give
// the server's own timeoutSeconds this much slack before the transport gives up.
constexpr std::chrono::seconds kWatchSlack{30};
constexpr std::chrono::hours kUnboundedWatch{1};

bool Is2xx(int status) { return status >= 200 && status < 300; }

[[noreturn]] void BadRequest(const std::string& what) {
  throw ApiError(Reason::kBadRequest, 0, what);
}

// The namespace of a single-object request: the argument, else the object's own.
std::string NamespaceOf(const Resource& r, const std::string& ns, const json::Value& obj) {
  if (!r.namespaced) {
    return "";
  }
  std::string out = ns.empty() ? json::StringAt(obj, {"metadata", "namespace"}) : ns;
  if (out.empty()) {
    BadRequest(r.kind + ": a namespace is required");
  }
  return out;
}

std::string NameOf(const Resource& r, const json::Value& obj) {
  std::string name = json::StringAt(obj, {"metadata", "name"});
  if (name.empty()) {
    BadRequest(r.kind + ": metadata.name is required");
  }
  return name;
}

// The object with apiVersion and kind set when it lacks them (not for "scale", whose
// body is an autoscaling/v1 Scale).
json::Value WithTypeMeta(const Resource& r, json::Value obj, const std::string& subresource = "") {
  if (obj.is_object() && (subresource.empty() || subresource == "status")) {
    if (obj.find("apiVersion") == nullptr) {
      obj["apiVersion"] = r.ApiVersion();
    }
    if (obj.find("kind") == nullptr) {
      obj["kind"] = r.kind;
    }
  }
  return obj;
}

json::Value ParseBody(const http::Response& response) {
  try {
    return json::Parse(response.body);
  } catch (const json::ParseError& e) {
    throw ApiError(Reason::kUnknown, response.status,
                   std::string("the API server answered with invalid JSON: ") + e.what());
  }
}

const char* PatchContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace

RestClient::RestClient(RestConfig config, std::unique_ptr<http::Transport> transport,
                       ClientMetrics* metrics, Clock* time)
    : config_(std::move(config)),
      transport_(std::move(transport)),
      metrics_(metrics),
      time_(time != nullptr ? *time : RealClock()),
      limiter_(config_.qps, config_.burst, time_),
      token_(config_.bearer_token, config_.bearer_token_file, time_) {}

http::Request RestClient::NewRequest(const std::string& method, std::string path) {
  http::Request request;
  request.method = method;
  request.path = std::move(path);
  request.timeout = config_.timeout;
  request.headers["accept"] = "application/json";
  request.headers["user-agent"] = config_.user_agent;
  return request;
}

void RestClient::Observe(const char* verb, int code, Clock::TimePoint start) {
  if (metrics_ != nullptr) {
    std::chrono::duration<double> seconds = time_.Now() - start;
    metrics_->ObserveRequest(verb, code, seconds.count());
  }
}

http::Response RestClient::SendOnce(const char* verb, http::Request& request) {
  limiter_.Acquire();
  if (std::string token = token_.Get(); !token.empty()) {
    request.headers["authorization"] = "Bearer " + token;
  }
  Clock::TimePoint start = time_.Now();
  try {
    http::Response response = transport_->Send(request);
    Observe(verb, response.status, start);
    return response;
  } catch (const http::TransportError& e) {
    Observe(verb, 0, start);
    throw ApiError(Reason::kTransport, 0, e.what());
  }
}

std::unique_ptr<http::LineStream> RestClient::StreamOnce(http::Request& request) {
  limiter_.Acquire();
  if (std::string token = token_.Get(); !token.empty()) {
    request.headers["authorization"] = "Bearer " + token;
  }
  Clock::TimePoint start = time_.Now();
  try {
    std::unique_ptr<http::LineStream> stream = transport_->Stream(request);
    Observe("WATCH", stream->status(), start);
    return stream;
  } catch (const http::TransportError& e) {
    Observe("WATCH", 0, start);
    throw ApiError(Reason::kTransport, 0, e.what());
  }
}

bool RestClient::ShouldRetry(const http::Response& response, bool idempotent, RetryState& state) {
  if (response.status == 401 && !state.reauthenticated) {
    state.reauthenticated = true;
    return token_.Reload();
  }
  if (response.status == 429 && idempotent && state.throttled < kMaxThrottleRetries) {
    ++state.throttled;
    std::chrono::seconds wait =
        ErrorFromResponse(response).retry_after().value_or(kDefaultRetryAfter);
    time_.SleepFor(std::clamp(wait, std::chrono::seconds(0), kMaxRetryAfter));
    return true;
  }
  return false;
}

http::Response RestClient::Execute(const char* verb, http::Request request, bool idempotent) {
  RetryState state;
  while (true) {
    http::Response response = SendOnce(verb, request);
    if (Is2xx(response.status)) {
      return response;
    }
    if (!ShouldRetry(response, idempotent, state)) {
      throw ErrorFromResponse(response);
    }
  }
}

json::Value RestClient::Get(const Resource& r, const std::string& ns, const std::string& name) {
  if (name.empty()) {
    BadRequest(r.kind + ": get needs a name");
  }
  if (r.namespaced && ns.empty()) {
    BadRequest(r.kind + ": a namespace is required");
  }
  return ParseBody(Execute("GET", NewRequest("GET", ResourcePath(r, ns, name)), true));
}

ListResult RestClient::List(const Resource& r, const std::string& ns, const ListOptions& opts) {
  Query query;
  query.AddIfSet("labelSelector", opts.label_selector)
      .AddIfSet("fieldSelector", opts.field_selector)
      .AddIfSet("resourceVersion", opts.resource_version)
      .AddIfSet("continue", opts.continue_token);
  if (opts.limit > 0) {
    query.Add("limit", std::to_string(opts.limit));
  }
  http::Request request = NewRequest("GET", ResourcePath(r, ns) + query.Encode());
  json::Value list = ParseBody(Execute("LIST", std::move(request), true));
  ListResult result;
  result.resource_version = json::StringAt(list, {"metadata", "resourceVersion"});
  result.continue_token = json::StringAt(list, {"metadata", "continue"});
  if (json::Value* items = list.find("items"); items != nullptr && items->is_array()) {
    result.items.reserve(items->as_array().size());
    for (json::Value& item : items->as_array()) {
      result.items.push_back(WithTypeMeta(r, std::move(item)));
    }
  }
  return result;
}

std::unique_ptr<Watch> RestClient::StartWatch(const Resource& r, const std::string& ns,
                                              const WatchOptions& opts) {
  Query query;
  query.Add("watch", "1")
      .AddIfSet("labelSelector", opts.label_selector)
      .AddIfSet("fieldSelector", opts.field_selector)
      .AddIfSet("resourceVersion", opts.resource_version);
  if (opts.allow_bookmarks) {
    query.Add("allowWatchBookmarks", "true");
  }
  if (opts.timeout_seconds > 0) {
    query.Add("timeoutSeconds", std::to_string(opts.timeout_seconds));
  }
  http::Request request = NewRequest("GET", ResourcePath(r, ns) + query.Encode());
  request.timeout =
      opts.timeout_seconds > 0
          ? std::max<std::chrono::milliseconds>(
                config_.timeout, std::chrono::seconds(opts.timeout_seconds) + kWatchSlack)
          : std::chrono::milliseconds(kUnboundedWatch);
  RetryState state;
  while (true) {
    std::unique_ptr<http::LineStream> stream = StreamOnce(request);
    if (Is2xx(stream->status())) {
      return std::make_unique<RestWatch>(std::move(stream));
    }
    http::Response response;
    response.status = stream->status();
    std::vector<std::string> lines;
    try {
      while (std::optional<std::string> line = stream->Next()) {
        lines.push_back(std::move(*line));
      }
    } catch (const http::TransportError&) {
      // Keep what arrived of the error document.
    }
    response.body = Join(lines);
    if (!ShouldRetry(response, true, state)) {
      throw ErrorFromResponse(response);
    }
  }
}

json::Value RestClient::Write(const char* verb, const std::string& method, std::string path,
                              const json::Value& body, const std::string& content_type) {
  http::Request request = NewRequest(method, std::move(path));
  request.headers["content-type"] = content_type;
  request.body = json::Dump(body);
  return ParseBody(Execute(verb, std::move(request), false));
}

json::Value RestClient::Create(const Resource& r, const std::string& ns, const json::Value& obj) {
  std::string path = ResourcePath(r, NamespaceOf(r, ns, obj));
  return Write("POST", "POST", std::move(path), WithTypeMeta(r, obj), "application/json");
}

json::Value RestClient::Update(const Resource& r, const std::string& ns, const json::Value& obj,
                               const std::string& subresource) {
  std::string path = ResourcePath(r, NamespaceOf(r, ns, obj), NameOf(r, obj), subresource);
  return Write("PUT", "PUT", std::move(path), WithTypeMeta(r, obj, subresource),
               "application/json");
}

json::Value RestClient::Apply(const Resource& r, const std::string& ns, const json::Value& obj,
                              const ApplyOptions& opts, const std::string& subresource) {
  if (opts.field_manager.empty()) {
    BadRequest(r.kind + ": server-side apply needs a field manager");
  }
  Query query;
  query.Add("fieldManager", opts.field_manager);
  if (opts.force) {
    query.Add("force", "true");
  }
  std::string path =
      ResourcePath(r, NamespaceOf(r, ns, obj), NameOf(r, obj), subresource) + query.Encode();
  // JSON is YAML, so the object goes as it is under the apply content type.
  return Write("PATCH", "PATCH", std::move(path), WithTypeMeta(r, obj, subresource),
               "application/apply-patch+yaml");
}

json::Value RestClient::Patch(const Resource& r, const std::string& ns, const std::string& name,
                              PatchType type, const json::Value& patch,
                              const std::string& subresource) {
  if (name.empty()) {
    BadRequest(r.kind + ": patch needs a name");
  }
  if (r.namespaced && ns.empty()) {
    BadRequest(r.kind + ": a namespace is required");
  }
  return Write("PATCH", "PATCH", ResourcePath(r, ns, name, subresource), patch,
               PatchContentType(type));
}

void RestClient::Delete(const Resource& r, const std::string& ns, const std::string& name,
                        const DeleteOptions& opts) {
  if (name.empty()) {
    BadRequest(r.kind + ": delete needs a name");
  }
  if (r.namespaced && ns.empty()) {
    BadRequest(r.kind + ": a namespace is required");
  }
  http::Request request = NewRequest("DELETE", ResourcePath(r, ns, name));
  json::Value body;
  if (!opts.propagation_policy.empty()) {
    body["propagationPolicy"] = opts.propagation_policy;
  }
  if (opts.precondition_uid) {
    body["preconditions"]["uid"] = *opts.precondition_uid;
  }
  if (opts.precondition_resource_version) {
    body["preconditions"]["resourceVersion"] = *opts.precondition_resource_version;
  }
  if (!body.is_null()) {
    body["apiVersion"] = "v1";
    body["kind"] = "DeleteOptions";
    request.headers["content-type"] = "application/json";
    request.body = json::Dump(body);
  }
  Execute("DELETE", std::move(request), false);
}

std::unique_ptr<Client> MakeClient(const RestConfig& config, ClientMetrics* metrics) {
  std::unique_ptr<http::Transport> transport;
  try {
    transport = http::MakeTransport(config.server, config.tls);
  } catch (const http::TransportError& e) {
    throw ConfigError(std::string("cannot build a client for ") + config.server + ": " + e.what());
  }
  return std::make_unique<RestClient>(config, std::move(transport), metrics);
}

}  // namespace spyt::kube

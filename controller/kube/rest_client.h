#pragma once

// kube::Client over the Kubernetes REST API (JSON), through an http::Transport.
//
// Every request, retries included, first waits on a client-side token bucket
// (RestConfig::qps/burst), carries Accept: application/json, the User-Agent and,
// when configured, Authorization: Bearer, and is reported to ClientMetrics.
//
// Retries inside the client are few and safe:
//  - 429 Too Many Requests on GET, LIST and the opening of a WATCH (idempotent reads)
//    is retried up to 3 times after the server's Retry-After (header, or the
//    Status's retryAfterSeconds; 1 s when absent, at most 60 s). POST, PUT, PATCH and
//    DELETE are not retried: the ApiError (with retry_after) goes to the caller,
//    whose work queue owns backoff.
//  - 401 Unauthorized with a token file: the file is re-read and, when the token
//    changed, the request is sent once more (any verb: a 401 was not processed).
// Everything else surfaces as ApiError: non-2xx through ErrorFromResponse, transport
// failures as Reason::kTransport with code 0.
//
// Thread-safe.

#include <memory>

#include "common/clock.h"
#include "http/http.h"
#include "kube/bearer_token.h"
#include "kube/client.h"
#include "kube/client_metrics.h"
#include "kube/rest_config.h"
#include "kube/token_bucket.h"

namespace spyt::kube {

class RestClient : public Client {
 public:
  // metrics may be null. time (null: the system clock) drives rate limiting,
  // Retry-After sleeps and token-file refresh.
  RestClient(RestConfig config, std::unique_ptr<http::Transport> transport,
             ClientMetrics* metrics = nullptr, Clock* time = nullptr);

  json::Value Get(const Resource& r, const std::string& ns, const std::string& name) override;
  // Items get apiVersion and kind filled in (the server leaves them out of lists).
  ListResult List(const Resource& r, const std::string& ns, const ListOptions& opts) override;
  std::unique_ptr<Watch> StartWatch(const Resource& r, const std::string& ns,
                                    const WatchOptions& opts) override;
  // The namespace of single-object calls is `ns`, or else the object's
  // metadata.namespace; a missing one is ApiError(kBadRequest, 0).
  json::Value Create(const Resource& r, const std::string& ns, const json::Value& obj) override;
  json::Value Update(const Resource& r, const std::string& ns, const json::Value& obj,
                     const std::string& subresource = "") override;
  json::Value Apply(const Resource& r, const std::string& ns, const json::Value& obj,
                    const ApplyOptions& opts, const std::string& subresource = "") override;
  json::Value Patch(const Resource& r, const std::string& ns, const std::string& name,
                    PatchType type, const json::Value& patch,
                    const std::string& subresource = "") override;
  void Delete(const Resource& r, const std::string& ns, const std::string& name,
              const DeleteOptions& opts = {}) override;

 private:
  struct RetryState {
    int throttled = 0;
    bool reauthenticated = false;
  };

  http::Request NewRequest(const std::string& method, std::string path);
  // Sends until a 2xx response or a final error (ApiError).
  http::Response Execute(const char* verb, http::Request request, bool idempotent);
  // One round trip: rate limit, credentials, metrics; TransportError -> ApiError.
  http::Response SendOnce(const char* verb, http::Request& request);
  std::unique_ptr<http::LineStream> StreamOnce(http::Request& request);
  // After a non-2xx response: waits as needed and says whether to send again.
  bool ShouldRetry(const http::Response& response, bool idempotent, RetryState& state);
  json::Value Write(const char* verb, const std::string& method, std::string path,
                    const json::Value& body, const std::string& content_type);
  void Observe(const char* verb, int code, Clock::TimePoint start);

  const RestConfig config_;
  const std::unique_ptr<http::Transport> transport_;
  ClientMetrics* const metrics_;
  Clock& time_;
  TokenBucket limiter_;
  BearerToken token_;
};

// A RestClient over the real transport (http::MakeTransport). Throws ConfigError when the TLS
// material in the config is unusable.
std::unique_ptr<Client> MakeClient(const RestConfig& config, ClientMetrics* metrics = nullptr);

}  // namespace spyt::kube

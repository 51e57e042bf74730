#pragma once

// Typed errors of the Kubernetes API, decoded from metav1.Status responses.
// Callers test the reason (IsNotFound, IsConflict, ...) instead of HTTP codes
// or message text.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/http.h"

namespace spyt::kube {

enum class Reason {
  kBadRequest,        // 400
  kUnauthorized,      // 401
  kForbidden,         // 403
  kNotFound,          // 404
  kMethodNotAllowed,  // 405
  kAlreadyExists,     // 409 with reason AlreadyExists
  kConflict,          // 409
  kGone,              // 410: resourceVersion too old (watch/list "Expired")
  kInvalid,           // 422, with causes
  kTooManyRequests,   // 429, may carry Retry-After
  kTimeout,           // 504 or reason Timeout / ServerTimeout
  kServerError,       // other 5xx
  kTransport,         // no HTTP response at all
  kUnknown,
};

const char* ReasonName(Reason reason);

struct StatusCause {
  std::string type;     // "FieldValueInvalid"
  std::string message;  // "Invalid value: ..."
  std::string field;    // "spec.replicas"
};

class ApiError : public std::runtime_error {
 public:
  ApiError(Reason reason, int code, std::string message, std::vector<StatusCause> causes = {},
           std::optional<std::chrono::seconds> retry_after = std::nullopt);

  Reason reason() const { return reason_; }
  int code() const { return code_; }
  const std::vector<StatusCause>& causes() const { return causes_; }
  std::optional<std::chrono::seconds> retry_after() const { return retry_after_; }
  // Worth retrying after a backoff: timeouts, throttling, server and transport errors.
  bool IsRetryable() const;

 private:
  Reason reason_;
  int code_;
  std::vector<StatusCause> causes_;
  std::optional<std::chrono::seconds> retry_after_;
};

// Builds the error for a non-2xx response (the body is usually a metav1.Status).
ApiError ErrorFromResponse(const http::Response& response);

inline bool IsNotFound(const ApiError& e) { return e.reason() == Reason::kNotFound; }
inline bool IsAlreadyExists(const ApiError& e) { return e.reason() == Reason::kAlreadyExists; }
inline bool IsConflict(const ApiError& e) { return e.reason() == Reason::kConflict; }
inline bool IsGone(const ApiError& e) { return e.reason() == Reason::kGone; }
inline bool IsForbidden(const ApiError& e) { return e.reason() == Reason::kForbidden; }
inline bool IsInvalid(const ApiError& e) { return e.reason() == Reason::kInvalid; }

}  // namespace spyt::kube

#include "kube/errors.h"

#include <charconv>

#include "common/json.h"

namespace spyt::kube {

const char* ReasonName(Reason reason) {
  switch (reason) {
    case Reason::kBadRequest:
      return "BadRequest";
    case Reason::kUnauthorized:
      return "Unauthorized";
    case Reason::kForbidden:
      return "Forbidden";
    case Reason::kNotFound:
      return "NotFound";
    case Reason::kMethodNotAllowed:
      return "MethodNotAllowed";
    case Reason::kAlreadyExists:
      return "AlreadyExists";
    case Reason::kConflict:
      return "Conflict";
    case Reason::kGone:
      return "Gone";
    case Reason::kInvalid:
      return "Invalid";
    case Reason::kTooManyRequests:
      return "TooManyRequests";
    case Reason::kTimeout:
      return "Timeout";
    case Reason::kServerError:
      return "InternalError";
    case Reason::kTransport:
      return "Transport";
    case Reason::kUnknown:
      return "Unknown";
  }
  return "Unknown";
}

ApiError::ApiError(Reason reason, int code, std::string message, std::vector<StatusCause> causes,
                   std::optional<std::chrono::seconds> retry_after)
    : std::runtime_error(std::move(message)),
      reason_(reason),
      code_(code),
      causes_(std::move(causes)),
      retry_after_(retry_after) {}

bool ApiError::IsRetryable() const {
  switch (reason_) {
    case Reason::kTooManyRequests:
    case Reason::kTimeout:
    case Reason::kServerError:
    case Reason::kTransport:
      return true;
    default:
      return false;
  }
}

namespace {

Reason ReasonFromCode(int code) {
  switch (code) {
    case 400:
      return Reason::kBadRequest;
    case 401:
      return Reason::kUnauthorized;
    case 403:
      return Reason::kForbidden;
    case 404:
      return Reason::kNotFound;
    case 405:
      return Reason::kMethodNotAllowed;
    case 409:
      return Reason::kConflict;
    case 410:
      return Reason::kGone;
    case 422:
      return Reason::kInvalid;
    case 429:
      return Reason::kTooManyRequests;
    case 504:
      return Reason::kTimeout;
    default:
      return code >= 500 ? Reason::kServerError : Reason::kUnknown;
  }
}

// metav1.StatusReason strings that refine the HTTP code.
Reason Refine(Reason from_code, const std::string& status_reason) {
  if (status_reason == "AlreadyExists") return Reason::kAlreadyExists;
  if (status_reason == "Conflict") return Reason::kConflict;
  if (status_reason == "Expired" || status_reason == "Gone") return Reason::kGone;
  if (status_reason == "Invalid") return Reason::kInvalid;
  if (status_reason == "Timeout" || status_reason == "ServerTimeout") return Reason::kTimeout;
  if (status_reason == "NotFound") return Reason::kNotFound;
  if (status_reason == "TooManyRequests") return Reason::kTooManyRequests;
  return from_code;
}

}  // namespace

ApiError ErrorFromResponse(const http::Response& response) {
  Reason reason = ReasonFromCode(response.status);
  std::string message;
  std::vector<StatusCause> causes;
  std::optional<std::chrono::seconds> retry_after;
  try {
    json::Value status = json::Parse(response.body);
    if (status.is_object() && json::StringAt(status, {"kind"}) == "Status") {
      reason = Refine(reason, json::StringAt(status, {"reason"}));
      message = json::StringAt(status, {"message"});
      if (const json::Value* details = status.find("details"); details && details->is_object()) {
        if (const json::Value* cs = details->find("causes"); cs && cs->is_array()) {
          for (const auto& c : cs->as_array()) {
            if (!c.is_object()) continue;
            causes.push_back({json::StringAt(c, {"reason"}), json::StringAt(c, {"message"}),
                              json::StringAt(c, {"field"})});
          }
        }
        if (const json::Value* ra = details->find("retryAfterSeconds"); ra && ra->is_int()) {
          retry_after = std::chrono::seconds(ra->as_int());
        }
      }
    }
  } catch (const json::ParseError&) {
    // Not a Status document (a proxy's HTML page, say): keep the raw text below.
  }
  if (const std::string* header = response.header("retry-after")) {
    int seconds = 0;
    auto [p, ec] = std::from_chars(header->data(), header->data() + header->size(), seconds);
    if (ec == std::errc() && seconds >= 0) retry_after = std::chrono::seconds(seconds);
  }
  if (message.empty()) {
    message = "HTTP " + std::to_string(response.status);
    if (!response.body.empty()) message += ": " + response.body.substr(0, 512);
  }
  return ApiError(reason, response.status, std::move(message), std::move(causes), retry_after);
}

}  // namespace spyt::kube

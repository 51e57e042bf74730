#pragma once

// Decoding and validating the bodies clients POST to the Livy-compatible
// server. Every failure is a BadRequest whose message names the field and the
// problem; the server answers it as Livy does, 400 {"msg": ...}.
// Pure and thread-safe.

#include <optional>
#include <stdexcept>
#include <string>

#include "api/units.h"
#include "livy_server/records.h"

namespace spyt::livy_server {

class BadRequest : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// What every session's driver is given (--livy-driver-cores/--livy-driver-memory):
// the container is sized for that many of them, so a request may ask for less,
// never more.
struct DriverLimits {
  int cores = 1;
  api::MemorySize memory = api::MemorySize::FromMiB(1024);
};

SessionRequest ParseSessionRequest(const std::string& body, const DriverLimits& limits);
BatchRequest ParseBatchRequest(const std::string& body, const DriverLimits& limits);

struct StatementRequest {
  std::string code;
  std::optional<Kind> kind;  // absent: the session's kind
};
StatementRequest ParseStatementRequest(const std::string& body);

// find-by-user: {"proxyUser": U}; nullopt when no user is given.
std::optional<std::string> ParseFindByUser(const std::string& body);

}  // namespace spyt::livy_server

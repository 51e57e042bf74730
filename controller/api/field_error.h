#pragma once

// Field errors in the shape Kubernetes reports them ("spec.livy.maxSessions:
// Invalid value: 0: must be at least 1"), so a user sees the same words from the
// API server, the operator's status and `spyt-operator validate`.

#include <stdexcept>
#include <string>
#include <vector>

namespace spyt::api {

struct FieldError {
  enum class Type { kRequired, kInvalid, kNotSupported, kForbidden, kTypeInvalid, kUnknown };

  Type type = Type::kInvalid;
  std::string path;    // "spec.livy.maxSessions"
  std::string value;   // the offending value as text; empty when not meaningful
  std::string detail;  // what is wrong, in words

  std::string ToString() const;
  friend bool operator==(const FieldError&, const FieldError&) = default;
};

using FieldErrors = std::vector<FieldError>;

// "a; b; c" with at most `limit` errors and a count of the rest, for bounded status messages.
std::string Summarize(const FieldErrors& errors, std::size_t limit = 8);

// Thrown where a whole object is rejected; carries every field error.
class InvalidObject : public std::runtime_error {
 public:
  explicit InvalidObject(FieldErrors errors);
  const FieldErrors& errors() const { return errors_; }

 private:
  FieldErrors errors_;
};

}  // namespace spyt::api

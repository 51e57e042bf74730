#include "api/field_error.h"

namespace spyt::api {

std::string FieldError::ToString() const {
  std::string out = path + ": ";
  switch (type) {
    case Type::kRequired:
      out += "Required value";
      break;
    case Type::kInvalid:
      out += "Invalid value";
      break;
    case Type::kNotSupported:
      out += "Unsupported value";
      break;
    case Type::kForbidden:
      out += "Forbidden";
      break;
    case Type::kTypeInvalid:
      out += "Invalid type";
      break;
    case Type::kUnknown:
      out += "Unknown field";
      break;
  }
  if (!value.empty()) out += ": " + value;
  if (!detail.empty()) out += ": " + detail;
  return out;
}

std::string Summarize(const FieldErrors& errors, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < errors.size() && i < limit; ++i) {
    if (i > 0) out += "; ";
    out += errors[i].ToString();
  }
  if (errors.size() > limit) {
    out += "; and " + std::to_string(errors.size() - limit) + " more";
  }
  return out;
}

InvalidObject::InvalidObject(FieldErrors errors)
    : std::runtime_error(Summarize(errors)), errors_(std::move(errors)) {}

}  // namespace spyt::api

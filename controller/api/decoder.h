#pragma once

// A path-tracking reader for JSON objects that collects field errors instead of
// throwing at the first one, and reports fields the schema does not declare.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "api/field_error.h"
#include "common/json.h"

namespace spyt::api::detail {

class ObjectReader {
 public:
  // `value` may be null (absent object): every read then yields nothing.
  ObjectReader(const json::Value* value, std::string path, FieldErrors& errors);
  // Reports keys that no Read call asked for, as Unknown field errors.
  void RejectUnknown();
  // Stops RejectUnknown from reporting anything (lenient sections like metadata).
  void AllowUnknown() { allow_unknown_ = true; }

  const std::string& path() const { return path_; }
  // An empty key shows as "" so that every error names a path (found by fuzzing).
  std::string Child(const std::string& key) const {
    return path_ + "." + (key.empty() ? std::string("\"\"") : key);
  }
  bool Has(const std::string& key) const;
  FieldErrors& errors() { return errors_; }

  std::optional<std::string> String(const std::string& key, bool required = false);
  std::optional<std::int64_t> Int(const std::string& key, bool required = false);
  std::optional<bool> Bool(const std::string& key, bool required = false);
  // Accepts a string or an integer (Kubernetes' int-or-string) and returns its text.
  std::optional<std::string> IntOrString(const std::string& key, bool required = false);
  std::map<std::string, std::string> StringMap(const std::string& key);
  std::vector<std::string> StringList(const std::string& key);
  // The raw value of an object/array field, type-checked only.
  const json::Value* Raw(const std::string& key, json::Value::Kind kind);
  // A nested object; returns a reader over nothing when absent or of the wrong type.
  ObjectReader Object(const std::string& key, bool required = false);

  // Parses a string field with `parse`, turning its exception text into a field error.
  template <typename T, typename Parse>
  std::optional<T> Parsed(const std::string& key, Parse parse, bool required = false) {
    auto text = IntOrString(key, required);
    if (!text) return std::nullopt;
    try {
      return parse(*text);
    } catch (const std::invalid_argument& e) {
      AddError(FieldError::Type::kInvalid, Child(key), *text, e.what());
      return std::nullopt;
    }
  }

  void AddError(FieldError::Type type, std::string path, std::string value, std::string detail);

 private:
  const json::Value* Get(const std::string& key, bool required);
  void WrongType(const std::string& key, const char* want);

  const json::Value* value_;
  std::string path_;
  FieldErrors& errors_;
  std::set<std::string> seen_;
  bool allow_unknown_ = false;
};

}  // namespace spyt::api::detail

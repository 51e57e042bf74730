#pragma once

// A small JSON document model shared by the API codecs and the Kubernetes client.
// It exists so that no module outside controller/kube depends on the HTTP library's
// JSON type. Objects keep their keys sorted, which makes every serialisation
// deterministic (golden files, hashes of desired state).

#include <cstdint>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace spyt::json {

class Value;
using Array = std::vector<Value>;
using Object = std::map<std::string, Value, std::less<>>;

// Thrown by Parse with the 1-based line and column of the first bad character.
class ParseError : public std::runtime_error {
 public:
  ParseError(const std::string& what, int line, int column);
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  int line_;
  int column_;
};

class Value {
 public:
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : data_(b) {}
  Value(int i) : data_(static_cast<std::int64_t>(i)) {}
  Value(std::int64_t i) : data_(i) {}
  Value(double d) : data_(d) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(Array a) : data_(std::move(a)) {}
  Value(Object o) : data_(std::move(o)) {}

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_int() const { return kind() == Kind::kInt; }
  bool is_number() const { return kind() == Kind::kInt || kind() == Kind::kDouble; }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_array() const { return kind() == Kind::kArray; }
  bool is_object() const { return kind() == Kind::kObject; }

  // Accessors throw std::logic_error on a kind mismatch: check the kind first.
  bool as_bool() const;
  std::int64_t as_int() const;
  double as_double() const;  // ints convert
  const std::string& as_string() const;
  const Array& as_array() const;
  Array& as_array();
  const Object& as_object() const;
  Object& as_object();

  // Object helpers. find returns nullptr when this is not an object or has no key.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // operator[] turns a null value into an object and inserts the key.
  Value& operator[](std::string_view key);

  friend bool operator==(const Value& a, const Value& b) { return a.data_ == b.data_; }

 private:
  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, Array, Object> data_;
};

const char* KindName(Value::Kind kind);

// Lookups along a path of object keys ({"metadata", "name"}): nullptr, or the
// fallback, when a key is missing or the value has another type.
const Value* At(const Value& value, std::initializer_list<std::string_view> path);
std::string StringAt(const Value& value, std::initializer_list<std::string_view> path);
std::int64_t IntAt(const Value& value, std::initializer_list<std::string_view> path,
                   std::int64_t fallback = 0);

// RFC 8259 text; strings must be UTF-8 and \u escapes pair their surrogates, so every
// string it returns is valid UTF-8. Throws ParseError.
Value Parse(std::string_view text);

// indent < 0: compact, one line. indent >= 0: pretty with that many spaces per level.
// The text is always UTF-8: a string's bytes that are not (a Value built in code, such
// as a process's output) are written as U+FFFD, as Go's encoding/json writes them.
std::string Dump(const Value& value, int indent = -1);

}  // namespace spyt::json

#include "common/yaml_scalar.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <string_view>

namespace spyt::yaml {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Advances over [0-9]* from i; returns how many digits it passed.
std::size_t SkipDigits(std::string_view s, std::size_t& i) {
  const std::size_t from = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i - from;
}

// [-+]?[0-9]+
bool IsInt(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  return SkipDigits(s, i) > 0 && i == s.size();
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsFloat(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  const std::size_t whole = SkipDigits(s, i);
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (SkipDigits(s, i) == 0 && whole == 0) return false;
  } else if (whole == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (SkipDigits(s, i) == 0) return false;
  }
  return i == s.size();
}

bool IsOneOf(std::string_view s, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), s) != words.end();
}

// YAML 1.2 core schema resolution of a plain scalar. Hand-written matchers: std::regex
// took most of the time of loading a document (perf of the api_spec fuzz target);
// tests/common/yaml_test.cpp holds them against the patterns.
}  // namespace

json::Value ResolvePlain(const std::string& s) {
  if (IsOneOf(s, {"", "~", "null", "Null", "NULL"})) return json::Value();
  if (IsOneOf(s, {"true", "True", "TRUE"})) return json::Value(true);
  if (IsOneOf(s, {"false", "False", "FALSE"})) return json::Value(false);
  if (IsInt(s)) {
    std::int64_t i = 0;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    auto [p, ec] = std::from_chars(begin, s.data() + s.size(), i);
    if (ec == std::errc() && p == s.data() + s.size()) return json::Value(i);
    return json::Value(s);  // out of int64 range: keep the text
  }
  if (IsFloat(s)) {
    // As Kubernetes reads YAML (go-yaml: strconv.ParseFloat): a float beyond a double's
    // range ("6e400") stays text, one below its smallest magnitude ("1e-400") is 0.
    // strtod reads the '.' of the "C" locale, which the process never changes.
    errno = 0;
    const double d = std::strtod(s.c_str(), nullptr);
    if (errno == ERANGE && std::isinf(d)) return json::Value(s);
    return json::Value(d);
  }
  return json::Value(s);
}

bool IsPrintable(char32_t cp) {
  return cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 ||
         (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

}  // namespace spyt::yaml

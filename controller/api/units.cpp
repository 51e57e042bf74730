#include "api/units.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

namespace spyt::api {
namespace {

// Splits "123abc" into 123 and "abc". At most 18 digits, so the number fits in
// 64 bits; the callers check that it times its unit does too. (Nine, as before,
// refused the MiB form of sizes accepted with a larger unit: "1999999g" is
// "2047998976m".)
std::pair<std::uint64_t, std::string_view> SplitNumber(std::string_view text, const char* what) {
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0) {
    throw InvalidUnit(std::string(what) + " \"" + std::string(text) +
                      "\" must start with a whole number");
  }
  if (i > 18) {
    throw InvalidUnit(std::string(what) + " \"" + std::string(text) +
                      "\" has too many digits (at most 18)");
  }
  return {std::stoull(std::string(text.substr(0, i))), text.substr(i)};
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

MemorySize MemorySize::Parse(std::string_view text) {
  auto [number, unit] = SplitNumber(text, "memory size");
  int shift = -1;
  static constexpr std::array<std::pair<std::string_view, int>, 5> kKube = {
      {{"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}}};
  for (auto [s, e] : kKube) {
    if (unit == s) shift = e;
  }
  if (shift < 0) {
    std::string u = Lower(unit);
    if (u.size() == 2 && u[1] == 'b') u.pop_back();
    static constexpr std::array<std::pair<std::string_view, int>, 5> kJvm = {
        {{"k", 10}, {"m", 20}, {"g", 30}, {"t", 40}, {"p", 50}}};
    for (auto [s, e] : kJvm) {
      if (u == s) shift = e;
    }
  }
  if (shift < 0) {
    throw InvalidUnit("memory size \"" + std::string(text) +
                      "\" needs a unit: k, m, g, t, p (as Spark reads them, binary) or Ki, Mi, "
                      "Gi, Ti, Pi");
  }
  if (number > (UINT64_MAX >> shift)) {
    throw InvalidUnit("memory size \"" + std::string(text) + "\" is too large");
  }
  std::uint64_t bytes = number << shift;
  // Spark holds a daemon's or executor's memory as an Int of MiB.
  if (bytes / kMiB > static_cast<std::uint64_t>(INT32_MAX)) {
    throw InvalidUnit("memory size \"" + std::string(text) +
                      "\" is too large: Spark takes at most 2147483647m");
  }
  if (bytes % kMiB != 0) {
    throw InvalidUnit("memory size \"" + std::string(text) + "\" must be a whole number of MiB");
  }
  MemorySize size(bytes);
  size.text_ = std::string(text);
  return size;
}

std::string MemorySize::ToQuantityString() const {
  if (bytes_ % (kMiB * 1024) == 0) return std::to_string(bytes_ / (kMiB * 1024)) + "Gi";
  return std::to_string(mib()) + "Mi";
}

Duration Duration::Parse(std::string_view text) {
  auto [number, unit] = SplitNumber(text, "duration");
  std::int64_t n = static_cast<std::int64_t>(number);
  std::int64_t scale = unit == "ms"  ? 1
                       : unit == "s" ? 1000
                       : unit == "m" ? 60000
                       : unit == "h" ? 3600000
                                     : 0;
  if (scale != 0) {
    if (n > INT64_MAX / scale) {
      throw InvalidUnit("duration \"" + std::string(text) + "\" is too long");
    }
    Duration d(n * scale);
    d.text_ = std::string(text);
    return d;
  }
  throw InvalidUnit("duration \"" + std::string(text) + "\" needs a unit: ms, s, m or h");
}

std::string Duration::CanonicalString() const {
  if (millis_ != 0 && millis_ % 3600000 == 0) return std::to_string(millis_ / 3600000) + "h";
  if (millis_ != 0 && millis_ % 60000 == 0) return std::to_string(millis_ / 60000) + "m";
  if (millis_ % 1000 == 0) return std::to_string(millis_ / 1000) + "s";
  return std::to_string(millis_) + "ms";
}

}  // namespace spyt::api

#pragma once

// Kubernetes resource quantities ("500m", "2Gi", "1e3"), held exactly.
//
// The value is stored as a signed count of nano-units in 128 bits, which covers
// every quantity Kubernetes itself accepts (up to about 9.2e18 units). Digits
// finer than a nano-unit round up, as Kubernetes does.

#include <compare>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace spyt::api {

class InvalidQuantity : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class Quantity {
 public:
  __extension__ typedef __int128 Nanos;  // __extension__: GCC and Clang have it; ISO C++ does not

  Quantity() = default;
  static Quantity FromUnits(std::int64_t units) { return Quantity(Nanos(units) * kNano); }
  static Quantity FromMillis(std::int64_t millis) { return Quantity(Nanos(millis) * 1000000); }

  // Throws InvalidQuantity naming what is wrong.
  static Quantity Parse(std::string_view text);
  static std::optional<Quantity> TryParse(std::string_view text) noexcept;

  Nanos nanos() const { return nanos_; }
  // Whole units and milli-units, rounded up (as Kubernetes' Value/MilliValue do).
  std::int64_t CeilUnits() const;
  std::int64_t CeilMillis() const;

  // The text it was parsed from, or a canonical one: binary suffix when the value is a whole number
  // of KiB or more and divides evenly, otherwise the shortest decimal suffix.
  std::string ToString() const;

  std::string CanonicalString() const;

  // Compared by value: "1" == "1000m".
  friend auto operator<=>(const Quantity& a, const Quantity& b) { return a.nanos_ <=> b.nanos_; }
  friend bool operator==(const Quantity& a, const Quantity& b) { return a.nanos_ == b.nanos_; }
  friend Quantity operator+(Quantity a, Quantity b) { return Quantity(a.nanos_ + b.nanos_); }

 private:
  static constexpr Nanos kNano = 1000000000;
  explicit Quantity(Nanos n) : nanos_(n) {}
  Nanos nanos_ = 0;
  std::string text_;
};

}  // namespace spyt::api

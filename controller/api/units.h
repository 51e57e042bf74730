#pragma once

// The size and duration notations SPYT's launcher takes.
//
// Memory ("1G", "1024m", "512Mi"): a whole number and a binary unit. The JVM/Spark
// letters k, m, g, t, p (any case, optional trailing b) mean KiB..PiB, as
// spark-launch-yt reads them, and the Kubernetes suffixes Ki, Mi, Gi, Ti, Pi are
// accepted too. Note "1024m" is 1024 MiB here, not 1.024 as a Kubernetes quantity.
// Spark sizes its daemons in MiB, so a size must be a whole number of MiB (zero
// is a valid size here; fields that need a positive one say so in validation).
//
// Duration ("10m", "600s", "1h"): a whole number and one of ms, s, m, h, which is
// what Livy's and Spark's time settings accept.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace spyt::api {

class InvalidUnit : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class MemorySize {
 public:
  static constexpr std::uint64_t kMiB = 1024 * 1024;

  MemorySize() = default;
  static MemorySize FromMiB(std::uint64_t mib) { return MemorySize(mib * kMiB); }
  // Throws InvalidUnit with a message that says what is accepted.
  static MemorySize Parse(std::string_view text);

  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t mib() const { return bytes_ / kMiB; }
  // The text it was parsed from, or the Spark form.
  std::string ToString() const { return text_.empty() ? ToSparkString() : text_; }
  // For Spark and the JVM: "1024m".
  std::string ToSparkString() const { return std::to_string(mib()) + "m"; }
  // For Kubernetes resources: "1Gi" when it divides evenly, else "NMi".
  std::string ToQuantityString() const;

  // Compared by value: "1g" == "1024m".
  friend auto operator<=>(const MemorySize& a, const MemorySize& b) {
    return a.bytes_ <=> b.bytes_;
  }
  friend bool operator==(const MemorySize& a, const MemorySize& b) { return a.bytes_ == b.bytes_; }
  friend MemorySize operator+(MemorySize a, MemorySize b) {
    return MemorySize(a.bytes_ + b.bytes_);
  }
  friend MemorySize operator*(MemorySize a, std::uint64_t n) { return MemorySize(a.bytes_ * n); }

 private:
  explicit MemorySize(std::uint64_t bytes) : bytes_(bytes) {}
  std::uint64_t bytes_ = 0;
  std::string text_;
};

class Duration {
 public:
  Duration() = default;
  static Duration FromSeconds(std::int64_t s) { return Duration(s * 1000); }
  static Duration Parse(std::string_view text);

  std::int64_t millis() const { return millis_; }
  // The text it was parsed from, or the shortest exact form: "10m", "90s", "1500ms".
  std::string ToString() const { return text_.empty() ? CanonicalString() : text_; }
  std::string CanonicalString() const;

  friend auto operator<=>(const Duration& a, const Duration& b) { return a.millis_ <=> b.millis_; }
  friend bool operator==(const Duration& a, const Duration& b) { return a.millis_ == b.millis_; }

 private:
  explicit Duration(std::int64_t ms) : millis_(ms) {}
  std::int64_t millis_ = 0;
  std::string text_;
};

}  // namespace spyt::api

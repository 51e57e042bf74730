#pragma once

// Time behind an interface for the client's own waits (rate limiting, Retry-After,
// token-file refresh), so tests run them on a fake clock. The kube module sits below
// runtime/, so it cannot use runtime::Clock.

#include <chrono>

namespace spyt::kube {

class TimeSource {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  virtual ~TimeSource() = default;
  virtual TimePoint Now() = 0;
  // Blocks the calling thread for `d` (a fake advances its clock instead).
  virtual void SleepFor(Duration d) = 0;
};

// steady_clock and std::this_thread::sleep_for. Thread-safe.
TimeSource& SystemTimeSource();

}  // namespace spyt::kube

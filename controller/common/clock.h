#pragma once

// The one clock of the code base: time behind an interface so queues, backoffs,
// leader election, the manager, informers and the API client's own waits (rate
// limiting, Retry-After, token refresh) can be tested with a fake clock
// (tests/fakes/fake_clock.h). Durations are std::chrono; wall time for Kubernetes
// timestamps comes from WallNow(). RealClock() is thread-safe.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

namespace spyt {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
  // Waits on `cv` (with `lock` held) until `pred()` or `deadline`; returns pred().
  // A fake clock wakes waiters when it is advanced.
  virtual bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         TimePoint deadline, const std::function<bool()>& pred) = 0;
  // Blocks the calling thread for `d` (by default a WaitUntil that nothing but the
  // deadline ends, so a fake clock's Advance() ends it).
  virtual void SleepFor(Duration d);
};

Clock& RealClock();

// RFC 3339 with seconds ("2026-11-24T01:22:29Z") and with microseconds
// ("2026-11-24T01:22:29.123456Z", for Lease times).
std::string FormatRfc3339(std::chrono::system_clock::time_point t);
std::string FormatRfc3339Micro(std::chrono::system_clock::time_point t);
// Parses either form; throws std::invalid_argument.
std::chrono::system_clock::time_point ParseRfc3339(const std::string& text);

}  // namespace spyt

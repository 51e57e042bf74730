#pragma once

// A FakeClock whose SleepFor() does not block: it records the sleep and advances
// the clock at once, for code that sleeps in line (the API client's rate limiting
// and Retry-After waits). Thread-safe.

#include <mutex>
#include <vector>

#include "fakes/fake_clock.h"

namespace spyt::fakes {

class SleepRecordingClock : public FakeClock {
 public:
  void SleepFor(Duration d) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      sleeps_.push_back(d);
    }
    Advance(d);
  }
  std::vector<Duration> sleeps() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Duration> sleeps_;
};

}  // namespace spyt::fakes

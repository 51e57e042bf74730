#pragma once

// A kube::TimeSource whose clock moves only when told to or when someone sleeps on
// it (a sleep advances the clock at once and is recorded). Thread-safe.

#include <mutex>
#include <vector>

#include "kube/time_source.h"

namespace spyt::fakes {

class FakeTimeSource : public kube::TimeSource {
 public:
  TimePoint Now() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void SleepFor(Duration d) override {
    std::lock_guard<std::mutex> lock(mu_);
    sleeps_.push_back(d);
    now_ += d;
  }
  void Advance(Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }
  std::vector<Duration> sleeps() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

 private:
  mutable std::mutex mu_;
  TimePoint now_{std::chrono::hours(1000)};
  std::vector<Duration> sleeps_;
};

}  // namespace spyt::fakes

#include "kube/token_bucket.h"

#include <algorithm>

namespace spyt::kube {

TokenBucket::TokenBucket(double qps, int burst, Clock& time)
    : qps_(qps),
      burst_(std::max(burst, 1)),
      time_(time),
      tokens_(std::max(burst, 1)),
      last_(time.Now()) {}

Clock::Duration TokenBucket::Reserve() {
  if (unlimited()) {
    return Clock::Duration::zero();
  }
  std::lock_guard<std::mutex> lock(mu_);
  Clock::TimePoint now = time_.Now();
  if (now > last_) {
    std::chrono::duration<double> elapsed = now - last_;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * qps_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) {
    return Clock::Duration::zero();
  }
  std::chrono::duration<double> wait(-tokens_ / qps_);
  return std::chrono::ceil<Clock::Duration>(wait);
}

void TokenBucket::Acquire() {
  Clock::Duration wait = Reserve();
  if (wait > Clock::Duration::zero()) {
    time_.SleepFor(wait);
  }
}

}  // namespace spyt::kube

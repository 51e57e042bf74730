#pragma once

// Client-side rate limiting: a token bucket that refills at `qps` tokens a second
// up to `burst`, and starts full. A caller that finds it empty reserves the next
// token (the bucket goes negative) and sleeps until it is due, so waiters are served
// in arrival order and a burst of callers spreads out at exactly `qps`.
// Thread-safe.

#include <chrono>
#include <mutex>

#include "common/clock.h"

namespace spyt::kube {

class TokenBucket {
 public:
  // qps <= 0 disables limiting; burst < 1 counts as 1.
  TokenBucket(double qps, int burst, Clock& time = RealClock());

  // Blocks until the caller may send one request.
  void Acquire();

  // Takes one token and returns how long the caller must wait before using it
  // (zero when one was available). Acquire() is Reserve() followed by that sleep.
  Clock::Duration Reserve();

  bool unlimited() const { return qps_ <= 0; }

 private:
  const double qps_;
  const double burst_;
  Clock& time_;
  std::mutex mu_;
  double tokens_;
  Clock::TimePoint last_;
};

}  // namespace spyt::kube

// The work queue's rate limiters. Each is internally locked, so the queue may
// call it from any thread without holding its own lock.

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include "kube/token_bucket.h"
#include "runtime/workqueue.h"

namespace spyt::runtime {
namespace {

using Duration = Clock::Duration;

// base * 2^failures per key, capped at max.
class ExponentialRateLimiter : public RateLimiter {
 public:
  ExponentialRateLimiter(Duration base, Duration max) : base_(base), max_(max) {}

  Duration When(const std::string& key) override {
    int exponent = 0;
    {
      std::lock_guard lock(mutex_);
      exponent = failures_[key]++;
    }
    // Computed in floating point so large exponents saturate instead of overflowing.
    double backoff = static_cast<double>(base_.count()) * std::pow(2.0, exponent);
    if (backoff >= static_cast<double>(max_.count())) {
      return max_;
    }
    return Duration(static_cast<Duration::rep>(backoff));
  }

  void Forget(const std::string& key) override {
    std::lock_guard lock(mutex_);
    failures_.erase(key);
  }

  int NumRequeues(const std::string& key) override {
    std::lock_guard lock(mutex_);
    auto it = failures_.find(key);
    return it == failures_.end() ? 0 : it->second;
  }

 private:
  const Duration base_;
  const Duration max_;
  std::mutex mutex_;
  std::map<std::string, int> failures_;
};

// One token bucket for all keys: it starts full (burst tokens) and refills at qps
// tokens per second. Every When() takes a token; when none is left it reserves a
// future one and returns how long until it is there, so callers are spaced 1/qps apart.
// It is the API client's own bucket (kube::TokenBucket).
class BucketRateLimiter : public RateLimiter {
 public:
  BucketRateLimiter(double qps, int burst, Clock& clock) : bucket_(qps, burst, clock) {}

  Duration When(const std::string& /*key*/) override { return bucket_.Reserve(); }
  void Forget(const std::string& /*key*/) override {}
  int NumRequeues(const std::string& /*key*/) override { return 0; }

 private:
  kube::TokenBucket bucket_;
};

class MaxOfRateLimiter : public RateLimiter {
 public:
  MaxOfRateLimiter(std::unique_ptr<RateLimiter> a, std::unique_ptr<RateLimiter> b)
      : a_(std::move(a)), b_(std::move(b)) {}

  // Both limiters see every failure, so each keeps its own count.
  Duration When(const std::string& key) override { return std::max(a_->When(key), b_->When(key)); }

  void Forget(const std::string& key) override {
    a_->Forget(key);
    b_->Forget(key);
  }

  int NumRequeues(const std::string& key) override {
    return std::max(a_->NumRequeues(key), b_->NumRequeues(key));
  }

 private:
  std::unique_ptr<RateLimiter> a_;
  std::unique_ptr<RateLimiter> b_;
};

}  // namespace

std::unique_ptr<RateLimiter> MakeExponentialRateLimiter(Duration base, Duration max) {
  if (base <= Duration::zero()) {
    throw std::invalid_argument("exponential rate limiter: base delay must be positive");
  }
  if (max < base) {
    throw std::invalid_argument("exponential rate limiter: max delay must not be below the base");
  }
  return std::make_unique<ExponentialRateLimiter>(base, max);
}

std::unique_ptr<RateLimiter> MakeBucketRateLimiter(double qps, int burst, Clock& clock) {
  if (!(qps > 0.0) || !std::isfinite(qps)) {
    throw std::invalid_argument("bucket rate limiter: qps must be a positive number");
  }
  if (burst < 1) {
    throw std::invalid_argument("bucket rate limiter: burst must be at least 1");
  }
  return std::make_unique<BucketRateLimiter>(qps, burst, clock);
}

std::unique_ptr<RateLimiter> MakeMaxOfRateLimiter(std::unique_ptr<RateLimiter> a,
                                                  std::unique_ptr<RateLimiter> b) {
  if (!a || !b) {
    throw std::invalid_argument("max-of rate limiter: both limiters are required");
  }
  return std::make_unique<MaxOfRateLimiter>(std::move(a), std::move(b));
}

std::unique_ptr<RateLimiter> MakeDefaultControllerRateLimiter(Clock& clock) {
  return MakeMaxOfRateLimiter(
      MakeExponentialRateLimiter(std::chrono::milliseconds(5), std::chrono::seconds(1000)),
      MakeBucketRateLimiter(10.0, 100, clock));
}

}  // namespace spyt::runtime

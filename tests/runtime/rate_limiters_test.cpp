#include <doctest/doctest.h>

#include <stdexcept>

#include "fakes/fake_clock.h"
#include "runtime/workqueue.h"

namespace spyt::runtime {
namespace {

using namespace std::chrono_literals;
using fakes::FakeClock;

}  // namespace

TEST_SUITE("workqueue") {
  TEST_CASE("exponential backoff doubles from the base with each failure of a key") {
    auto limiter = MakeExponentialRateLimiter(5ms, 1000s);
    CHECK(limiter->When("a") == 5ms);
    CHECK(limiter->When("a") == 10ms);
    CHECK(limiter->When("a") == 20ms);
    CHECK(limiter->When("a") == 40ms);
    CHECK(limiter->NumRequeues("a") == 4);
  }

  TEST_CASE("exponential backoff stops growing at the max, however many failures") {
    auto limiter = MakeExponentialRateLimiter(5ms, 1000s);
    for (int i = 0; i < 18; ++i) {
      CHECK(limiter->When("a") < 1000s);
    }
    CHECK(limiter->When("a") == 1000s);  // 5 ms * 2^18 = 1310 s
    for (int i = 0; i < 100; ++i) {
      limiter->When("a");
    }
    CHECK(limiter->When("a") == 1000s);
  }

  TEST_CASE("exponential backoff counts each key on its own") {
    auto limiter = MakeExponentialRateLimiter(5ms, 1000s);
    limiter->When("a");
    limiter->When("a");
    CHECK(limiter->When("b") == 5ms);
    CHECK(limiter->NumRequeues("a") == 2);
  }

  TEST_CASE("Forget starts a key's backoff again from the base") {
    auto limiter = MakeExponentialRateLimiter(5ms, 1000s);
    limiter->When("a");
    limiter->When("a");
    limiter->Forget("a");
    CHECK(limiter->NumRequeues("a") == 0);
    CHECK(limiter->When("a") == 5ms);
  }

  TEST_CASE("the bucket lets a burst through, then spaces callers 1/qps apart") {
    FakeClock clock;
    auto limiter = MakeBucketRateLimiter(10, 3, clock);
    CHECK(limiter->When("a") == 0ms);
    CHECK(limiter->When("b") == 0ms);
    CHECK(limiter->When("c") == 0ms);
    CHECK(limiter->When("d") == 100ms);
    CHECK(limiter->When("e") == 200ms);
  }

  TEST_CASE("the bucket refills with time, but never beyond the burst") {
    FakeClock clock;
    auto limiter = MakeBucketRateLimiter(10, 2, clock);
    limiter->When("a");
    limiter->When("a");
    clock.Advance(100ms);
    CHECK(limiter->When("a") == 0ms);
    CHECK(limiter->When("a") == 100ms);
    clock.Advance(1h);
    CHECK(limiter->When("a") == 0ms);
    CHECK(limiter->When("a") == 0ms);
    CHECK(limiter->When("a") == 100ms);
  }

  TEST_CASE("the bucket keeps no per-key state") {
    FakeClock clock;
    auto limiter = MakeBucketRateLimiter(10, 1, clock);
    limiter->When("a");
    limiter->Forget("a");
    CHECK(limiter->NumRequeues("a") == 0);
    CHECK(limiter->When("a") == 100ms);
  }

  TEST_CASE("max-of waits for the longer of its two limiters") {
    FakeClock clock;
    auto limiter = MakeMaxOfRateLimiter(MakeExponentialRateLimiter(5ms, 1000s),
                                        MakeBucketRateLimiter(1, 1, clock));
    CHECK(limiter->When("a") == 5ms);  // bucket: 0
    CHECK(limiter->When("a") == 1s);   // exponential: 10 ms
    CHECK(limiter->NumRequeues("a") == 2);
    limiter->Forget("a");
    CHECK(limiter->NumRequeues("a") == 0);
  }

  TEST_CASE("the default controller limiter backs off per key and throttles overall") {
    FakeClock clock;
    auto limiter = MakeDefaultControllerRateLimiter(clock);
    CHECK(limiter->When("first") == 5ms);
    CHECK(limiter->When("first") == 10ms);
    for (int i = 0; i < 98; ++i) {
      CHECK(limiter->When("key-" + std::to_string(i)) == 5ms);
    }
    CHECK(limiter->When("one-too-many") == 100ms);  // 101st token at 10 qps
  }

  TEST_CASE("limiter factories reject settings that cannot work") {
    FakeClock clock;
    CHECK_THROWS_AS(MakeExponentialRateLimiter(0ms, 1s), std::invalid_argument);
    CHECK_THROWS_AS(MakeExponentialRateLimiter(2s, 1s), std::invalid_argument);
    CHECK_THROWS_AS(MakeBucketRateLimiter(0, 10, clock), std::invalid_argument);
    CHECK_THROWS_AS(MakeBucketRateLimiter(10, 0, clock), std::invalid_argument);
    CHECK_THROWS_AS(MakeMaxOfRateLimiter(nullptr, MakeBucketRateLimiter(1, 1, clock)),
                    std::invalid_argument);
  }
}

}  // namespace spyt::runtime

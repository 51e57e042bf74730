#include "kube/token_bucket.h"

#include <doctest/doctest.h>

#include "fakes/sleep_recording_clock.h"

namespace spyt::kube {
namespace {

using std::chrono::milliseconds;

}  // namespace

TEST_SUITE("kube.token_bucket") {
  TEST_CASE("a full bucket lets a burst through without waiting") {
    fakes::SleepRecordingClock time;
    TokenBucket bucket(10, 5, time);
    for (int i = 0; i < 5; ++i) {
      bucket.Acquire();
    }
    CHECK(time.sleeps().empty());
  }

  TEST_CASE("past the burst each request waits one refill interval more") {
    fakes::SleepRecordingClock time;
    TokenBucket bucket(10, 2, time);
    CHECK(bucket.Reserve() == milliseconds(0));
    CHECK(bucket.Reserve() == milliseconds(0));
    CHECK(bucket.Reserve() == milliseconds(100));
    CHECK(bucket.Reserve() == milliseconds(200));
    CHECK(bucket.Reserve() == milliseconds(300));
  }

  TEST_CASE("sustained callers are spaced at exactly qps") {
    fakes::SleepRecordingClock time;
    TokenBucket bucket(20, 1, time);
    auto start = time.Now();
    for (int i = 0; i < 21; ++i) {
      bucket.Acquire();
    }
    CHECK(time.Now() - start == milliseconds(1000));
  }

  TEST_CASE("idle time refills the bucket up to the burst and no further") {
    fakes::SleepRecordingClock time;
    TokenBucket bucket(10, 3, time);
    for (int i = 0; i < 3; ++i) {
      bucket.Reserve();
    }
    time.Advance(std::chrono::seconds(60));
    for (int i = 0; i < 3; ++i) {
      CHECK(bucket.Reserve() == milliseconds(0));
    }
    CHECK(bucket.Reserve() == milliseconds(100));
  }

  TEST_CASE("partial refills count toward the next token") {
    fakes::SleepRecordingClock time;
    TokenBucket bucket(4, 1, time);
    bucket.Reserve();
    time.Advance(milliseconds(150));
    CHECK(bucket.Reserve() == milliseconds(100));
  }

  TEST_CASE("qps of zero disables limiting") {
    fakes::SleepRecordingClock time;
    TokenBucket bucket(0, 1, time);
    CHECK(bucket.unlimited());
    for (int i = 0; i < 1000; ++i) {
      bucket.Acquire();
    }
    CHECK(time.sleeps().empty());
  }
}

}  // namespace spyt::kube

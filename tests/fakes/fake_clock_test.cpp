#include "fakes/fake_clock.h"

#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace spyt::fakes {
namespace {

using namespace std::chrono_literals;

// A thread parked in clock.WaitUntil until `deadline` or until `ready` is set.
struct Sleeper {
  explicit Sleeper(FakeClock& clock, Clock::Duration timeout) {
    result = std::async(std::launch::async, [this, &clock, timeout] {
      std::unique_lock lock(mutex);
      return clock.WaitUntil(cv, lock, clock.Now() + timeout, [this] { return ready; });
    });
  }
  void Wake() {
    std::lock_guard lock(mutex);
    ready = true;
    cv.notify_all();
  }
  bool Finished() { return result.wait_for(0s) == std::future_status::ready; }

  std::mutex mutex;
  std::condition_variable cv;
  bool ready = false;
  std::future<bool> result;
};

}  // namespace

TEST_SUITE("fake_clock") {
  TEST_CASE("Advance moves monotonic and wall time together") {
    FakeClock clock;
    auto now = clock.Now();
    auto wall = clock.WallNow();
    clock.Advance(90s);
    CHECK(clock.Now() - now == 90s);
    CHECK(clock.WallNow() - wall == 90s);
  }

  TEST_CASE("wall time starts on 2026-01-01 unless given") {
    CHECK(FormatRfc3339(FakeClock().WallNow()) == "2026-01-01T00:00:00Z");
    FakeClock clock(ParseRfc3339("2030-05-06T07:08:09Z"));
    CHECK(FormatRfc3339(clock.WallNow()) == "2030-05-06T07:08:09Z");
  }

  TEST_CASE("SetTime moves only the wall clock") {
    FakeClock clock;
    auto now = clock.Now();
    clock.SetTime(clock.WallNow() - 1h);
    CHECK(clock.Now() == now);
    CHECK(FormatRfc3339(clock.WallNow()) == "2025-12-31T23:00:00Z");
  }

  TEST_CASE("time cannot be advanced backwards") {
    FakeClock clock;
    CHECK_THROWS_AS(clock.Advance(-1s), std::invalid_argument);
  }

  TEST_CASE("a waiter sleeps until the clock reaches its deadline") {
    FakeClock clock;
    Sleeper sleeper(clock, 5s);
    REQUIRE(clock.WaitForBlockedWaiters(1));
    clock.Advance(4s);
    REQUIRE(clock.WaitForBlockedWaiters(1));
    CHECK_FALSE(sleeper.Finished());
    clock.Advance(1s);
    CHECK_FALSE(sleeper.result.get());
    CHECK(clock.BlockedWaiters() == 0);
  }

  TEST_CASE("a waiter returns true when its predicate turns true, without time moving") {
    FakeClock clock;
    Sleeper sleeper(clock, 1h);
    REQUIRE(clock.WaitForBlockedWaiters(1));
    sleeper.Wake();
    CHECK(sleeper.result.get());
  }

  TEST_CASE("a waiter whose deadline has passed is not counted as blocked") {
    FakeClock clock;
    std::mutex mutex;
    std::condition_variable cv;
    std::unique_lock lock(mutex);
    CHECK_FALSE(clock.WaitUntil(cv, lock, clock.Now(), [] { return false; }));
    CHECK(clock.BlockedWaiters() == 0);
  }

  TEST_CASE("WaitForBlockedWaiters gives up after its real-time timeout") {
    FakeClock clock;
    CHECK_FALSE(clock.WaitForBlockedWaiters(1, 10ms));
  }

  TEST_CASE("many threads advancing at once wake every waiter") {
    FakeClock clock;
    Sleeper a(clock, 10s);
    Sleeper b(clock, 20s);
    REQUIRE(clock.WaitForBlockedWaiters(2));
    std::vector<std::thread> advancers;
    for (int i = 0; i < 4; ++i) {
      advancers.emplace_back([&clock] { clock.Advance(5s); });
    }
    for (auto& t : advancers) {
      t.join();
    }
    CHECK_FALSE(a.result.get());
    CHECK_FALSE(b.result.get());
  }

  // Waiters whose deadline passes leave while other Advance() calls are still
  // waking them; under a sanitizer, a waiter taken up again after it left (and its
  // list entry freed) is a use after free. Bounded: 3 x 300 waits, 2 advancers.
  TEST_CASE("waiters that leave while several threads advance are not touched after") {
    FakeClock clock;
    std::atomic<int> running{3};
    std::vector<std::thread> waiters;
    for (int i = 0; i < 3; ++i) {
      waiters.emplace_back([&clock, &running] {
        std::mutex mutex;
        std::condition_variable cv;
        for (int round = 0; round < 300; ++round) {
          std::unique_lock lock(mutex);
          clock.WaitUntil(cv, lock, clock.Now() + 1s, [] { return false; });
        }
        --running;
      });
    }
    std::vector<std::thread> advancers;
    for (int i = 0; i < 2; ++i) {
      advancers.emplace_back([&clock, &running] {
        for (int n = 0; n < 1'000'000 && running > 0; ++n) {
          clock.Advance(1s);
        }
      });
    }
    for (auto& t : waiters) {
      t.join();
    }
    for (auto& t : advancers) {
      t.join();
    }
    CHECK(running == 0);
    CHECK(clock.BlockedWaiters() == 0);
  }
}

}  // namespace spyt::fakes

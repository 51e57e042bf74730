#include "runtime/workqueue.h"

#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "fakes/fake_clock.h"
#include "fakes/recording_queue_metrics.h"

namespace spyt::runtime {
namespace {

using namespace std::chrono_literals;
using fakes::FakeClock;
using fakes::RecordingQueueMetrics;

// A queue on a fake clock with client-go's per-key exponential backoff.
struct QueueFixture {
  explicit QueueFixture(QueueMetrics* metrics = nullptr)
      : queue(MakeExponentialRateLimiter(5ms, 1000s), clock, metrics) {}

  // Advances, then lets the timer thread finish moving keys that were due by then
  // (it parks on the clock again after). Sound for "nothing was due" checks.
  void AdvanceAndSettle(Clock::Duration d) {
    clock.Advance(d);
    REQUIRE(clock.WaitForBlockedWaiters(1));
  }

  FakeClock clock;
  WorkQueue queue;
};

bool Blocks(std::future<std::optional<std::string>>& f) {
  return f.wait_for(20ms) == std::future_status::timeout;
}

}  // namespace

TEST_SUITE("workqueue") {
  TEST_CASE("a key added twice before Get is handed out once") {
    QueueFixture f;
    f.queue.Add("ns/a");
    f.queue.Add("ns/a");
    CHECK(f.queue.Len() == 1);
    CHECK(f.queue.Get() == "ns/a");
    CHECK(f.queue.Len() == 0);
  }

  TEST_CASE("keys are handed out in the order they were added") {
    QueueFixture f;
    for (const char* key : {"c", "a", "b"}) {
      f.queue.Add(key);
    }
    CHECK(f.queue.Get() == "c");
    CHECK(f.queue.Get() == "a");
    CHECK(f.queue.Get() == "b");
  }

  TEST_CASE("a key added while it is processed is queued again only after Done") {
    QueueFixture f;
    f.queue.Add("a");
    REQUIRE(f.queue.Get() == "a");
    f.queue.Add("a");
    CHECK(f.queue.Len() == 0);
    f.queue.Done("a");
    CHECK(f.queue.Len() == 1);
    CHECK(f.queue.Get() == "a");
  }

  TEST_CASE("a key being processed is not handed to a second worker") {
    QueueFixture f;
    f.queue.Add("a");
    REQUIRE(f.queue.Get() == "a");
    f.queue.Add("a");
    auto second = std::async(std::launch::async, [&] { return f.queue.Get(); });
    CHECK(Blocks(second));
    f.queue.Done("a");
    CHECK(second.get() == "a");
  }

  TEST_CASE("concurrent workers never hold the same key and process every last add") {
    QueueFixture f;
    std::mutex mutex;
    std::set<std::string> in_flight;
    std::map<std::string, int> last_added;  // sequence numbers under `mutex`
    std::map<std::string, int> last_started;
    int sequence = 0;
    std::atomic<bool> overlap{false};

    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w) {
      workers.emplace_back([&] {
        while (auto key = f.queue.Get()) {
          {
            std::lock_guard lock(mutex);
            overlap = overlap || !in_flight.insert(*key).second;
            last_started[*key] = ++sequence;
          }
          std::this_thread::yield();
          {
            std::lock_guard lock(mutex);
            in_flight.erase(*key);
          }
          f.queue.Done(*key);
        }
      });
    }
    std::vector<std::thread> producers;
    for (int p = 0; p < 3; ++p) {
      producers.emplace_back([&, p] {
        for (int i = 0; i < 2000; ++i) {
          std::string key = "key-" + std::to_string((i * 7 + p) % 5);
          std::lock_guard lock(mutex);
          f.queue.Add(key);
          last_added[key] = ++sequence;
        }
      });
    }
    for (auto& t : producers) {
      t.join();
    }
    f.queue.ShutDown(/*drain=*/true);
    for (auto& t : workers) {
      t.join();
    }
    CHECK_FALSE(overlap.load());
    for (const auto& [key, added] : last_added) {
      CAPTURE(key);
      CHECK(last_started[key] > added);
    }
  }

  TEST_CASE("delayed keys come out when their time comes, earliest first") {
    QueueFixture f;
    f.queue.AddAfter("late", 2s);
    f.queue.AddAfter("early", 1s);
    f.AdvanceAndSettle(999ms);
    CHECK(f.queue.Len() == 0);
    f.clock.Advance(1ms);
    CHECK(f.queue.Get() == "early");
    CHECK(f.queue.Len() == 0);
    f.clock.Advance(1s);
    CHECK(f.queue.Get() == "late");
  }

  TEST_CASE("delayed keys due at the same time keep the order they were added in") {
    QueueFixture f;
    f.queue.AddAfter("b", 1s);
    f.queue.AddAfter("a", 1s);
    f.clock.Advance(1s);
    CHECK(f.queue.Get() == "b");
    CHECK(f.queue.Get() == "a");
  }

  TEST_CASE("a key already waiting keeps its earliest due time") {
    QueueFixture f;
    f.queue.AddAfter("a", 5s);
    f.queue.AddAfter("a", 1s);
    f.queue.AddAfter("a", 10s);
    f.clock.Advance(1s);
    REQUIRE(f.queue.Get() == "a");
    f.queue.Done("a");
    f.AdvanceAndSettle(10s);
    CHECK(f.queue.Len() == 0);
  }

  TEST_CASE("AddAfter without a delay adds at once") {
    QueueFixture f;
    f.queue.AddAfter("a", 0s);
    CHECK(f.queue.Len() == 1);
  }

  TEST_CASE("AddRateLimited waits out the limiter's backoff for the key") {
    QueueFixture f;
    f.queue.AddRateLimited("a");
    CHECK(f.queue.NumRequeues("a") == 1);
    f.AdvanceAndSettle(4ms);
    CHECK(f.queue.Len() == 0);
    f.clock.Advance(1ms);
    CHECK(f.queue.Get() == "a");
  }

  TEST_CASE("Forget resets the key's backoff") {
    QueueFixture f;
    f.queue.AddRateLimited("a");
    f.queue.AddRateLimited("a");
    REQUIRE(f.queue.NumRequeues("a") == 2);
    f.queue.Forget("a");
    CHECK(f.queue.NumRequeues("a") == 0);
  }

  TEST_CASE("ShutDown wakes a blocked Get, which returns nothing") {
    QueueFixture f;
    auto waiting = std::async(std::launch::async, [&] { return f.queue.Get(); });
    CHECK(Blocks(waiting));
    f.queue.ShutDown();
    CHECK(waiting.get() == std::nullopt);
    CHECK(f.queue.ShuttingDown());
  }

  TEST_CASE("ShutDown without drain makes Get return nothing though keys are queued") {
    QueueFixture f;
    f.queue.Add("a");
    f.queue.ShutDown(/*drain=*/false);
    CHECK(f.queue.Get() == std::nullopt);
  }

  TEST_CASE("ShutDown with drain hands out the queued keys, then nothing") {
    QueueFixture f;
    f.queue.Add("a");
    f.queue.Add("b");
    f.queue.ShutDown(/*drain=*/true);
    CHECK(f.queue.Get() == "a");
    CHECK(f.queue.Get() == "b");
    CHECK(f.queue.Get() == std::nullopt);
  }

  TEST_CASE("a second ShutDown without drain stops a draining queue at once") {
    QueueFixture f;
    f.queue.Add("a");
    f.queue.ShutDown(/*drain=*/true);
    f.queue.ShutDown(/*drain=*/false);
    CHECK(f.queue.Get() == std::nullopt);
  }

  TEST_CASE("adds after ShutDown are ignored") {
    QueueFixture f;
    f.queue.ShutDown(/*drain=*/true);
    f.queue.Add("a");
    f.queue.AddAfter("b", 1s);
    f.queue.AddRateLimited("c");
    CHECK(f.queue.Len() == 0);
    CHECK(f.queue.NumRequeues("c") == 0);
  }

  TEST_CASE("ShutDown drops delayed adds that are not yet due") {
    QueueFixture f;
    f.queue.AddAfter("a", 1s);
    f.queue.ShutDown(/*drain=*/true);
    f.clock.Advance(1s);
    CHECK(f.queue.Get() == std::nullopt);
  }

  TEST_CASE("Unfinished sums the processing time of keys and names the longest") {
    QueueFixture f;
    f.queue.Add("a");
    f.queue.Add("b");
    REQUIRE(f.queue.Get() == "a");
    f.clock.Advance(2s);
    REQUIRE(f.queue.Get() == "b");
    f.clock.Advance(1s);
    auto [total, longest] = f.queue.Unfinished();
    CHECK(total == doctest::Approx(4.0));
    CHECK(longest == doctest::Approx(3.0));
  }

  TEST_CASE("metrics count each accepted add and follow the depth") {
    RecordingQueueMetrics metrics;
    QueueFixture f(&metrics);
    f.queue.Add("a");
    f.queue.Add("a");
    f.queue.Add("b");
    CHECK(metrics.Get().adds == 2);
    CHECK(metrics.Get().depth == 2);
    REQUIRE(f.queue.Get() == "a");
    CHECK(metrics.Get().depth == 1);
    CHECK(metrics.Get().depths == std::vector<std::int64_t>{1, 2, 1});
  }

  TEST_CASE("metrics observe queue latency and work duration on the queue's clock") {
    RecordingQueueMetrics metrics;
    QueueFixture f(&metrics);
    f.queue.Add("a");
    f.clock.Advance(3s);
    REQUIRE(f.queue.Get() == "a");
    f.clock.Advance(2s);
    f.queue.Done("a");
    CHECK(metrics.Get().queue_latencies == std::vector<double>{3.0});
    CHECK(metrics.Get().work_durations == std::vector<double>{2.0});
  }

  TEST_CASE("metrics count a retry for each AddRateLimited and an add when it is due") {
    RecordingQueueMetrics metrics;
    QueueFixture f(&metrics);
    f.queue.AddRateLimited("a");
    CHECK(metrics.Get().retries == 1);
    CHECK(metrics.Get().adds == 0);
    f.clock.Advance(5ms);
    REQUIRE(f.queue.Get() == "a");
    REQUIRE(f.clock.WaitForBlockedWaiters(1));  // the timer thread has reported its add
    CHECK(metrics.Get().adds == 1);
    CHECK(metrics.Get().depth == 0);
  }
}

}  // namespace spyt::runtime

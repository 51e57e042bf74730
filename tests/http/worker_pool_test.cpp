#include "http/worker_pool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace spyt::http {

TEST_SUITE("http.worker_pool") {
  TEST_CASE("blocked jobs get a thread each, up to the limit, and the rest wait their turn") {
    WorkerPool pool(3);
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    std::atomic<int> started{0};
    std::atomic<int> finished{0};
    for (int i = 0; i < 5; ++i) {
      pool.Post([&] {
        ++started;
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return release; });
        ++finished;
      });
    }
    for (int i = 0; i < 500 && started < 3; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    CHECK(pool.threads() == 3);
    CHECK(started == 3);
    {
      std::lock_guard<std::mutex> lock(mu);
      release = true;
    }
    cv.notify_all();
    pool.Stop();
    CHECK(finished == 5);
    CHECK(pool.threads() == 0);
  }

  TEST_CASE("a job posted after Stop is dropped") {
    WorkerPool pool(2);
    pool.Stop();
    bool ran = false;
    pool.Post([&] { ran = true; });
    CHECK_FALSE(ran);
    CHECK(pool.threads() == 0);
  }
}

}  // namespace spyt::http

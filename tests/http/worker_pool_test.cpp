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

  TEST_CASE("threads idle for the idle time leave, down to the kept one, and new jobs still run") {
    WorkerPool pool(4, std::chrono::milliseconds(50), 1);
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    std::atomic<int> started{0};
    for (int i = 0; i < 4; ++i) {
      pool.Post([&] {
        ++started;
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return release; });
      });
    }
    for (int i = 0; i < 500 && started < 4; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    CHECK(pool.threads() == 4);
    {
      std::lock_guard<std::mutex> lock(mu);
      release = true;
    }
    cv.notify_all();
    for (int i = 0; i < 500 && pool.threads() > 1; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(pool.threads() == 1);
    std::atomic<int> ran{0};
    for (int i = 0; i < 3; ++i) {
      pool.Post([&] { ++ran; });
    }
    pool.Stop();
    CHECK(ran == 3);
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

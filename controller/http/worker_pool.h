#pragma once

// The threads that run the HTTP server's handlers: started on demand, one whenever a
// job is queued and none is idle, up to `max_threads`. A thread that has had nothing to
// do for `idle_exit` leaves, down to `keep_threads`: after a burst of load the pool
// shrinks back, so an idle server holds about as many threads as it needs at rest.
//
// Thread-safety: Post() from any thread; Stop() once, from a thread that is not one of
// the pool's. Stop() runs the jobs already queued, then joins every thread; Post()
// after Stop() drops the job.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace spyt::http {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t max_threads,
                      std::chrono::milliseconds idle_exit = std::chrono::seconds(60),
                      std::size_t keep_threads = 1)
      : max_threads_(max_threads), idle_exit_(idle_exit), keep_threads_(keep_threads) {}
  ~WorkerPool() { Stop(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Post(std::function<void()> job);
  void Stop();
  // Threads running or waiting for a job (not those that have left).
  std::size_t threads() const;

 private:
  void Run();
  // Joins the threads that have left (they are returning, or have returned).
  void JoinExited(std::unique_lock<std::mutex>& lock);

  const std::size_t max_threads_;
  const std::chrono::milliseconds idle_exit_;
  const std::size_t keep_threads_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::vector<std::thread> exited_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace spyt::http

#pragma once

// The threads that run the HTTP server's handlers: started on demand, one whenever a
// job is queued and none is idle, up to `max_threads`; they stay until Stop(). An idle
// server holds as many as it ever needed at once (the health server one).
//
// Thread-safety: Post() from any thread; Stop() once, from a thread that is not one of
// the pool's. Stop() runs the jobs already queued, then joins every thread; Post()
// after Stop() drops the job.

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
  explicit WorkerPool(std::size_t max_threads) : max_threads_(max_threads) {}
  ~WorkerPool() { Stop(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Post(std::function<void()> job);
  void Stop();
  std::size_t threads() const;

 private:
  void Run();

  const std::size_t max_threads_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace spyt::http

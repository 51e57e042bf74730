#pragma once

// Runnables started and stopped together, each on its own thread (a Manager's
// building block). Stop() requests a stop of every member and waits for them up
// to a deadline on the given clock; members late past it are left detached.
// Start() and Stop() from one thread (the manager's); Failed() from any.

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "runtime/runnable.h"

namespace spyt::runtime {

class RunnableGroup {
 public:
  RunnableGroup() = default;
  ~RunnableGroup();
  RunnableGroup(const RunnableGroup&) = delete;
  RunnableGroup& operator=(const RunnableGroup&) = delete;

  void Add(Runnable& runnable) { members_.push_back(&runnable); }
  bool empty() const { return members_.empty(); }

  // Runs every member on a thread of its own. Once.
  void Start();
  // Asks every member to stop, without waiting (safe under the caller's locks).
  void RequestStop() { stop_.request_stop(); }
  // RequestStop(), then waits until every member returned (true, threads joined)
  // or `deadline` passed on `clock` (false, threads detached).
  bool Stop(Clock& clock, Clock::TimePoint deadline);
  // The first exception a member's Run() threw, if any.
  std::exception_ptr Failed() const;

 private:
  // Shared with the threads, so a detached late thread never touches a dead group.
  struct Progress {
    std::mutex mutex;
    std::condition_variable cv;
    int running = 0;
    std::exception_ptr error;
  };

  std::vector<Runnable*> members_;
  std::stop_source stop_;
  std::shared_ptr<Progress> progress_ = std::make_shared<Progress>();
  std::vector<std::thread> threads_;
};

}  // namespace spyt::runtime

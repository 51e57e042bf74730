#include "runtime/runnable.h"

#include <condition_variable>
#include <mutex>

namespace spyt::runtime {
namespace {

class FunctionRunnable : public Runnable {
 public:
  FunctionRunnable(std::string name, bool leader, std::function<void(std::stop_token)> run)
      : name_(std::move(name)), leader_(leader), run_(std::move(run)) {}
  std::string Name() const override { return name_; }
  bool NeedsLeaderElection() const override { return leader_; }
  void Run(std::stop_token stop) override { run_(std::move(stop)); }

 private:
  std::string name_;
  bool leader_;
  std::function<void(std::stop_token)> run_;
};

}  // namespace

std::unique_ptr<Runnable> MakeRunnable(std::string name, bool needs_leader_election,
                                       std::function<void(std::stop_token)> run) {
  return std::make_unique<FunctionRunnable>(std::move(name), needs_leader_election, std::move(run));
}

bool SleepUntil(Clock& clock, const std::stop_token& stop, Clock::TimePoint deadline) {
  std::mutex mutex;
  std::condition_variable cv;
  // Taking the mutex before notifying means the wake-up cannot fall between the
  // waiter's check of the predicate and its wait.
  std::stop_callback wake(stop, [&] {
    std::lock_guard lock(mutex);
    cv.notify_all();
  });
  std::unique_lock lock(mutex);
  return clock.WaitUntil(cv, lock, deadline, [&] { return stop.stop_requested(); });
}

void WaitForStopRequest(const std::stop_token& stop) {
  std::mutex mutex;
  std::condition_variable_any cv;
  std::unique_lock lock(mutex);
  cv.wait(lock, stop, [] { return false; });
}

}  // namespace spyt::runtime

#include "runtime/runnable_group.h"

#include "common/log.h"

namespace spyt::runtime {

RunnableGroup::~RunnableGroup() {
  stop_.request_stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void RunnableGroup::Start() {
  for (Runnable* r : members_) {
    {
      std::lock_guard lock(progress_->mutex);
      ++progress_->running;
    }
    threads_.emplace_back([r, token = stop_.get_token(), progress = progress_] {
      std::exception_ptr error;
      try {
        r->Run(token);
      } catch (const std::exception& e) {
        log::Error("runnable failed", {{"runnable", r->Name()}, {"error", e.what()}});
        error = std::current_exception();
      } catch (...) {
        log::Error("runnable failed", {{"runnable", r->Name()}});
        error = std::current_exception();
      }
      std::lock_guard lock(progress->mutex);
      if (error && !progress->error) progress->error = error;
      --progress->running;
      progress->cv.notify_all();
    });
  }
}

bool RunnableGroup::Stop(Clock& clock, Clock::TimePoint deadline) {
  stop_.request_stop();
  bool stopped;
  {
    std::unique_lock lock(progress_->mutex);
    stopped =
        clock.WaitUntil(progress_->cv, lock, deadline, [this] { return progress_->running == 0; });
  }
  for (auto& t : threads_) {
    if (stopped) {
      t.join();
    } else {
      t.detach();
    }
  }
  threads_.clear();
  return stopped;
}

std::exception_ptr RunnableGroup::Failed() const {
  std::lock_guard lock(progress_->mutex);
  return progress_->error;
}

}  // namespace spyt::runtime

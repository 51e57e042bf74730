#include "http/worker_pool.h"

#include <algorithm>
#include <utility>

namespace spyt::http {

void WorkerPool::Post(std::function<void()> job) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) {
    return;
  }
  JoinExited(lock);
  jobs_.push_back(std::move(job));
  if (idle_ < jobs_.size() && threads_.size() < max_threads_) {
    threads_.emplace_back([this] { Run(); });
  } else {
    ready_.notify_one();
  }
}

void WorkerPool::Stop() {
  std::vector<std::thread> threads;
  {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
    JoinExited(lock);
  }
  ready_.notify_all();
  for (auto& t : threads) {
    t.join();
  }
}

std::size_t WorkerPool::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_.size();
}

void WorkerPool::JoinExited(std::unique_lock<std::mutex>& lock) {
  if (exited_.empty()) {
    return;
  }
  std::vector<std::thread> exited;
  exited.swap(exited_);
  lock.unlock();  // an exiting thread may still need mu_ to return
  for (auto& t : exited) {
    t.join();
  }
  lock.lock();
}

void WorkerPool::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    ++idle_;
    const bool woken =
        ready_.wait_for(lock, idle_exit_, [this] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (!woken && threads_.size() > keep_threads_) {
      // Nothing to do for idle_exit_: leave. The handle moves to exited_ so that the
      // next Post() or Stop() joins it (a thread cannot join itself).
      auto self = std::find_if(threads_.begin(), threads_.end(), [](const std::thread& t) {
        return t.get_id() == std::this_thread::get_id();
      });
      if (self != threads_.end()) {
        exited_.push_back(std::move(*self));
        threads_.erase(self);
        return;
      }
    }
    if (jobs_.empty()) {
      if (stopping_) {
        return;  // nothing left to run
      }
      continue;  // timed out, but this one stays
    }
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

}  // namespace spyt::http

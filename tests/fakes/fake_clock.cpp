#include "fakes/fake_clock.h"

#include <stdexcept>
#include <vector>

namespace spyt::fakes {

namespace {

FakeClock::WallTime DefaultWallTime() {
  using namespace std::chrono;
  return sys_days{year{2026} / January / 1};
}

}  // namespace

FakeClock::FakeClock() : FakeClock(DefaultWallTime()) {}

FakeClock::FakeClock(WallTime wall)
    : now_(TimePoint{} + std::chrono::hours(24 * 365)), wall_(wall) {}

Clock::TimePoint FakeClock::Now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

FakeClock::WallTime FakeClock::WallNow() const {
  std::lock_guard lock(mutex_);
  return wall_;
}

bool FakeClock::WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          TimePoint deadline, const std::function<bool()>& pred) {
  std::unique_lock guard(mutex_);
  auto self = waiters_.insert(waiters_.end(), Waiter{lock.mutex(), &cv, deadline});
  guard.unlock();

  // Leaves the waiter list once no Advance() is about to touch our mutex or cv
  // (they may be destroyed after we return). Waiting for that needs the caller's
  // lock released, so returns false if it had to release it. Once leaving, the
  // waiter is skipped by WakeAll: otherwise an Advance() in the window where both
  // locks are released could take it up again and use it after the erase.
  auto unregister = [&]() -> bool {
    guard.lock();
    self->leaving = true;
    bool kept_lock = true;
    if (self->notifiers > 0) {
      lock.unlock();
      changed_.wait(guard, [&] { return self->notifiers == 0; });
      guard.unlock();
      lock.lock();
      guard.lock();
      kept_lock = false;
    }
    waiters_.erase(self);
    changed_.notify_all();
    guard.unlock();
    return kept_lock;
  };

  try {
    for (;;) {
      bool result = false;
      for (;;) {
        if (pred()) {
          result = true;
          break;
        }
        guard.lock();
        if (now_ >= deadline) {
          guard.unlock();
          break;
        }
        self->parked = true;
        changed_.notify_all();
        guard.unlock();
        cv.wait(lock);
        guard.lock();
        self->parked = false;
        guard.unlock();
      }
      if (unregister()) {
        return result;
      }
      // The caller's lock was released meanwhile, so the state may have changed:
      // wait again as a new registration.
      guard.lock();
      self = waiters_.insert(waiters_.end(), Waiter{lock.mutex(), &cv, deadline});
      guard.unlock();
    }
  } catch (...) {
    unregister();
    throw;
  }
}

void FakeClock::Advance(Duration d) {
  if (d < Duration::zero()) {
    throw std::invalid_argument("FakeClock::Advance: time cannot go backwards");
  }
  {
    std::lock_guard lock(mutex_);
    now_ += d;
    wall_ += std::chrono::duration_cast<WallTime::duration>(d);
  }
  WakeAll();
}

void FakeClock::SetTime(WallTime wall) {
  {
    std::lock_guard lock(mutex_);
    wall_ = wall;
  }
  WakeAll();
}

void FakeClock::WakeAll() {
  std::vector<Waiter*> targets;
  {
    std::lock_guard lock(mutex_);
    for (auto& w : waiters_) {
      if (w.leaving) {
        continue;  // awake already, and about to be erased
      }
      // About to be woken: not blocked until it has re-checked and parked again.
      w.parked = false;
      ++w.notifiers;
      targets.push_back(&w);
    }
  }
  // Taking the waiter's mutex before notifying closes the gap between its
  // deadline check and its cv.wait, so no wake-up is lost.
  for (Waiter* w : targets) {
    std::lock_guard lock(*w->mutex);
    w->cv->notify_all();
  }
  std::lock_guard lock(mutex_);
  for (Waiter* w : targets) {
    --w->notifiers;
  }
  changed_.notify_all();
}

int FakeClock::BlockedLocked() const {
  int n = 0;
  for (const auto& w : waiters_) {
    if (w.parked && w.deadline > now_) {
      ++n;
    }
  }
  return n;
}

int FakeClock::BlockedWaiters() const {
  std::lock_guard lock(mutex_);
  return BlockedLocked();
}

bool FakeClock::WaitForBlockedWaiters(int n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return BlockedLocked() >= n; });
}

}  // namespace spyt::fakes

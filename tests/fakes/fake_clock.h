#pragma once

// A manually driven Clock for tests. Time moves only through Advance()
// (monotonic and wall time together) or SetTime() (wall time only, to simulate
// skew). WaitUntil() blocks on the caller's condition variable like the real
// clock; Advance() wakes every waiter, which re-checks its predicate and deadline.
//
// To step code that sleeps on the clock without real sleeps, wait until the
// threads under test are parked on it (WaitForBlockedWaiters), then Advance:
//
//   elector_thread = std::thread([&] { elector.Run(); });
//   REQUIRE(clock.WaitForBlockedWaiters(2));   // Run loop and watchdog asleep
//   clock.Advance(2s);                          // wakes them; they run one round
//   REQUIRE(clock.WaitForBlockedWaiters(2));   // ...and are asleep again
//
// Thread-safe. Advance() and SetTime() must not be called while holding a mutex
// that a waiter passed to WaitUntil (it locks those mutexes to wake the waiters).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <mutex>

#include "common/clock.h"

namespace spyt::fakes {

class FakeClock : public Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;

  // Starts at 2026-01-01T00:00:00Z wall time; monotonic time starts at an
  // arbitrary point well after the steady clock's epoch.
  FakeClock();
  explicit FakeClock(WallTime wall);

  TimePoint Now() const override;
  WallTime WallNow() const override;
  bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline, const std::function<bool()>& pred) override;

  // Moves both clocks forward (a negative duration throws std::invalid_argument)
  // and wakes every waiter.
  void Advance(Duration d);
  // Sets the wall clock only (it may go backwards, as a real one can); monotonic
  // time is unchanged. Wakes waiters so they re-check.
  void SetTime(WallTime wall);

  // Threads inside WaitUntil that are parked: their predicate was false and
  // their deadline still ahead when they last looked, and no Advance/SetTime
  // has happened since (a waiter woken by one counts again only once it has
  // re-checked and parked again). So "Advance, then WaitForBlockedWaiters(n)"
  // returns once all n threads have seen the new time and acted on it. A notify
  // of the caller's own condition variable is not seen by the clock.
  int BlockedWaiters() const;
  // Waits (in real time, up to `timeout`) until BlockedWaiters() >= n; false on timeout.
  bool WaitForBlockedWaiters(int n, std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  struct Waiter {
    std::mutex* mutex;
    std::condition_variable* cv;
    TimePoint deadline;
    bool parked = false;   // inside cv.wait
    int notifiers = 0;     // Advance() calls about to lock `mutex`
    bool leaving = false;  // in unregister: no Advance() may take it up any more
  };

  void WakeAll();
  int BlockedLocked() const;

  mutable std::mutex mutex_;
  std::condition_variable changed_;  // waiter bookkeeping changed
  TimePoint now_;
  WallTime wall_;
  std::list<Waiter> waiters_;
};

}  // namespace spyt::fakes

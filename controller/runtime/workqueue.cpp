#include "runtime/workqueue.h"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <set>
#include <thread>
#include <tuple>

namespace spyt::runtime {
namespace {

using TimePoint = Clock::TimePoint;

double Seconds(Clock::Duration d) { return std::chrono::duration<double>(d).count(); }

// What one operation has to tell the metrics hook, gathered under the queue lock
// and reported after it is released.
struct MetricsBatch {
  int adds = 0;
  bool retried = false;
  std::optional<std::pair<std::uint64_t, std::int64_t>> depth;  // (sequence, depth)
  std::optional<double> queue_latency;
  std::optional<double> work_duration;

  bool Empty() const { return adds == 0 && !retried && !depth && !queue_latency && !work_duration; }
};

// How long the timer thread sleeps when nothing is delayed; it is woken early by
// any new delayed add, so this only bounds a real clock's idle wake-ups.
constexpr auto kIdleWait = std::chrono::hours(1);

}  // namespace

struct WorkQueue::State {
  State(std::unique_ptr<RateLimiter> l, Clock& c, QueueMetrics* m)
      : limiter(std::move(l)), clock(c), metrics(m) {}

  std::unique_ptr<RateLimiter> limiter;
  Clock& clock;
  QueueMetrics* metrics;

  mutable std::mutex mutex;
  std::condition_variable ready_cv;             // Get() waits here
  std::condition_variable timer_cv;             // the timer thread waits here
  std::deque<std::string> queue;                // ready keys, in order
  std::set<std::string> dirty;                  // keys that need processing (queued or re-added)
  std::map<std::string, TimePoint> processing;  // key -> when Get() handed it out
  std::map<std::string, TimePoint> added_at;    // key -> when it became dirty

  // Delayed adds: each key's earliest due time, and the same ordered by due time
  // (then by insertion, so equal due times keep their order).
  struct Waiting {
    TimePoint due;
    std::uint64_t seq;
  };
  std::map<std::string, Waiting> waiting;
  std::set<std::tuple<TimePoint, std::uint64_t, std::string>> by_due;
  std::uint64_t next_seq = 0;
  std::uint64_t timer_generation = 0;  // bumped when the earliest due time moves earlier

  bool shutting_down = false;
  bool drain = false;
  bool join_claimed = false;
  std::thread timer;

  // Depth reports may be made by several threads after they drop the lock; a
  // sequence number keeps an older depth from overwriting a newer one.
  std::uint64_t depth_seq = 0;
  std::mutex metrics_mutex;
  std::uint64_t reported_depth_seq = 0;

  void RecordDepth(MetricsBatch& batch) {
    batch.depth = {++depth_seq, static_cast<std::int64_t>(queue.size())};
  }

  // Marks `key` dirty and queues it unless it is being processed. Lock held.
  void AddLocked(const std::string& key, TimePoint now, MetricsBatch& batch) {
    if (shutting_down || dirty.count(key) != 0) {
      return;
    }
    dirty.insert(key);
    added_at[key] = now;
    ++batch.adds;
    if (processing.count(key) != 0) {
      return;  // Done() queues it again
    }
    queue.push_back(key);
    RecordDepth(batch);
    ready_cv.notify_one();
  }

  void Report(const MetricsBatch& batch) {
    if (metrics == nullptr || batch.Empty()) {
      return;
    }
    std::lock_guard lock(metrics_mutex);
    for (int i = 0; i < batch.adds; ++i) {
      metrics->Added();
    }
    if (batch.retried) {
      metrics->Retried();
    }
    if (batch.depth && batch.depth->first > reported_depth_seq) {
      reported_depth_seq = batch.depth->first;
      metrics->SetDepth(batch.depth->second);
    }
    if (batch.queue_latency) {
      metrics->QueueLatency(*batch.queue_latency);
    }
    if (batch.work_duration) {
      metrics->WorkDuration(*batch.work_duration);
    }
  }

  // Moves due delayed keys into the queue, then sleeps until the next one is due
  // or an earlier one is added; never polls.
  void RunTimer() {
    std::unique_lock lock(mutex);
    while (!shutting_down) {
      TimePoint now = clock.Now();
      MetricsBatch batch;
      while (!by_due.empty() && std::get<0>(*by_due.begin()) <= now) {
        std::string key = std::get<2>(*by_due.begin());
        by_due.erase(by_due.begin());
        waiting.erase(key);
        AddLocked(key, now, batch);
      }
      if (!batch.Empty()) {
        lock.unlock();
        Report(batch);
        lock.lock();
        continue;
      }
      TimePoint deadline = by_due.empty() ? now + kIdleWait : std::get<0>(*by_due.begin());
      std::uint64_t generation = timer_generation;
      clock.WaitUntil(timer_cv, lock, deadline,
                      [&] { return shutting_down || timer_generation != generation; });
    }
  }
};

WorkQueue::WorkQueue(std::unique_ptr<RateLimiter> limiter, Clock& clock, QueueMetrics* metrics)
    : state_(std::make_unique<State>(std::move(limiter), clock, metrics)) {
  state_->timer = std::thread([s = state_.get()] { s->RunTimer(); });
}

WorkQueue::~WorkQueue() { ShutDown(false); }

void WorkQueue::Add(const std::string& key) {
  MetricsBatch batch;
  {
    std::lock_guard lock(state_->mutex);
    state_->AddLocked(key, state_->clock.Now(), batch);
  }
  state_->Report(batch);
}

void WorkQueue::AddAfter(const std::string& key, Clock::Duration delay) {
  if (delay <= Clock::Duration::zero()) {
    Add(key);
    return;
  }
  State& s = *state_;
  std::lock_guard lock(s.mutex);
  if (s.shutting_down) {
    return;
  }
  TimePoint due = s.clock.Now() + delay;
  if (auto it = s.waiting.find(key); it != s.waiting.end()) {
    if (it->second.due <= due) {
      return;  // already due no later than that
    }
    s.by_due.erase({it->second.due, it->second.seq, key});
  }
  std::uint64_t seq = s.next_seq++;
  s.waiting[key] = {due, seq};
  s.by_due.insert({due, seq, key});
  if (std::get<2>(*s.by_due.begin()) == key) {
    ++s.timer_generation;
    s.timer_cv.notify_one();
  }
}

void WorkQueue::AddRateLimited(const std::string& key) {
  if (ShuttingDown()) {
    return;
  }
  Clock::Duration delay = state_->limiter->When(key);
  MetricsBatch batch;
  batch.retried = true;
  state_->Report(batch);
  AddAfter(key, delay);
}

void WorkQueue::Forget(const std::string& key) { state_->limiter->Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) { return state_->limiter->NumRequeues(key); }

std::optional<std::string> WorkQueue::Get() {
  State& s = *state_;
  MetricsBatch batch;
  std::string key;
  {
    std::unique_lock lock(s.mutex);
    s.ready_cv.wait(lock, [&] { return !s.queue.empty() || s.shutting_down; });
    if (s.shutting_down && (!s.drain || s.queue.empty())) {
      return std::nullopt;
    }
    key = std::move(s.queue.front());
    s.queue.pop_front();
    TimePoint now = s.clock.Now();
    s.processing[key] = now;
    s.dirty.erase(key);
    if (auto it = s.added_at.find(key); it != s.added_at.end()) {
      batch.queue_latency = Seconds(now - it->second);
      s.added_at.erase(it);
    }
    s.RecordDepth(batch);
  }
  s.Report(batch);
  return key;
}

void WorkQueue::Done(const std::string& key) {
  State& s = *state_;
  MetricsBatch batch;
  {
    std::lock_guard lock(s.mutex);
    auto it = s.processing.find(key);
    if (it == s.processing.end()) {
      return;
    }
    batch.work_duration = Seconds(s.clock.Now() - it->second);
    s.processing.erase(it);
    if (s.dirty.count(key) != 0) {
      s.queue.push_back(key);
      s.RecordDepth(batch);
      s.ready_cv.notify_one();
    }
  }
  s.Report(batch);
}

void WorkQueue::ShutDown(bool drain) {
  State& s = *state_;
  bool join = false;
  {
    std::lock_guard lock(s.mutex);
    // A second call may only make the shutdown stricter (drain -> no drain).
    s.drain = s.shutting_down ? (s.drain && drain) : drain;
    s.shutting_down = true;
    s.waiting.clear();
    s.by_due.clear();
    join = !s.join_claimed;
    s.join_claimed = true;
    s.ready_cv.notify_all();
    s.timer_cv.notify_all();
  }
  if (join && s.timer.joinable()) {
    s.timer.join();
  }
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard lock(state_->mutex);
  return state_->shutting_down;
}

std::size_t WorkQueue::Len() const {
  std::lock_guard lock(state_->mutex);
  return state_->queue.size();
}

std::pair<double, double> WorkQueue::Unfinished() const {
  std::lock_guard lock(state_->mutex);
  TimePoint now = state_->clock.Now();
  double total = 0;
  double longest = 0;
  for (const auto& [key, started] : state_->processing) {
    double seconds = Seconds(now - started);
    total += seconds;
    longest = std::max(longest, seconds);
  }
  return {total, longest};
}

}  // namespace spyt::runtime

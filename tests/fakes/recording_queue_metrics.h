#pragma once

// A runtime::QueueMetrics that records every observation, for tests. Thread-safe.

#include <cstdint>
#include <mutex>
#include <vector>

#include "runtime/workqueue.h"

namespace spyt::fakes {

class RecordingQueueMetrics : public runtime::QueueMetrics {
 public:
  struct Snapshot {
    std::int64_t depth = 0;
    std::vector<std::int64_t> depths;  // every SetDepth, in order
    int adds = 0;
    int retries = 0;
    std::vector<double> queue_latencies;
    std::vector<double> work_durations;
    double unfinished_total = 0;
    double unfinished_longest = 0;
  };

  void SetDepth(std::int64_t depth) override {
    std::lock_guard lock(mutex_);
    data_.depth = depth;
    data_.depths.push_back(depth);
  }
  void Added() override {
    std::lock_guard lock(mutex_);
    ++data_.adds;
  }
  void Retried() override {
    std::lock_guard lock(mutex_);
    ++data_.retries;
  }
  void QueueLatency(double seconds) override {
    std::lock_guard lock(mutex_);
    data_.queue_latencies.push_back(seconds);
  }
  void WorkDuration(double seconds) override {
    std::lock_guard lock(mutex_);
    data_.work_durations.push_back(seconds);
  }
  void SetUnfinished(double total_seconds, double longest_seconds) override {
    std::lock_guard lock(mutex_);
    data_.unfinished_total = total_seconds;
    data_.unfinished_longest = longest_seconds;
  }

  Snapshot Get() const {
    std::lock_guard lock(mutex_);
    return data_;
  }

 private:
  mutable std::mutex mutex_;
  Snapshot data_;
};

}  // namespace spyt::fakes

#pragma once

// Fake driver and batch factories that can also re-attach (DriverFactory::
// Attach, BatchFactory::Attach): the test says which sessions' drivers and
// which batches are still running after a "restart". Thread-safe.

#include <map>
#include <memory>
#include <mutex>

#include "fakes/fake_livy_driver.h"

namespace spyt::fakes {

class FakeReattachingDriverFactory : public FakeDriverFactory {
 public:
  // Makes session `id`'s driver one that survived; returns its state.
  std::shared_ptr<FakeDriverState> Survivor(std::int64_t id) {
    auto state = std::make_shared<FakeDriverState>();
    state->status.phase = livy_server::DriverStatus::Phase::kReady;
    std::lock_guard<std::mutex> lock(mu_);
    survivors_[id] = state;
    return state;
  }

  std::unique_ptr<livy_server::Driver> Attach(const livy_server::DriverLaunch& launch) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = survivors_.find(launch.session_id);
    if (it == survivors_.end()) throw livy_server::DriverError("its driver (pid 4242) is gone");
    it->second->launch = launch;
    return std::make_unique<FakeDriver>(it->second);
  }

 private:
  std::mutex mu_;
  std::map<std::int64_t, std::shared_ptr<FakeDriverState>> survivors_;
};

class FakeReattachingBatchFactory : public FakeBatchFactory {
 public:
  // Batch `id`'s process survived; nullopt exit: still running.
  void Survivor(std::int64_t id, std::optional<livy_server::BatchProcess::Exit> exit) {
    std::lock_guard<std::mutex> lock(mu);
    survivors_[id] = exit;
  }

  std::unique_ptr<livy_server::BatchProcess> Attach(const livy_server::BatchLaunch& l) override {
    std::lock_guard<std::mutex> lock(mu);
    auto it = survivors_.find(l.batch_id);
    if (it == survivors_.end()) throw livy_server::DriverError("no spark-submit pid");
    auto p = std::make_unique<FakeBatchProcess>();
    p->exit = it->second;
    attached.push_back(p.get());
    return p;
  }

  std::vector<FakeBatchProcess*> attached;  // owned by the server

 private:
  std::map<std::int64_t, std::optional<livy_server::BatchProcess::Exit>> survivors_;
};

}  // namespace spyt::fakes

#pragma once

// Fakes of livy_server's Driver, DriverFactory, BatchProcess and BatchFactory:
// drivers that become ready when the test says so, record what they are sent,
// and report the statement changes the test scripts. Thread-safe.

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "livy_server/driver.h"

namespace spyt::fakes {

struct FakeDriverState {
  std::mutex mu;
  std::condition_variable cv;
  livy_server::DriverStatus status;
  std::vector<livy_server::Statement> submitted;
  std::vector<std::int64_t> cancelled;
  std::vector<livy_server::Statement> pending_updates;
  bool stopped = false;
  livy_server::DriverLaunch launch;

  void Ready() {
    std::lock_guard<std::mutex> lock(mu);
    status.phase = livy_server::DriverStatus::Phase::kReady;
    status.app_id = "app-20260101000000-0000";
  }
  void Exit(const std::string& how) {
    std::lock_guard<std::mutex> lock(mu);
    status.phase = livy_server::DriverStatus::Phase::kExited;
    status.exit = how;
    cv.notify_all();
  }
  void Report(livy_server::Statement s) {
    std::lock_guard<std::mutex> lock(mu);
    pending_updates.push_back(std::move(s));
    cv.notify_all();
  }
};

class FakeDriver : public livy_server::Driver {
 public:
  explicit FakeDriver(std::shared_ptr<FakeDriverState> state) : state_(std::move(state)) {}
  livy_server::DriverStatus Status() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->status;
  }
  void Submit(const livy_server::Statement& s) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->submitted.push_back(s);
  }
  std::vector<livy_server::Statement> Updates(std::chrono::milliseconds wait) override {
    std::unique_lock<std::mutex> lock(state_->mu);
    state_->cv.wait_for(lock, wait, [&] {
      return !state_->pending_updates.empty() ||
             state_->status.phase == livy_server::DriverStatus::Phase::kExited;
    });
    return std::exchange(state_->pending_updates, {});
  }
  void Cancel(std::int64_t id) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->cancelled.push_back(id);
  }
  void Stop(std::chrono::milliseconds) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopped = true;
    state_->status.phase = livy_server::DriverStatus::Phase::kExited;
    state_->status.exit = "stopped";
    state_->cv.notify_all();  // a long poll in Updates returns, as a real driver's does
  }

 private:
  std::shared_ptr<FakeDriverState> state_;
};

class FakeDriverFactory : public livy_server::DriverFactory {
 public:
  std::unique_ptr<livy_server::Driver> Start(const livy_server::DriverLaunch& launch) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_next) {
      fail_next = false;
      throw livy_server::DriverError("cannot run python3: not found on PATH");
    }
    auto state = std::make_shared<FakeDriverState>();
    state->launch = launch;
    if (ready_at_once) state->status.phase = livy_server::DriverStatus::Phase::kReady;
    drivers.push_back(state);
    return std::make_unique<FakeDriver>(state);
  }
  std::size_t started() {
    std::lock_guard<std::mutex> lock(mu_);
    return drivers.size();
  }
  std::shared_ptr<FakeDriverState> driver(std::size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    return drivers.at(i);
  }

  bool ready_at_once = true;
  bool fail_next = false;

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<FakeDriverState>> drivers;
};

class FakeBatchProcess : public livy_server::BatchProcess {
 public:
  std::optional<Exit> Poll() override {
    std::lock_guard<std::mutex> lock(mu);
    return exit;
  }
  void Kill(std::chrono::milliseconds) override {
    std::lock_guard<std::mutex> lock(mu);
    killed = true;
    exit = Exit{143, "killed by SIGTERM"};
  }
  std::mutex mu;
  std::optional<Exit> exit;
  bool killed = false;
};

class FakeBatchFactory : public livy_server::BatchFactory {
 public:
  std::unique_ptr<livy_server::BatchProcess> Start(const livy_server::BatchLaunch&) override {
    auto p = std::make_unique<FakeBatchProcess>();
    std::lock_guard<std::mutex> lock(mu);
    started.push_back(p.get());
    return p;
  }
  std::mutex mu;
  std::vector<FakeBatchProcess*> started;  // owned by the server
};

}  // namespace spyt::fakes

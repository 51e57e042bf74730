#pragma once

// Polls the Livy server of every cluster that runs one, on an interval, and keeps
// the latest observation of each: the sessions and batches by state and how many
// count toward the session limit, or why Livy did not answer. A Livy that does
// not answer is an observation like any other, never an exception out of here.
//
// Which clusters to poll comes from a lister called at the start of every round
// (level-triggered: a cluster that stops being listed is forgotten and its series
// removed). Up to `parallelism` servers are polled at once, each bounded by
// `timeout`, so one hung Livy cannot delay the others by more than that.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "http/http.h"
#include "livy/usage.h"
#include "runtime/runnable.h"

namespace spyt::livy {

struct Target {
  std::string ns;
  std::string name;
  std::string url;  // "http://host:port"
  int max_sessions = 0;
  std::string Key() const { return ns + "/" + name; }
};

struct Observation {
  std::string url;
  bool answering = false;
  std::string error;  // why not, when !answering
  Usage usage;        // when answering
  int max_sessions = 0;
  std::chrono::system_clock::time_point at;
};

// Receives every observation (metrics) and the removal of a cluster's.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void LivyObserved(const Target& target, const Observation& observation,
                            double seconds) = 0;
  virtual void LivyForgotten(const std::string& ns, const std::string& name) = 0;
};

// Read side for status writers; fakes implement it in tests.
class ObservationSource {
 public:
  virtual ~ObservationSource() = default;
  virtual std::optional<Observation> Latest(const std::string& ns,
                                            const std::string& name) const = 0;
};

struct MonitorOptions {
  std::chrono::milliseconds interval{30000};
  std::chrono::milliseconds timeout{5000};
  int parallelism = 4;
};

using TransportFactory = std::function<std::unique_ptr<http::Transport>(const std::string& url)>;
using TargetLister = std::function<std::vector<Target>()>;
// Called (from the polling thread) when a cluster's observation changes in what a
// status shows: answering or not, or the sessions by state.
using ChangeHandler = std::function<void(const Target&)>;

// A Runnable that needs leadership (standbys do not poll).
class Monitor : public ObservationSource, public runtime::Runnable {
 public:
  Monitor(TransportFactory transports, TargetLister lister, Clock& clock, MonitorOptions options,
          Observer* observer = nullptr, ChangeHandler on_change = {});
  ~Monitor() override;
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // One round: list, forget what is no longer listed, poll the rest. Blocks.
  void PollOnce();
  // Rounds, the first at once, then every interval, until `stop` is requested.
  void Run(std::stop_token stop) override;
  std::string Name() const override { return "livy monitor"; }
  bool NeedsLeaderElection() const override { return true; }
  // Run() on a thread of its own until Stop().
  void Start();
  void Stop();

  std::optional<Observation> Latest(const std::string& ns, const std::string& name) const override;

 private:
  Observation Poll(const Target& target);
  http::Transport& TransportFor(const std::string& url);

  TransportFactory transports_;
  TargetLister lister_;
  Clock& clock_;
  MonitorOptions options_;
  Observer* observer_;
  ChangeHandler on_change_;

  mutable std::mutex mu_;
  std::map<std::string, Observation> latest_;                        // by Target::Key()
  std::map<std::string, std::unique_ptr<http::Transport>> clients_;  // by url
  std::jthread thread_;
};

}  // namespace spyt::livy

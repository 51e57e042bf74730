#include "livy/monitor.h"

#include <set>

#include "common/log.h"
#include "livy/poll.h"

namespace spyt::livy {

Monitor::Monitor(TransportFactory transports, TargetLister lister, Clock& clock,
                 MonitorOptions options, Observer* observer, ChangeHandler on_change)
    : transports_(std::move(transports)),
      lister_(std::move(lister)),
      clock_(clock),
      options_(options),
      observer_(observer),
      on_change_(std::move(on_change)) {
  if (options_.parallelism < 1) options_.parallelism = 1;
}

Monitor::~Monitor() { Stop(); }

http::Transport& Monitor::TransportFor(const std::string& url) {
  std::lock_guard lock(mu_);
  auto& slot = clients_[url];
  if (!slot) slot = transports_(url);
  return *slot;
}

Observation Monitor::Poll(const Target& target) {
  Observation obs;
  obs.url = target.url;
  obs.max_sessions = target.max_sessions;
  try {
    obs.usage = FetchUsage(TransportFor(target.url), options_.timeout);
    obs.answering = true;
  } catch (const std::exception& e) {  // LivyError, or e.g. a URL the HTTP library refuses
    obs.error = target.url + ": " + e.what();
  }
  obs.at = clock_.WallNow();
  return obs;
}

void Monitor::PollOnce() {
  std::vector<Target> targets = lister_();
  std::set<std::string> listed;
  std::set<std::string> urls;
  for (const auto& t : targets) {
    listed.insert(t.Key());
    urls.insert(t.url);
  }
  std::vector<std::string> forgotten;
  {
    std::lock_guard lock(mu_);
    for (auto it = latest_.begin(); it != latest_.end();) {
      if (listed.count(it->first) == 0) {
        forgotten.push_back(it->first);
        it = latest_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = clients_.begin(); it != clients_.end();) {
      it = urls.count(it->first) == 0 ? clients_.erase(it) : std::next(it);
    }
  }
  for (const auto& key : forgotten) {
    auto slash = key.find('/');
    if (observer_ != nullptr) observer_->LivyForgotten(key.substr(0, slash), key.substr(slash + 1));
  }

  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < targets.size(); i = next++) {
      const Target& target = targets[i];
      auto started = clock_.Now();
      Observation obs = Poll(target);
      double seconds = std::chrono::duration<double>(clock_.Now() - started).count();
      bool changed;
      {
        std::lock_guard lock(mu_);
        auto it = latest_.find(target.Key());
        changed = it == latest_.end() || it->second.answering != obs.answering ||
                  !(it->second.usage == obs.usage) || it->second.max_sessions != obs.max_sessions;
        if (it != latest_.end() && it->second.answering && !obs.answering) {
          log::Warn("Livy stopped answering", {{"cluster", target.Key()}, {"error", obs.error}});
        }
        latest_[target.Key()] = obs;
      }
      if (observer_ != nullptr) observer_->LivyObserved(target, obs, seconds);
      if (changed && on_change_) on_change_(target);
    }
  };
  std::size_t threads = std::min<std::size_t>(targets.size(), options_.parallelism);
  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

void Monitor::Run(std::stop_token stop) {
  do {
    PollOnce();
  } while (!runtime::SleepUntil(clock_, stop, clock_.Now() + options_.interval));
}

void Monitor::Start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token stop) { Run(std::move(stop)); });
}

void Monitor::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

std::optional<Observation> Monitor::Latest(const std::string& ns, const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = latest_.find(ns + "/" + name);
  if (it == latest_.end()) return std::nullopt;
  return it->second;
}

}  // namespace spyt::livy

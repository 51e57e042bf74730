#include "runtime/leader_election.h"

#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <stdexcept>

#include "common/log.h"

namespace spyt::runtime {
namespace {

// The one place the elector logs; point it elsewhere to redirect its messages.
void Log(log::Level level, std::string_view message, log::Fields fields = {}) {
  log::Write(level, message, fields);
}

// How long the watchdog sleeps while not leading (it is woken on every change).
constexpr auto kIdleWait = std::chrono::hours(1);

std::string Seconds(std::chrono::seconds s) { return std::to_string(s.count()) + "s"; }

}  // namespace

void ValidateLeaderElectionConfig(const LeaderElectionConfig& c) {
  auto fail = [](const std::string& message) {
    throw std::invalid_argument("leader election: " + message);
  };
  if (c.lease_name.empty()) {
    fail("lease_name must not be empty");
  }
  if (c.lease_namespace.empty()) {
    fail("lease_namespace must not be empty");
  }
  if (c.identity.empty()) {
    fail("identity must not be empty");
  }
  if (c.retry_period.count() <= 0) {
    fail("retry_period must be positive, got " + Seconds(c.retry_period));
  }
  if (c.renew_deadline <= c.retry_period) {
    fail("renew_deadline (" + Seconds(c.renew_deadline) + ") must be greater than retry_period (" +
         Seconds(c.retry_period) + ")");
  }
  if (c.lease_duration <= c.renew_deadline) {
    fail("lease_duration (" + Seconds(c.lease_duration) +
         ") must be greater than renew_deadline (" + Seconds(c.renew_deadline) + ")");
  }
}

std::string DefaultIdentity() {
  std::string base;
  if (const char* pod = std::getenv("POD_NAME"); pod != nullptr && *pod != '\0') {
    base = pod;
  } else {
    char host[256] = {};
    base = gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0' ? host : "unknown";
  }
  std::random_device random;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "_%08x", static_cast<unsigned>(random()));
  return base + suffix;
}

struct LeaderElector::Impl {
  enum class Outcome { kHeld, kHeldByOther, kFailed };

  Impl(kube::Client& c, Clock& k, LeaderElectionConfig cfg, Callbacks cb, std::atomic<bool>& l)
      : client(c), clock(k), config(std::move(cfg)), callbacks(std::move(cb)), leader(l) {}

  kube::Client& client;
  Clock& clock;
  const LeaderElectionConfig config;
  const Callbacks callbacks;
  std::atomic<bool>& leader;

  // Guards the fields below; the clock waits on it.
  std::mutex mutex;
  std::condition_variable run_cv;       // the Run loop's sleep between attempts
  std::condition_variable watchdog_cv;  // the watchdog's sleep until the renew deadline
  bool stop_requested = false;
  bool running = false;
  Clock::TimePoint renew_by{};  // while leading: stop leading unless renewed by then
  std::uint64_t watchdog_generation = 0;

  // One API exchange at a time; guards the observed record.
  std::mutex attempt_mutex;
  json::Value observed_spec;
  bool observed_any = false;
  Clock::TimePoint observed_at{};  // when observed_spec last changed, by our clock
  bool holding = false;            // the last exchange left us as the holder
  std::string reported_leader;

  // Serialises leadership changes and their callbacks.
  std::mutex transition_mutex;
  Clock::TimePoint lost_at = Clock::TimePoint::min();  // when we last stopped leading

  // Records the Lease spec we saw; expiry is measured from when it last changed
  // on OUR clock, never from the remote renewTime, so clock skew does not matter.
  void Observe(const json::Value& spec, Clock::TimePoint now) {
    if (!observed_any || spec != observed_spec) {
      observed_spec = spec;
      observed_at = now;
      observed_any = true;
    }
  }

  json::Value NewSpec(const json::Value& old, const std::string& old_holder) const {
    std::string now = FormatRfc3339Micro(clock.WallNow());
    json::Value spec = old.is_object() ? old : json::Value(json::Object{});
    spec["holderIdentity"] = config.identity;
    spec["leaseDurationSeconds"] = static_cast<std::int64_t>(config.lease_duration.count());
    spec["renewTime"] = now;
    if (old_holder != config.identity || json::StringAt(old, {"acquireTime"}).empty()) {
      spec["acquireTime"] = now;
    }
    if (old_holder != config.identity) {
      spec["leaseTransitions"] = json::IntAt(old, {"leaseTransitions"}) + 1;
    }
    return spec;
  }

  json::Value NewLease() const {
    json::Value lease(json::Object{});
    lease["apiVersion"] = kube::resources::kLeases.ApiVersion();
    lease["kind"] = kube::resources::kLeases.kind;
    lease["metadata"]["name"] = config.lease_name;
    lease["metadata"]["namespace"] = config.lease_namespace;
    lease["spec"] = NewSpec(json::Value(json::Object{}), "");
    lease["spec"]["leaseTransitions"] = 0;
    return lease;
  }

  Outcome CreateLease(Clock::TimePoint now) {
    try {
      json::Value created =
          client.Create(kube::resources::kLeases, config.lease_namespace, NewLease());
      Observe(created["spec"], now);
      holding = true;
      return Outcome::kHeld;
    } catch (const kube::ApiError& e) {
      // AlreadyExists: another candidate created it first; we see it next time.
      Log(kube::IsAlreadyExists(e) ? log::Level::kDebug : log::Level::kWarn,
          "leader election: cannot create the lease", {{"error", e.what()}});
      return Outcome::kFailed;
    }
  }

  // One Get and at most one Create or Update. Sets `new_leader` when the holder
  // we see changed.
  Outcome Attempt(Clock::TimePoint now, std::optional<std::string>& new_leader) {
    std::lock_guard lock(attempt_mutex);
    const auto& leases = kube::resources::kLeases;
    json::Value lease;
    try {
      lease = client.Get(leases, config.lease_namespace, config.lease_name);
    } catch (const kube::ApiError& e) {
      if (kube::IsNotFound(e)) {
        Outcome outcome = CreateLease(now);
        NoteLeader(outcome == Outcome::kHeld ? config.identity : "", new_leader);
        return outcome;
      }
      Log(log::Level::kWarn, "leader election: cannot read the lease", {{"error", e.what()}});
      return Outcome::kFailed;
    }
    json::Value spec = lease.find("spec") != nullptr ? lease["spec"] : json::Value(json::Object{});
    Observe(spec, now);
    std::string holder = json::StringAt(spec, {"holderIdentity"});
    NoteLeader(holder, new_leader);
    if (!holder.empty() && holder != config.identity) {
      auto duration = std::chrono::seconds(json::IntAt(spec, {"leaseDurationSeconds"}));
      if (now < observed_at + duration) {
        holding = false;
        return Outcome::kHeldByOther;
      }
    }
    lease["spec"] = NewSpec(spec, holder);
    try {
      json::Value updated = client.Update(leases, config.lease_namespace, lease);
      Observe(updated["spec"], now);
      holding = true;
      NoteLeader(config.identity, new_leader);
      return Outcome::kHeld;
    } catch (const kube::ApiError& e) {
      // Conflict: someone else wrote the Lease since our read, so they won.
      Log(kube::IsConflict(e) ? log::Level::kDebug : log::Level::kWarn,
          "leader election: cannot update the lease", {{"error", e.what()}});
      return Outcome::kFailed;
    }
  }

  void NoteLeader(const std::string& holder, std::optional<std::string>& new_leader) {
    if (!holder.empty() && holder != reported_leader) {
      reported_leader = holder;
      new_leader = holder;
    }
  }

  // Clears holderIdentity (keeping leaseTransitions) so a successor need not wait
  // out the lease; only if we still hold it.
  void Release() {
    std::lock_guard lock(attempt_mutex);
    if (!holding) {
      return;
    }
    holding = false;
    try {
      const auto& leases = kube::resources::kLeases;
      json::Value lease = client.Get(leases, config.lease_namespace, config.lease_name);
      json::Value& spec = lease["spec"];
      if (json::StringAt(spec, {"holderIdentity"}) != config.identity) {
        return;
      }
      std::string now = FormatRfc3339Micro(clock.WallNow());
      spec["holderIdentity"] = "";
      spec["leaseDurationSeconds"] = 1;
      spec["acquireTime"] = now;
      spec["renewTime"] = now;
      client.Update(leases, config.lease_namespace, lease);
      Log(log::Level::kInfo, "leader election: released the lease",
          {{"lease", config.lease_namespace + "/" + config.lease_name}});
    } catch (const kube::ApiError& e) {
      Log(log::Level::kWarn, "leader election: cannot release the lease", {{"error", e.what()}});
    }
  }

  bool StopRequested() {
    std::lock_guard lock(mutex);
    return stop_requested;
  }

  void ArmWatchdog(Clock::TimePoint deadline) {
    std::lock_guard lock(mutex);
    renew_by = deadline;
    ++watchdog_generation;
    watchdog_cv.notify_all();
  }

  // After a successful exchange that started at `started`.
  void Renewed(Clock::TimePoint started) {
    std::lock_guard transition(transition_mutex);
    Clock::TimePoint deadline = started + config.renew_deadline;
    // A renewal sent before we gave up, or one that took so long it is already
    // stale, does not make us lead (again); the next attempt may.
    if (started < lost_at || clock.Now() >= deadline) {
      return;
    }
    // The flag first: the watchdog reads it when woken by ArmWatchdog.
    bool was_leader = leader.exchange(true);
    ArmWatchdog(deadline);
    if (!was_leader) {
      Log(log::Level::kInfo, "leader election: became the leader",
          {{"identity", config.identity},
           {"lease", config.lease_namespace + "/" + config.lease_name}});
      if (callbacks.on_started_leading) {
        callbacks.on_started_leading();
      }
    }
  }

  // Stops leading; with `only_if_expired`, only when the renew deadline has passed.
  void StopLeading(const char* why, bool only_if_expired) {
    std::lock_guard transition(transition_mutex);
    if (!leader.load()) {
      return;
    }
    if (only_if_expired) {
      std::lock_guard lock(mutex);
      if (clock.Now() < renew_by) {
        return;
      }
    }
    leader = false;
    lost_at = clock.Now();
    ArmWatchdog(Clock::TimePoint{});
    Log(log::Level::kInfo, "leader election: stopped leading",
        {{"identity", config.identity}, {"reason", why}});
    if (callbacks.on_stopped_leading) {
      callbacks.on_stopped_leading();
    }
  }

  // Ends leadership the moment the renew deadline passes, even while an API call
  // of the Run loop is still hanging.
  void RunWatchdog() {
    std::unique_lock lock(mutex);
    while (!stop_requested) {
      Clock::TimePoint now = clock.Now();
      bool leading = leader.load();
      if (leading && now >= renew_by) {
        lock.unlock();
        StopLeading("the lease was not renewed within renew_deadline", true);
        lock.lock();
        continue;
      }
      std::uint64_t generation = watchdog_generation;
      clock.WaitUntil(watchdog_cv, lock, leading ? renew_by : now + kIdleWait,
                      [&] { return stop_requested || watchdog_generation != generation; });
    }
  }

  void Sleep(Clock::Duration period) {
    std::unique_lock lock(mutex);
    clock.WaitUntil(run_cv, lock, clock.Now() + period, [&] { return stop_requested; });
  }

  void Notify(const std::optional<std::string>& new_leader) {
    if (!new_leader) {
      return;
    }
    Log(log::Level::kInfo, "leader election: new leader", {{"identity", *new_leader}});
    if (callbacks.on_new_leader) {
      callbacks.on_new_leader(*new_leader);
    }
  }
};

LeaderElector::LeaderElector(kube::Client& client, Clock& clock, LeaderElectionConfig config,
                             Callbacks callbacks) {
  ValidateLeaderElectionConfig(config);
  impl_ = std::make_unique<Impl>(client, clock, std::move(config), std::move(callbacks), leader_);
}

LeaderElector::~LeaderElector() { Stop(); }

void LeaderElector::Run() {
  Impl& impl = *impl_;
  {
    std::lock_guard lock(impl.mutex);
    if (impl.stop_requested || impl.running) {
      return;
    }
    impl.running = true;
  }
  std::thread watchdog([&impl] { impl.RunWatchdog(); });
  while (!impl.StopRequested()) {
    Clock::TimePoint started = impl.clock.Now();
    std::optional<std::string> new_leader;
    Impl::Outcome outcome = impl.Attempt(started, new_leader);
    impl.Notify(new_leader);
    if (outcome == Impl::Outcome::kHeld) {
      impl.Renewed(started);
    } else if (outcome == Impl::Outcome::kHeldByOther) {
      impl.StopLeading("another candidate holds the lease", false);
    }
    // kFailed while leading: keep trying; the watchdog ends leadership at the deadline.
    impl.Sleep(impl.config.retry_period);
  }
  watchdog.join();
  // Our work stops before the release: a successor may start the moment it is released.
  impl.StopLeading("stopped", false);
  if (impl.config.release_on_cancel) {
    impl.Release();
  }
  std::lock_guard lock(impl.mutex);
  impl.running = false;
}

void LeaderElector::Stop() {
  Impl& impl = *impl_;
  {
    std::lock_guard lock(impl.mutex);
    impl.stop_requested = true;
    impl.run_cv.notify_all();
    impl.watchdog_cv.notify_all();
    if (impl.running) {
      return;  // Run() releases on its way out
    }
  }
  // Without Run() (tests driving TryAcquireOrRenew), release here.
  if (impl.config.release_on_cancel) {
    impl.Release();
  }
}

bool LeaderElector::TryAcquireOrRenew() {
  std::optional<std::string> new_leader;
  Impl::Outcome outcome = impl_->Attempt(impl_->clock.Now(), new_leader);
  impl_->Notify(new_leader);
  return outcome == Impl::Outcome::kHeld;
}

}  // namespace spyt::runtime

#include "runtime/informer.h"

#include <algorithm>
#include <optional>
#include <set>

#include "common/log.h"

namespace spyt::runtime {
namespace {

// A watch that lasted this long was established: its end is not the next
// failure of a series (see Run).
constexpr std::chrono::seconds kEstablishedWatch{1};

}  // namespace

json::Value StripForCache(json::Value object) {
  if (json::Value* meta = object.find("metadata"); meta != nullptr && meta->is_object()) {
    meta->as_object().erase("managedFields");
  }
  return object;
}

Informer::Informer(kube::Client& client, Clock& clock, InformerOptions options,
                   InformerMetrics* metrics)
    : client_(client), clock_(clock), options_(std::move(options)), metrics_(metrics) {}

Informer::~Informer() { Stop(); }

void Informer::AddEventHandler(EventHandler handler) { handlers_.push_back(std::move(handler)); }

std::string Informer::Describe() const {
  std::string out = options_.resource.plural;
  if (!options_.resource.group.empty()) out += "." + options_.resource.group;
  if (!options_.ns.empty()) out += " in " + options_.ns;
  if (!options_.label_selector.empty()) out += " [" + options_.label_selector + "]";
  return out;
}

std::string Informer::ListAndReplace() {
  kube::ListOptions opts;
  opts.label_selector = options_.label_selector;
  kube::ListResult list =
      kube::ListAll(client_, options_.resource, options_.ns, opts, options_.page_size);
  std::set<std::string> seen;
  for (auto& item : list.items) {
    json::Value obj = StripForCache(std::move(item));
    std::string key = ObjectKey(obj);
    seen.insert(key);
    auto previous = store_.Upsert(obj);
    for (const auto& h : handlers_) {
      if (!previous && h.on_add) h.on_add(obj);
      if (previous && h.on_update && *previous != ResourceVersionOf(obj)) {
        h.on_update(obj);
      }
    }
  }
  // Objects deleted while we were not watching.
  for (const auto& key : store_.Keys()) {
    if (seen.count(key) != 0) continue;
    if (auto removed = store_.Remove(key)) {
      for (const auto& h : handlers_) {
        if (h.on_delete) h.on_delete(*removed);
      }
    }
  }
  return list.resource_version;
}

void Informer::Apply(const kube::WatchEvent& event) {
  using Type = kube::WatchEvent::Type;
  if (event.type == Type::kBookmark) return;
  if (event.type == Type::kError) {
    // A metav1.Status in the stream: 410 means relist, anything else a retry.
    const json::Value* code = event.object.find("code");
    int status = code != nullptr && code->is_int() ? static_cast<int>(code->as_int()) : 500;
    throw kube::ErrorFromResponse(http::Response{status, {}, json::Dump(event.object)});
  }
  json::Value obj = StripForCache(event.object);
  if (event.type == Type::kDeleted) {
    store_.Remove(ObjectKey(obj));
    for (const auto& h : handlers_) {
      if (h.on_delete) h.on_delete(obj);
    }
    return;
  }
  auto previous = store_.Upsert(obj);
  for (const auto& h : handlers_) {
    if (!previous && h.on_add) h.on_add(obj);
    if (previous && h.on_update) h.on_update(obj);
  }
}

std::string Informer::WatchFrom(std::string resource_version) {
  kube::WatchOptions opts;
  opts.label_selector = options_.label_selector;
  opts.resource_version = resource_version;
  opts.allow_bookmarks = true;
  {
    std::unique_lock lock(mutex_);
    if (stopped_) return resource_version;
    lock.unlock();
    auto watch = client_.StartWatch(options_.resource, options_.ns, opts);
    lock.lock();
    watch_ = std::move(watch);
    if (stopped_) watch_->Stop();
    cv_.notify_all();  // WaitUntilSynced: listed and watching
  }
  while (!stopped_) {
    std::optional<kube::WatchEvent> event = watch_->Next();
    if (!event) break;
    Apply(*event);
    if (event->type != kube::WatchEvent::Type::kError) {
      std::string rv = ResourceVersionOf(event->object);
      if (!rv.empty()) resource_version = rv;
    }
  }
  std::lock_guard lock(mutex_);
  watch_.reset();
  return resource_version;
}

bool Informer::SleepBackoff(int failures) {
  auto delay = options_.min_backoff * (1 << std::min(failures, 10));
  delay = std::min<std::chrono::milliseconds>(delay, options_.max_backoff);
  std::unique_lock lock(mutex_);
  clock_.WaitUntil(cv_, lock, clock_.Now() + delay, [this] { return stopped_.load(); });
  return !stopped_;
}

void Informer::Run() {
  std::string rv;
  bool need_list = true;
  int failures = 0;
  while (!stopped_) {
    std::optional<Clock::TimePoint> watching_since;
    try {
      if (need_list) {
        rv = ListAndReplace();
        need_list = false;
        if (!synced_.exchange(true)) {
          log::Info("informer synced",
                    {{"resource", Describe()}, {"objects", std::to_string(store_.Size())}});
        }
        if (metrics_ != nullptr) metrics_->Relisted(options_.resource.plural);
      }
      watching_since = clock_.Now();
      rv = WatchFrom(rv);
      if (stopped_) break;
      if (metrics_ != nullptr) metrics_->WatchRestarted(options_.resource.plural);
      // A watch the server ends at once, over and over, must not become a hot loop.
      if (clock_.Now() - *watching_since < kEstablishedWatch) {
        if (!SleepBackoff(failures++)) break;
      } else {
        failures = 0;
      }
    } catch (const kube::ApiError& e) {
      if (stopped_) break;
      if (kube::IsGone(e)) {
        log::Info("watch resource version expired, relisting",
                  {{"resource", Describe()}, {"resourceVersion", rv}});
        need_list = true;
        continue;
      }
      log::Warn("list/watch failed, retrying", {{"resource", Describe()},
                                                {"reason", kube::ReasonName(e.reason())},
                                                {"error", e.what()}});
      // A watch that ran a while before it broke starts a new series of failures:
      // the next blip is retried after the shortest backoff, not the last one's.
      if (watching_since && clock_.Now() - *watching_since >= kEstablishedWatch) failures = 0;
      if (!SleepBackoff(failures++)) break;
    }
  }
}

void Informer::Stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  if (watch_) watch_->Stop();
  cv_.notify_all();
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) {
  return WaitUntilSynced(clock_.Now() + timeout);
}

bool Informer::WaitUntilSynced(Clock::TimePoint deadline) {
  std::unique_lock lock(mutex_);
  // Synced for a waiter: listed, and the watch that follows the list has started.
  clock_.WaitUntil(cv_, lock, deadline,
                   [this] { return (synced_.load() && watch_ != nullptr) || stopped_.load(); });
  return synced_;
}

}  // namespace spyt::runtime

#include "runtime/event_recorder.h"

#include <atomic>
#include <cstdio>

#include "common/log.h"

namespace spyt::runtime {
namespace {

// Event names must be unique per namespace: object name + a time-based suffix.
std::string EventName(const std::string& object_name, std::chrono::system_clock::time_point now) {
  static std::atomic<unsigned> counter{0};
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  char suffix[40];
  std::snprintf(suffix, sizeof(suffix), ".%llx%03x", static_cast<unsigned long long>(ns),
                counter.fetch_add(1) & 0xfff);
  return object_name.substr(0, 200) + suffix;
}

}  // namespace

ObjectRef RefOf(const json::Value& object) {
  return {json::StringAt(object, {"apiVersion"}),
          json::StringAt(object, {"kind"}),
          json::StringAt(object, {"metadata", "namespace"}),
          json::StringAt(object, {"metadata", "name"}),
          json::StringAt(object, {"metadata", "uid"}),
          json::StringAt(object, {"metadata", "resourceVersion"})};
}

EventRecorder::EventRecorder(kube::Client& client, Clock& clock, std::string component,
                             std::string instance, std::chrono::seconds series_window,
                             std::size_t max_series)
    : client_(client),
      clock_(clock),
      component_(std::move(component)),
      instance_(std::move(instance)),
      window_(series_window),
      max_series_(max_series) {}

void EventRecorder::Normal(const ObjectRef& object, const std::string& reason,
                           const std::string& message) {
  Record(object, "Normal", reason, message);
}

void EventRecorder::Warning(const ObjectRef& object, const std::string& reason,
                            const std::string& message) {
  Record(object, "Warning", reason, message);
}

json::Value EventRecorder::NewEvent(const ObjectRef& object, const std::string& type,
                                    const std::string& reason, const std::string& message,
                                    const std::string& name) const {
  std::string now = FormatRfc3339(clock_.WallNow());
  return json::Object{
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", json::Object{{"name", name}, {"namespace", object.ns}}},
      {"involvedObject", json::Object{{"apiVersion", object.api_version},
                                      {"kind", object.kind},
                                      {"namespace", object.ns},
                                      {"name", object.name},
                                      {"uid", object.uid},
                                      {"resourceVersion", object.resource_version}}},
      {"type", type},
      {"reason", reason},
      {"message", message.substr(0, 1024)},
      {"source", json::Object{{"component", component_}, {"host", instance_}}},
      {"reportingComponent", component_},
      {"reportingInstance", instance_},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1},
  };
}

void EventRecorder::Record(const ObjectRef& object, const std::string& type,
                           const std::string& reason, const std::string& message) {
  std::string key = object.uid + "\x1f" + type + "\x1f" + reason + "\x1f" + message;
  std::unique_lock lock(mutex_);
  auto now = clock_.Now();
  auto it = series_.find(key);
  try {
    if (it != series_.end() && now - it->second.last < window_) {
      Series& s = it->second;
      s.count++;
      s.last = now;
      lru_.splice(lru_.begin(), lru_, s.lru);
      json::Value patch =
          json::Object{{"count", s.count}, {"lastTimestamp", FormatRfc3339(clock_.WallNow())}};
      std::string name = s.event_name, ns = s.ns;
      lock.unlock();
      try {
        client_.Patch(kube::resources::kEvents, ns, name, kube::PatchType::kMerge, patch);
        patched_++;
        return;
      } catch (const kube::ApiError& e) {
        if (!kube::IsNotFound(e)) throw;
        lock.lock();  // the Event expired server-side: start a new series below
        it = series_.find(key);
      }
    }
    std::string name = EventName(object.name, clock_.WallNow());
    if (it == series_.end()) {
      lru_.push_front(key);
      it = series_.emplace(key, Series{name, object.ns, 1, now, lru_.begin()}).first;
      if (series_.size() > max_series_) {
        series_.erase(lru_.back());
        lru_.pop_back();
      }
    } else {
      it->second = Series{name, object.ns, 1, now, it->second.lru};
    }
    lock.unlock();
    client_.Create(kube::resources::kEvents, object.ns,
                   NewEvent(object, type, reason, message, name));
    created_++;
  } catch (const kube::ApiError& e) {
    log::Warn("could not record event",
              {{"object", object.ns + "/" + object.name}, {"reason", reason}, {"error", e.what()}});
  }
}

}  // namespace spyt::runtime

// FakeClient: the event history and watches.

#include <algorithm>
#include <deque>
#include <stdexcept>

#include "fakes/fake_client.h"
#include "fakes/fake_client_state.h"
#include "fakes/label_selector.h"

namespace spyt::fakes {

using Type = kube::WatchEvent::Type;

// One open watch: a cursor into the shared history plus the events that are not
// in it (the initial ADDED list, bookmarks). Holds the state alive, so it may
// outlive the FakeClient.
class FakeWatch : public kube::Watch {
 public:
  struct Filter {
    kube::Resource resource;
    std::string ns;  // "" = all namespaces
    LabelSelector labels;
    FieldSelector fields;
    bool bookmarks = false;
  };

  FakeWatch(std::shared_ptr<FakeClient::State> state, Filter filter, std::uint64_t cursor)
      : state_(std::move(state)), filter_(std::move(filter)), cursor_(cursor) {}

  ~FakeWatch() override {
    std::lock_guard lock(state_->mutex);
    state_->watches.erase(this);
  }

  // The next four are called with the state's mutex held.
  void PushInitial(kube::WatchEvent event) { initial_.push_back(std::move(event)); }
  void Close() { closed_ = true; }
  bool Open() const { return !stopped_ && !closed_; }
  void Expire() { expired_ = true; }
  void Break(const kube::ApiError& error) { broken_ = error; }
  void Bookmark(std::uint64_t rv) {
    if (filter_.bookmarks && !closed_) {
      bookmarks_.push_back(rv);
    }
  }

  bool Matches(const ObjectKey& key, const json::Value& obj) const {
    return key.resource == ResourceId(filter_.resource) &&
           (filter_.ns.empty() || key.ns == filter_.ns) && MatchesLabels(filter_.labels, obj) &&
           filter_.fields.Matches(obj);
  }

  std::optional<kube::WatchEvent> Next() override {
    std::unique_lock lock(state_->mutex);
    for (;;) {
      if (stopped_ || closed_) {
        return std::nullopt;
      }
      if (broken_) {
        closed_ = true;
        throw *broken_;
      }
      if (expired_) {
        closed_ = true;
        const std::string message = "too old resource version (watch expired)";
        if (!state_->expired_as_event) {
          throw ExpiredError(message);
        }
        return kube::WatchEvent{Type::kError, ExpiredStatus(message)};
      }
      if (!initial_.empty()) {
        kube::WatchEvent event = std::move(initial_.front());
        initial_.pop_front();
        return event;
      }
      if (auto event = NextFromHistory()) {
        return event;
      }
      // History is exhausted, so a bookmark cannot overtake an event.
      if (!bookmarks_.empty()) {
        std::uint64_t rv = bookmarks_.front();
        bookmarks_.pop_front();
        json::Value obj(json::Object{});
        obj["apiVersion"] = filter_.resource.ApiVersion();
        obj["kind"] = filter_.resource.kind;
        obj["metadata"]["resourceVersion"] = std::to_string(rv);
        return kube::WatchEvent{Type::kBookmark, std::move(obj)};
      }
      state_->changed.wait(lock);
    }
  }

  void Stop() override {
    std::lock_guard lock(state_->mutex);
    stopped_ = true;
    state_->changed.notify_all();
  }

 private:
  // The next history event this watch sees, translating selector changes: an
  // object that starts matching is ADDED, one that stops matching is DELETED.
  std::optional<kube::WatchEvent> NextFromHistory() {
    const auto& history = state_->history;
    auto it = std::upper_bound(history.begin(), history.end(), cursor_,
                               [](std::uint64_t rv, const HistoryEvent& e) { return rv < e.rv; });
    for (; it != history.end(); ++it) {
      cursor_ = it->rv;
      bool now = Matches(it->key, it->object);
      bool before = !it->previous.is_null() && Matches(it->key, it->previous);
      if (it->type == Type::kModified && now != before) {
        if (now) {
          return kube::WatchEvent{Type::kAdded, it->object};
        }
        json::Value last = it->previous;
        last["metadata"]["resourceVersion"] = std::to_string(it->rv);
        return kube::WatchEvent{Type::kDeleted, std::move(last)};
      }
      if (now) {
        return kube::WatchEvent{it->type, it->object};
      }
    }
    return std::nullopt;
  }

  std::shared_ptr<FakeClient::State> state_;
  const Filter filter_;
  std::uint64_t cursor_;  // the last history rv considered
  std::deque<kube::WatchEvent> initial_;
  std::deque<std::uint64_t> bookmarks_;
  bool stopped_ = false;
  bool closed_ = false;
  bool expired_ = false;
  std::optional<kube::ApiError> broken_;
};

void FakeClient::State::Record(Type type, const ObjectKey& key, const json::Value& object,
                               const json::Value& previous) {
  history.push_back({rv, key, type, object, previous});
  changed.notify_all();
}

std::unique_ptr<kube::Watch> FakeClient::StartWatch(const kube::Resource& r, const std::string& ns,
                                                    const kube::WatchOptions& opts) {
  std::lock_guard lock(state_->mutex);
  state_->Begin("watch", r);
  FakeWatch::Filter filter{r, r.namespaced ? ns : "", {}, {}, opts.allow_bookmarks};
  try {
    filter.labels = LabelSelector::Parse(opts.label_selector);
    filter.fields = FieldSelector::Parse(opts.field_selector);
  } catch (const std::invalid_argument& e) {
    throw BadRequest(e.what());
  }
  const std::string& text = opts.resource_version;
  bool from_now = text.empty() || text == "0";
  std::uint64_t cursor = state_->rv;
  if (!from_now) {
    if (text.find_first_not_of("0123456789") != std::string::npos || text.size() > 19) {
      throw BadRequest("invalid resourceVersion \"" + text + "\"");
    }
    cursor = std::stoull(text);
  }
  bool expired = !from_now && cursor < state_->compacted;
  if (expired && !state_->expired_as_event) {
    throw ExpiredError("too old resource version: " + text + " (" +
                       std::to_string(state_->compacted) + ")");
  }
  auto watch = std::make_unique<FakeWatch>(state_, std::move(filter), cursor);
  if (expired) {
    watch->Expire();
  }
  if (from_now) {
    // "Get state and start at most recent": the current objects as ADDED first.
    for (const auto& [key, obj] : state_->objects) {
      if (watch->Matches(key, obj)) {
        watch->PushInitial({Type::kAdded, obj});
      }
    }
  }
  state_->watches.insert(watch.get());
  return watch;
}

void FakeClient::Compact() {
  std::lock_guard lock(state_->mutex);
  state_->compacted = state_->rv;
}

void FakeClient::ExpireWatches() {
  std::lock_guard lock(state_->mutex);
  for (FakeWatch* w : state_->watches) {
    w->Expire();
  }
  state_->changed.notify_all();
}

void FakeClient::BreakWatches(const kube::ApiError& error) {
  std::lock_guard lock(state_->mutex);
  for (FakeWatch* w : state_->watches) {
    w->Break(error);
  }
  state_->changed.notify_all();
}

void FakeClient::CloseWatches() {
  std::lock_guard lock(state_->mutex);
  for (FakeWatch* w : state_->watches) {
    w->Close();
  }
  state_->changed.notify_all();
}

void FakeClient::SendBookmarks() {
  std::lock_guard lock(state_->mutex);
  for (FakeWatch* w : state_->watches) {
    w->Bookmark(state_->rv);
  }
  state_->changed.notify_all();
}

int FakeClient::OpenWatches() const {
  std::lock_guard lock(state_->mutex);
  return static_cast<int>(std::count_if(state_->watches.begin(), state_->watches.end(),
                                        [](const FakeWatch* w) { return w->Open(); }));
}

void FakeClient::SetExpiredAsErrorEvent(bool on) {
  std::lock_guard lock(state_->mutex);
  state_->expired_as_event = on;
}

}  // namespace spyt::fakes

#pragma once

// An in-memory StateStore (livy_server/state_store.h) for unit tests: what a
// test preloads is what Load() returns (problems included), and every write
// is kept for the test to inspect. Records go through the JSON codec both
// ways, as the file store's do. While `failure` is set, every write throws
// StateStoreError with it (a full disk). Thread-safe.

#include <map>
#include <mutex>

#include "livy_server/state_codec.h"
#include "livy_server/state_store.h"

namespace spyt::fakes {

class FakeStateStore : public livy_server::StateStore {
 public:
  livy_server::StoredState Load() override {
    std::lock_guard<std::mutex> lock(mu);
    livy_server::StoredState out;
    for (const auto& [id, v] : sessions) out.sessions.push_back(livy_server::SessionFromRecord(v));
    for (const auto& [id, v] : batches) out.batches.push_back(livy_server::BatchFromRecord(v));
    out.next_session = next_session;
    out.next_batch = next_batch;
    out.problems = problems;
    return out;
  }
  void SaveSession(const livy_server::Session& s) override {
    std::lock_guard<std::mutex> lock(mu);
    ThrowIfFailing();
    sessions[s.id] = livy_server::SessionRecord(s);
  }
  void SaveBatch(const livy_server::Batch& b) override {
    std::lock_guard<std::mutex> lock(mu);
    ThrowIfFailing();
    batches[b.id] = livy_server::BatchRecord(b);
  }
  void RemoveSession(std::int64_t id) override {
    std::lock_guard<std::mutex> lock(mu);
    ThrowIfFailing();
    sessions.erase(id);
  }
  void RemoveBatch(std::int64_t id) override {
    std::lock_guard<std::mutex> lock(mu);
    ThrowIfFailing();
    batches.erase(id);
  }
  void SaveNextIds(std::int64_t s, std::int64_t b) override {
    std::lock_guard<std::mutex> lock(mu);
    ThrowIfFailing();
    next_session = s;
    next_batch = b;
  }

  void ThrowIfFailing() const {
    if (!failure.empty()) throw livy_server::StateStoreError(failure);
  }

  // The stored session as the store holds it now.
  livy_server::Session StoredSession(std::int64_t id) {
    std::lock_guard<std::mutex> lock(mu);
    return livy_server::SessionFromRecord(sessions.at(id));
  }

  void SetFailure(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    failure = what;
  }

  std::mutex mu;
  std::string failure;  // guarded by mu
  std::map<std::int64_t, json::Value> sessions;
  std::map<std::int64_t, json::Value> batches;
  std::int64_t next_session = 0;
  std::int64_t next_batch = 0;
  std::vector<livy_server::StateProblem> problems;
};

}  // namespace spyt::fakes

#pragma once

// Where the server keeps its sessions, statements, batches and id counters so
// that a restarted server serves them again (README "The Livy server").
//
// The file store's layout under its directory (0700, files 0600: session
// records hold the conf as given, secrets included):
//   sessions/<id>.json, batches/<id>.json  one record each (state_codec.h)
//   next_ids.json                          {"session": N, "batch": M}
// Every write is atomic: a temporary file, fsync, rename, fsync of the
// directory; a reader sees the old record or the new one, never half.
//
// Load() never throws for a bad file: a record that cannot be read (torn,
// truncated, not ours) is renamed <name>.unreadable, reported in `problems`
// (the file and what is wrong) and skipped. The next ids are at least one
// above every id seen, unreadable records included, so no id is reused.
//
// Thread-safe.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "livy_server/records.h"

namespace spyt::livy_server {

class StateStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StateProblem {
  std::string file;
  std::string problem;
};

struct StoredState {
  std::vector<Session> sessions;  // by id
  std::vector<Batch> batches;     // by id
  std::int64_t next_session = 0;
  std::int64_t next_batch = 0;
  std::vector<StateProblem> problems;
};

class StateStore {
 public:
  virtual ~StateStore() = default;
  virtual StoredState Load() = 0;
  // Writes throw StateStoreError when the record cannot be written.
  virtual void SaveSession(const Session& s) = 0;
  virtual void SaveBatch(const Batch& b) = 0;
  virtual void RemoveSession(std::int64_t id) = 0;
  virtual void RemoveBatch(std::int64_t id) = 0;
  virtual void SaveNextIds(std::int64_t next_session, std::int64_t next_batch) = 0;
};

// Creates `dir` when missing. Throws StateStoreError when it cannot.
std::unique_ptr<StateStore> MakeFileStateStore(const std::string& dir);

// Writes `text` to `path` atomically (see above), mode 0600.
// Throws StateStoreError.
void WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace spyt::livy_server

#pragma once

// Every session, statement and batch the server knows, and the rules SPYT
// configures Livy with (livy.conf as spyt-launcher used to write it):
//   - the limit (livy.server.session.max-creation): sessions and batches that
//     have not ended count, idle sessions included; one more is refused;
//   - the idle timeout (livy.server.session.timeout, skip-busy): a session with
//     no statement waiting or running and no activity for that long is ended,
//     a busy one never is;
//   - retention (livy.server.session.state-retain.sec): ended sessions and
//     batches stay listed that long, then are forgotten;
//   - ids are never reused.
// Activity is what a client does with a session: creating it, a statement
// sent, run to its end or cancelled, find-by-user. GETs do not count, so a
// monitor polling the listing keeps nothing alive.
//
// Every change is also noted for the state store: TakeChanges() hands the
// records changed since its previous call (the server writes them), and
// Restore() loads what a previous server stored.
//
// No I/O: the server applies what the drivers report. Thread-safe (one mutex).

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/clock.h"
#include "livy_server/records.h"
#include "livy_server/requests.h"
#include "livy_server/state_store.h"

namespace spyt::livy_server {

// Livy's 400 at the limit.
inline constexpr const char* kTooManySessions = "Rejected, too many sessions are being created!";

class LimitReached : public std::runtime_error {
 public:
  LimitReached() : std::runtime_error(kTooManySessions) {}
};

// 404: what() is Livy's message ("Session '7' not found.").
class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RegistryConfig {
  int max_sessions = 3;
  std::chrono::milliseconds session_timeout{std::chrono::minutes(10)};
  std::chrono::milliseconds retain{std::chrono::seconds(600)};
};

// Counts for /metrics.
struct RegistryStats {
  std::map<std::pair<std::string, std::string>, int> sessions;  // (kind, state) -> count
  std::map<std::string, int> batches;                           // state -> count
  std::map<std::string, int> statements;                        // state -> count
  int live = 0;                                                 // what the limit counts
};

// What changed since the previous TakeChanges().
struct RegistryChanges {
  std::vector<Session> sessions;  // as they are now
  std::vector<Batch> batches;
  std::vector<std::int64_t> removed_sessions;
  std::vector<std::int64_t> removed_batches;
  bool next_ids = false;  // a new id was handed out
  std::int64_t next_session = 0;
  std::int64_t next_batch = 0;
  bool empty() const {
    return sessions.empty() && batches.empty() && removed_sessions.empty() &&
           removed_batches.empty() && !next_ids;
  }
};

class Registry {
 public:
  Registry(RegistryConfig config, Clock& clock);

  // A new session in state starting. Throws LimitReached.
  Session AddSession(SessionRequest request, const std::string& owner);
  // A new batch in state starting. Throws LimitReached.
  Batch AddBatch(BatchRequest request, const std::string& owner);

  std::optional<Session> GetSession(std::int64_t id) const;
  std::optional<Batch> GetBatch(std::int64_t id) const;
  std::vector<Session> Sessions() const;  // by id
  std::vector<Batch> Batches() const;
  // Throws NotFound.
  Session SessionOrThrow(std::int64_t id) const;
  Batch BatchOrThrow(std::int64_t id) const;

  // Forgets a session or batch (DELETE); false when unknown.
  bool RemoveSession(std::int64_t id);
  bool RemoveBatch(std::int64_t id);

  // From the session's driver.
  void SetLogPath(std::int64_t id, const std::string& path);
  void SessionReady(std::int64_t id, const std::string& app_id, const std::string& spark_ui);
  // The driver is gone: error while starting, dead after, killed when asked to stop.
  void SessionExited(std::int64_t id, const std::string& how);
  void SessionStopping(std::int64_t id);
  void ApplyUpdates(std::int64_t id, const std::vector<Statement>& updates);

  // A new statement, waiting. Throws NotFound, or BadRequest when the session
  // has ended or is ending.
  Statement AddStatement(std::int64_t id, const StatementRequest& request);
  // Statements of a session that are waiting with an id above `after`.
  std::vector<Statement> WaitingStatements(std::int64_t id, std::int64_t after) const;
  // Marks a waiting or running statement cancelling (returns it); an ended one is
  // returned unchanged. Throws NotFound.
  Statement CancelStatement(std::int64_t id, std::int64_t statement_id);

  // The first active session of `user`, its idle timer restarted.
  std::optional<Session> FindByUser(const std::string& user);

  // Batches: started, running with an app id, ended.
  void SetBatchLogPath(std::int64_t id, const std::string& path);
  void BatchRunning(std::int64_t id, const std::string& app_id);
  void BatchExited(std::int64_t id, bool success);

  // Idle sessions past the timeout become shutting_down (their ids are
  // returned: the caller stops their drivers); ended records past retention
  // are forgotten.
  std::vector<std::int64_t> Sweep();

  RegistryStats Stats() const;

  // Loads a previous server's records (before any other call): ids continue
  // above the highest stored, idle timers restart now, ended records keep
  // the rest of their retention. Nothing is marked changed.
  void Restore(const StoredState& stored);
  // The driver of a restored session is gone: the session is dead and its
  // unfinished statements are cancelled, their output an error naming `why`.
  void SessionLost(std::int64_t id, const std::string& why);
  RegistryChanges TakeChanges();
  // Marks `changes` (taken but not written) as changed again, so the next
  // TakeChanges() hands them out once more.
  void ReturnChanges(const RegistryChanges& changes);

 private:
  int LiveLocked() const;
  Session& SessionLocked(std::int64_t id);
  void RefreshBusyLocked(Session& s);

  const RegistryConfig config_;
  Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::int64_t, Session> sessions_;
  std::map<std::int64_t, Batch> batches_;
  std::int64_t next_session_ = 0;
  std::int64_t next_batch_ = 0;
  // For TakeChanges().
  std::set<std::int64_t> changed_sessions_, changed_batches_;
  std::set<std::int64_t> removed_sessions_, removed_batches_;
  bool next_ids_changed_ = false;
};

}  // namespace spyt::livy_server

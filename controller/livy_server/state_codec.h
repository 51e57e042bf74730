#pragma once

// The JSON of a session's or batch's record in the server's state directory
// (state_store.h): everything needed to serve it again after a restart, the
// request as given (conf with its secrets: the files are the owner's only),
// the state, the app id, the log path and the statements with their outputs.
// Pure: no I/O, no clock.

#include <stdexcept>

#include "common/json.h"
#include "livy_server/records.h"

namespace spyt::livy_server {

// A record that is not what this server writes (a missing or mistyped field).
class BadRecord : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

json::Value SessionRecord(const Session& s);
json::Value BatchRecord(const Batch& b);
// Throw BadRecord naming the first bad field. The steady-clock times
// (last_activity, ended_at) are left for the registry to set.
Session SessionFromRecord(const json::Value& v);
Batch BatchFromRecord(const json::Value& v);

}  // namespace spyt::livy_server

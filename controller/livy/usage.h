#pragma once

// What a Livy server is doing with its session limit, read from its REST API.
// Livy rejects POST /sessions and POST /batches with 400 "Rejected, too many
// sessions are being created!" once its live child processes reach
// livy.server.session.max-creation. In client deploy mode a session's child
// process lives as long as the session, so every session or batch that has not
// ended counts, idle ones included.

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace spyt::livy {

// Livy answered something this code cannot read, or did not answer at all.
class LivyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True for the states of a session or batch whose child process still runs
// (not_started, starting, recovering, idle, running, busy, shutting_down, and any
// state a newer Livy adds); false for the ended ones: error, dead, killed, success.
bool CountsTowardLimit(std::string_view state);

struct Usage {
  std::map<std::string, int> sessions;  // interactive sessions by state
  std::map<std::string, int> batches;   // batches by state
  int in_use = 0;                       // sessions + batches that count toward the limit

  void Add(bool batch, const std::string& state);
  friend bool operator==(const Usage&, const Usage&) = default;
};

// One page of GET /sessions or GET /batches: {"from":0,"total":N,"sessions":[...]}
// (the array is named "sessions" on both endpoints).
struct Page {
  int total = 0;
  std::vector<std::string> states;
};

// Throws LivyError naming what is wrong with the document.
Page ParsePage(std::string_view body);

// "2 idle, 1 busy" (states in name order), or "none".
std::string DescribeStates(const std::map<std::string, int>& by_state);

}  // namespace spyt::livy

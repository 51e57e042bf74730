#pragma once

// The bearer token a client sends, optionally backed by a file that is re-read so a
// rotated service-account token is picked up: at most once per refresh period, and
// on demand after a 401. Thread-safe.

#include <chrono>
#include <mutex>
#include <string>

#include "common/clock.h"

namespace spyt::kube {

class BearerToken {
 public:
  // file "" : a fixed token. Otherwise `token` is the initial value (read again now
  // when empty); a file that cannot be read later keeps the last good token.
  BearerToken(std::string token, std::string file, Clock& time = RealClock(),
              std::chrono::seconds refresh = std::chrono::seconds(60));

  // The current token ("" when none is configured).
  std::string Get();
  // Re-reads the file now (after a 401); true when the token changed.
  bool Reload();

 private:
  // With mu_ held.
  bool ReadFileLocked();

  const std::string file_;
  Clock& time_;
  const std::chrono::seconds refresh_;
  std::mutex mu_;
  std::string token_;
  Clock::TimePoint read_at_;
};

}  // namespace spyt::kube

#pragma once

// The server's side of one connection as pure logic: turns the bytes a client sends
// into requests, one at a time, with the server's limits applied. No sockets here: the
// server (socket_server.cpp) reads and writes, this decides, and every rule is
// unit-tested and fuzzed without a peer.
//
//   Read(in) consumes what it can of `in` and says what happened:
//   - kNeedMore: wait for more bytes;
//   - kContinue: the client waits for "100 Continue" before it sends its body (send it
//     unless the body is here already; then call Read again);
//   - kRequest:  a request is complete: Take() it (the reader is then ready for the
//     next one, which may already be buffered);
//   - kError:    the bytes are not HTTP/1.1 this server accepts; answer error_status()
//     with error() and close the connection.
//
// A head over http1::kMaxHeadBytes is 431; a malformed one, or broken body framing, 400.
// A body over max_body is not read: the request is complete at once with
// body_too_large, and close_after is set (its bytes would otherwise be read as the
// next request).
//
// Thread-safety: one reader per connection, used by one thread at a time.

#include <cstddef>
#include <optional>
#include <string>

#include "http/http.h"
#include "http/http1.h"

namespace spyt::http {

class RequestReader {
 public:
  enum class Step { kNeedMore, kContinue, kRequest, kError };

  struct Taken {
    Request request;
    http1::RequestHead head;  // method and version: what framing the answer needs
    bool close_after = false;
  };

  explicit RequestReader(std::size_t max_body) : max_body_(max_body) {}

  Step Read(std::string& in);
  Taken Take();

  // No complete head yet: between requests, or within a head.
  bool reading_head() const { return phase_ == Phase::kHead; }
  int error_status() const { return error_status_; }
  const std::string& error() const { return error_; }

 private:
  enum class Phase { kHead, kBody, kComplete, kFailed };
  Step Fail(int status, std::string why);

  const std::size_t max_body_;
  Phase phase_ = Phase::kHead;
  http1::RequestHead head_;
  std::optional<http1::BodyDecoder> decoder_;
  std::string body_;
  bool too_large_ = false;
  bool close_after_ = false;
  int error_status_ = 0;
  std::string error_;
};

}  // namespace spyt::http

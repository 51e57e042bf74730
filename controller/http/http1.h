#pragma once

// HTTP/1.1 message framing for the client transport (RFC 9112), as pure functions
// over bytes: no sockets here, so every rule is unit-tested without a server.
//
//  - FormatRequest writes a request head and body: the caller's headers, Host,
//    Content-Length whenever a body is sent or the method usually carries one, and a
//    Content-Type of application/octet-stream when the caller gave none for a body.
//  - ParseResponseHead reads a status line and header fields. Names are lower-cased;
//    repeated fields are joined with ", " (RFC 9110 5.3). Malformed heads throw
//    TransportError naming the problem.
//  - BodyDecoder delivers a response body as it arrives: by Content-Length, chunked
//    (extensions and trailers skipped) or up to the close of the connection.
//
// Thread-safety: the functions are pure; a BodyDecoder belongs to one reader.

#include <cstddef>
#include <string>
#include <string_view>

#include "http/http.h"

namespace spyt::http::http1 {

// A head larger than this is refused (Kubernetes' and Livy's are well under 4 KiB).
inline constexpr std::size_t kMaxHeadBytes = 64 * 1024;

std::string FormatRequest(const Request& request, std::string_view target, std::string_view host);

struct ResponseHead {
  int status = 0;
  Headers headers;
  bool keep_alive = true;  // false after "Connection: close"

  const std::string* header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
  }
};

// `head` runs from the status line up to, not including, the empty line.
ResponseHead ParseResponseHead(std::string_view head);

// The end of the head in `buffer`: the offset just past "\r\n\r\n" (or "\n\n"), or
// npos while incomplete.
std::size_t HeadEnd(std::string_view buffer);

class BodyDecoder {
 public:
  // For the response to `method` with this head.
  BodyDecoder(std::string_view method, const ResponseHead& head);

  // Consumes bytes of `in` (all of them, or up to the end of the body) and appends
  // the body bytes among them to `out`. Returns how many bytes of `in` it consumed.
  // Throws TransportError on malformed chunk framing.
  std::size_t Feed(std::string_view in, std::string& out);

  // The body is complete.
  bool done() const { return state_ == State::kDone; }
  // The body ends only when the connection closes (neither length nor chunked).
  bool until_close() const { return state_ == State::kUntilClose; }

 private:
  enum class State { kLength, kChunkSize, kChunkData, kChunkDataEnd, kTrailer, kUntilClose, kDone };
  std::size_t FeedChunked(std::string_view in, std::string& out);
  // Consumes up to a line end into line_; true once line_ holds a whole line.
  bool TakeLine(std::string_view in, std::size_t& used);

  State state_;
  std::size_t remaining_ = 0;
  std::string line_;
};

}  // namespace spyt::http::http1

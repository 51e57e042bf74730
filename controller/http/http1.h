#pragma once

// HTTP/1.1 message framing (RFC 9112) for the client transport and the server, as
// pure functions over bytes: no sockets here, so every rule is unit-tested without a
// peer.
//
//  - FormatRequest writes a request head and body: the caller's headers, Host,
//    Content-Length whenever a body is sent or the method usually carries one, and a
//    Content-Type of application/octet-stream when the caller gave none for a body.
//  - ParseResponseHead reads a status line and header fields. Names are lower-cased;
//    repeated fields are joined with ", " (RFC 9110 5.3). Malformed heads throw
//    TransportError naming the problem.
//  - BodyDecoder delivers a response body as it arrives: by Content-Length, chunked
//    (extensions and trailers skipped) or up to the close of the connection.
//  - Server side: ParseRequestHead reads a request line and header fields (the same
//    rules for fields), BodyDecoder::ForRequest frames a request body (Content-Length
//    or chunked; never up to the close), FormatResponse writes a response.
//
// Thread-safety: the functions are pure; a BodyDecoder belongs to one reader.

#include <cstddef>
#include <string>
#include <string_view>

#include "http/http.h"

namespace spyt::http::http1 {

// A head larger than this is refused (Kubernetes' and Livy's are well under 4 KiB).
inline constexpr std::size_t kMaxHeadBytes = 64 * 1024;

// ASCII lower case (header names, tokens).
std::string Lower(std::string_view s);

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

struct RequestHead {
  std::string method;
  std::string target;  // as sent: path and query
  Headers headers;
  bool keep_alive = true;        // HTTP/1.1 without "Connection: close", or 1.0 with keep-alive
  bool http10 = false;           // answer a 1.0 client's keep-alive explicitly
  bool expect_continue = false;  // "Expect: 100-continue"

  const std::string* header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
  }
};

// `head` runs from the request line up to, not including, the empty line. Empty lines
// before the request line are skipped (RFC 9112 2.2). Throws TransportError.
RequestHead ParseRequestHead(std::string_view head);

// The response to a request: status line, the handler's headers (Content-Length,
// Transfer-Encoding and Connection are the server's), Content-Type text/plain when
// none, Content-Length, "Connection: close" when `close`, and the body unless the
// request was HEAD or the status carries none. Throws TransportError for a header name
// that is not a token or a value with a line break.
std::string FormatResponse(const Response& response, const RequestHead& request, bool close);

class BodyDecoder {
 public:
  // For the response to `method` with this head.
  BodyDecoder(std::string_view method, const ResponseHead& head);
  // For a request body: chunked when Transfer-Encoding ends with chunked, else by
  // Content-Length, else none. Throws TransportError for another transfer coding or an
  // invalid length.
  static BodyDecoder ForRequest(const RequestHead& head);

  // Bytes of a Content-Length body not fed yet (0 for other framings): read before
  // the first Feed, a request's declared length, which a server may refuse unread.
  std::size_t length_left() const { return state_ == State::kLength ? remaining_ : 0; }

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
  explicit BodyDecoder(State state) : state_(state) {}
  std::size_t FeedChunked(std::string_view in, std::string& out);
  // Consumes up to a line end into line_; true once line_ holds a whole line.
  bool TakeLine(std::string_view in, std::size_t& used);

  State state_;
  std::size_t remaining_ = 0;
  std::string line_;
};

}  // namespace spyt::http::http1

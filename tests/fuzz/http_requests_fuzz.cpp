// The bytes a client sends the HTTP server (the Livy REST API, health, metrics), read
// by RequestReader as the server reads them. The first byte sets the size of the
// pieces the rest arrives in (1..16 bytes). Properties:
//  - pieces do not matter: the requests read, and the error that ends the connection,
//    are the same as when all the bytes arrive at once;
//  - a request never carries a body over the limit, and one over it carries none;
//  - what is accepted is sane: the method a token, the target free of spaces and
//    control characters, header values free of control characters;
//  - an answer echoing the request (its body and a header value) is framed so that our
//    client reads back exactly that status, header and body.

#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "http/http1.h"
#include "http/request_reader.h"

namespace {

using spyt::fuzz::Check;
using spyt::http::RequestReader;
namespace http1 = spyt::http::http1;

constexpr std::size_t kMaxBody = 64;

struct Outcome {
  std::vector<RequestReader::Taken> requests;
  int error_status = 0;  // 0: the bytes ended without an error
  std::size_t left = 0;  // bytes buffered at the end
};

Outcome ReadInPieces(std::string_view wire, std::size_t piece) {
  Outcome out;
  RequestReader reader(kMaxBody);
  std::string in;
  for (std::size_t at = 0; at < wire.size() || at == 0; at += piece) {
    in.append(wire.substr(at, piece));
    while (true) {
      RequestReader::Step step = reader.Read(in);
      if (step == RequestReader::Step::kContinue) continue;
      if (step == RequestReader::Step::kNeedMore) break;
      if (step == RequestReader::Step::kError) {
        out.error_status = reader.error_status();
        return out;
      }
      out.requests.push_back(reader.Take());
      if (out.requests.back().close_after) {
        return out;  // the server answers this one and closes: nothing after it is read
      }
    }
    if (at >= wire.size()) break;
  }
  out.left = in.size();
  return out;
}

bool Same(const RequestReader::Taken& a, const RequestReader::Taken& b) {
  return a.request.method == b.request.method && a.request.path == b.request.path &&
         a.request.headers == b.request.headers && a.request.body == b.request.body &&
         a.request.body_too_large == b.request.body_too_large && a.close_after == b.close_after &&
         a.head.http10 == b.head.http10;
}

bool HasControl(std::string_view s, bool allow_space) {
  for (unsigned char c : s) {
    if (c == 0x7f || (c < 0x20 && c != '\t') || (!allow_space && (c == ' ' || c == '\t'))) {
      return true;
    }
  }
  return false;
}

void CheckEcho(const RequestReader::Taken& t, std::string_view input) {
  spyt::http::Response response{200, {}, t.request.body};
  std::string value = t.request.headers.empty() ? "" : t.request.headers.begin()->second;
  response.headers["X-Echo"] = value;
  std::string wire = http1::FormatResponse(response, t.head, t.close_after);
  std::size_t end = http1::HeadEnd(wire);
  Check(end != std::string::npos, "a formatted answer has no end of head", input);
  http1::ResponseHead head = http1::ParseResponseHead(std::string_view(wire).substr(0, end));
  Check(head.status == 200, "the echoed answer's status changed", input);
  Check(head.header("x-echo") && *head.header("x-echo") == value, "the echoed header value changed",
        input);
  Check(head.keep_alive == !t.close_after, "the answer's Connection does not match", input);
  http1::BodyDecoder decoder(t.head.method, head);
  std::string body;
  std::size_t used = decoder.Feed(std::string_view(wire).substr(end), body);
  Check(decoder.done() && end + used == wire.size(), "the echoed answer is not framed exactly",
        input);
  Check(body == (t.head.method == "HEAD" ? "" : t.request.body), "the echoed body changed", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = spyt::fuzz::AsText(data, size);
  if (input.empty()) {
    return 0;
  }
  const std::size_t piece = 1 + static_cast<unsigned char>(input[0]) % 16;
  const std::string_view wire = input.substr(1);
  const Outcome whole = ReadInPieces(wire, wire.size() + 1);
  const Outcome pieces = ReadInPieces(wire, piece);
  Check(whole.requests.size() == pieces.requests.size() &&
            whole.error_status == pieces.error_status && whole.left == pieces.left,
        "the pieces changed how many requests were read, the error or what was left", input);
  for (std::size_t i = 0; i < whole.requests.size(); ++i) {
    Check(Same(whole.requests[i], pieces.requests[i]), "the pieces changed a request", input);
  }
  Check(whole.error_status == 0 || whole.error_status == 400 || whole.error_status == 431,
        "an error other than 400 or 431", input);
  for (const RequestReader::Taken& t : whole.requests) {
    const spyt::http::Request& r = t.request;
    Check(r.body.size() <= kMaxBody, "a body over the limit was read", input);
    Check(!r.body_too_large || r.body.empty(), "a refused body was read", input);
    Check(!r.method.empty() && !HasControl(r.method, false), "a method that is not a token", input);
    Check(!r.path.empty() && !HasControl(r.path, false), "a target with spaces or controls", input);
    for (const auto& [name, value] : r.headers) {
      Check(!HasControl(value, true), "a header value with a control character", input);
      Check(name == http1::Lower(name), "a header name not lower-cased", input);
    }
    CheckEcho(t, input);
  }
  return 0;
}

#include "http/http1.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace spyt::http::http1 {
namespace {

// Chunk-size and trailer lines are short; a longer one is a broken or hostile peer.
constexpr std::size_t kMaxLineBytes = 4096;

bool IsTokenChar(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return IsTokenChar(c); });
}

// A field value or request target must not carry a line break (request splitting).
bool HasControl(std::string_view s, bool allow_space) {
  return std::any_of(s.begin(), s.end(), [allow_space](unsigned char c) {
    return c == 0x7f || (c < 0x20 && c != '\t') || (!allow_space && (c == ' ' || c == '\t'));
  });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// The comma-separated elements of a field value, trimmed and lower-cased.
bool ListHas(const std::string* value, std::string_view wanted) {
  if (value == nullptr) {
    return false;
  }
  std::string_view rest = *value;
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    if (Lower(item) == wanted) {
      return true;
    }
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return false;
}

std::string_view LastListItem(const std::string& value) {
  std::size_t comma = value.rfind(',');
  return Trim(comma == std::string::npos ? std::string_view(value)
                                         : std::string_view(value).substr(comma + 1));
}

// Content-Length: digits only; a repeated field (joined with ", ") must agree.
std::size_t ParseContentLength(const std::string& value) {
  std::string_view rest = value;
  std::optional<std::size_t> length;
  while (true) {
    std::size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), n);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() ||
        (length && *length != n)) {
      throw TransportError("invalid Content-Length '" + value + "'");
    }
    length = n;
    if (comma == std::string_view::npos) {
      return n;
    }
    rest = rest.substr(comma + 1);
  }
}

// Header field lines, after the start line, into `out` (names lower-cased, repeated
// fields joined).
void ParseFields(std::string_view rest, Headers& out) {
  while (!rest.empty()) {
    std::size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      throw TransportError("malformed header line '" + std::string(line.substr(0, 80)) + "'");
    }
    std::string name = Lower(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (HasControl(value, true)) {  // a bare CR or a NUL inside a field: smuggling or garbage
      throw TransportError("a control character in header '" + name + "'");
    }
    auto [it, added] = out.emplace(name, value);
    if (!added && !value.empty()) {  // repeated: one comma-separated list, empty items dropped
      it->second.append(it->second.empty() ? "" : ", ").append(value);
    }
  }
}

// The first line of `head` without its line end, and the rest after it.
std::string_view FirstLine(std::string_view head, std::string_view& rest) {
  std::size_t eol = head.find('\n');
  std::string_view line = head.substr(0, eol);
  rest = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 1);
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  return line;
}

}  // namespace

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string FormatRequest(const Request& request, std::string_view target, std::string_view host) {
  if (!IsToken(request.method)) {
    throw TransportError("invalid request method '" + request.method + "'");
  }
  if (target.empty() || HasControl(target, false)) {
    throw TransportError("invalid request path '" + std::string(target) + "'");
  }
  std::string out;
  out.reserve(128 + target.size() + request.body.size());
  out.append(request.method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ");
  out.append(host).append("\r\n");
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name) || HasControl(value, true)) {
      throw TransportError("invalid request header '" + name + "'");
    }
    std::string lower = Lower(name);
    if (lower == "host" || lower == "content-length" || lower == "transfer-encoding" ||
        lower == "connection") {
      continue;  // the transport frames the message and owns the connection
    }
    has_content_type = has_content_type || lower == "content-type";
    out.append(name).append(": ").append(value).append("\r\n");
  }
  bool carries_body = !request.body.empty() || request.method == "POST" ||
                      request.method == "PUT" || request.method == "PATCH";
  if (!request.body.empty() && !has_content_type) {
    out.append("Content-Type: application/octet-stream\r\n");
  }
  if (carries_body) {
    out.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  }
  out.append("\r\n").append(request.body);
  return out;
}

std::size_t HeadEnd(std::string_view buffer) {
  for (std::size_t i = buffer.find('\n'); i != std::string_view::npos;
       i = buffer.find('\n', i + 1)) {
    if (i + 1 < buffer.size() && buffer[i + 1] == '\n') {
      return i + 2;
    }
    if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') {
      return i + 3;
    }
  }
  return std::string_view::npos;
}

ResponseHead ParseResponseHead(std::string_view head) {
  ResponseHead out;
  std::string_view rest;
  std::string_view status_line = FirstLine(head, rest);
  // "HTTP/1.1 200 OK": the version, a space, three digits, then the optional reason.
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." ||
      !std::isdigit(static_cast<unsigned char>(status_line[7])) || status_line[8] != ' ' ||
      !std::all_of(status_line.begin() + 9, status_line.begin() + 12,
                   [](unsigned char c) { return std::isdigit(c); }) ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    throw TransportError("malformed status line '" + std::string(status_line.substr(0, 80)) + "'");
  }
  out.status =
      (status_line[9] - '0') * 100 + (status_line[10] - '0') * 10 + (status_line[11] - '0');
  if (out.status < 100) {
    throw TransportError("invalid status code in '" + std::string(status_line) + "'");
  }
  bool http10 = status_line[7] == '0';
  ParseFields(rest, out.headers);
  const std::string* connection = out.header("connection");
  out.keep_alive = http10 ? ListHas(connection, "keep-alive") : !ListHas(connection, "close");
  return out;
}

RequestHead ParseRequestHead(std::string_view head) {
  while (!head.empty() && (head.front() == '\r' || head.front() == '\n')) {
    head.remove_prefix(1);
  }
  RequestHead out;
  std::string_view rest;
  std::string_view line = FirstLine(head, rest);
  // "GET /path?q HTTP/1.1": single spaces between the three parts.
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    throw TransportError("malformed request line '" + std::string(line.substr(0, 80)) + "'");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) {
    throw TransportError("invalid request method '" + std::string(method.substr(0, 40)) + "'");
  }
  if (target.empty() || HasControl(target, false)) {
    throw TransportError("invalid request target");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    throw TransportError("unsupported HTTP version '" + std::string(version.substr(0, 20)) + "'");
  }
  out.method = method;
  out.target = target;
  out.http10 = version == "HTTP/1.0";
  ParseFields(rest, out.headers);
  const std::string* connection = out.header("connection");
  out.keep_alive = out.http10 ? ListHas(connection, "keep-alive") : !ListHas(connection, "close");
  out.expect_continue = !out.http10 && ListHas(out.header("expect"), "100-continue");
  return out;
}

namespace {

const char* Reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

}  // namespace

std::string FormatResponse(const Response& response, const RequestHead& request, bool close) {
  if (response.status < 100 || response.status > 999) {
    throw TransportError("invalid response status " + std::to_string(response.status));
  }
  const bool no_body = response.status < 200 || response.status == 204 || response.status == 304;
  std::string out;
  out.reserve(160 + response.body.size());
  out.append("HTTP/1.1 ").append(std::to_string(response.status)).append(" ");
  out.append(Reason(response.status)).append("\r\n");
  bool has_content_type = false;
  for (const auto& [name, value] : response.headers) {
    if (!IsToken(name) || HasControl(value, true)) {
      throw TransportError("invalid response header '" + name + "'");
    }
    std::string lower = Lower(name);
    if (lower == "content-length" || lower == "transfer-encoding" || lower == "connection") {
      continue;
    }
    has_content_type = has_content_type || lower == "content-type";
    out.append(name).append(": ").append(value).append("\r\n");
  }
  if (!no_body) {
    if (!has_content_type) {
      out.append("Content-Type: text/plain; charset=utf-8\r\n");
    }
    out.append("Content-Length: ").append(std::to_string(response.body.size())).append("\r\n");
  }
  if (close) {
    out.append("Connection: close\r\n");
  } else if (request.http10) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
  if (!no_body && request.method != "HEAD") {
    out.append(response.body);
  }
  return out;
}

BodyDecoder::BodyDecoder(std::string_view method, const ResponseHead& head) {
  if (method == "HEAD" || head.status < 200 || head.status == 204 || head.status == 304) {
    state_ = State::kDone;
  } else if (const std::string* te = head.header("transfer-encoding")) {
    state_ = Lower(LastListItem(*te)) == "chunked" ? State::kChunkSize : State::kUntilClose;
  } else if (const std::string* length = head.header("content-length")) {
    remaining_ = ParseContentLength(*length);
    state_ = remaining_ == 0 ? State::kDone : State::kLength;
  } else {
    state_ = State::kUntilClose;
  }
}

BodyDecoder BodyDecoder::ForRequest(const RequestHead& head) {
  if (const std::string* te = head.header("transfer-encoding")) {
    if (Lower(LastListItem(*te)) != "chunked") {
      throw TransportError("unsupported Transfer-Encoding '" + te->substr(0, 40) + "'");
    }
    return BodyDecoder(State::kChunkSize);
  }
  BodyDecoder out(State::kDone);
  if (const std::string* length = head.header("content-length")) {
    out.remaining_ = ParseContentLength(*length);
    out.state_ = out.remaining_ == 0 ? State::kDone : State::kLength;
  }
  return out;
}

std::size_t BodyDecoder::Feed(std::string_view in, std::string& out) {
  switch (state_) {
    case State::kDone:
      return 0;
    case State::kUntilClose:
      out.append(in);
      return in.size();
    case State::kLength: {
      std::size_t n = std::min(remaining_, in.size());
      out.append(in.substr(0, n));
      remaining_ -= n;
      if (remaining_ == 0) {
        state_ = State::kDone;
      }
      return n;
    }
    default:
      return FeedChunked(in, out);
  }
}

bool BodyDecoder::TakeLine(std::string_view in, std::size_t& used) {
  std::size_t nl = in.find('\n', used);
  std::size_t end = nl == std::string_view::npos ? in.size() : nl;
  line_.append(in.substr(used, end - used));
  used = nl == std::string_view::npos ? in.size() : nl + 1;
  if (line_.size() > kMaxLineBytes) {
    throw TransportError("chunked body: a line longer than " + std::to_string(kMaxLineBytes) +
                         " bytes");
  }
  if (nl == std::string_view::npos) {
    return false;
  }
  if (!line_.empty() && line_.back() == '\r') {
    line_.pop_back();
  }
  return true;
}

std::size_t BodyDecoder::FeedChunked(std::string_view in, std::string& out) {
  std::size_t used = 0;
  while (used < in.size() && state_ != State::kDone) {
    if (state_ == State::kChunkData) {
      std::size_t n = std::min(remaining_, in.size() - used);
      out.append(in.substr(used, n));
      used += n;
      remaining_ -= n;
      if (remaining_ == 0) {
        state_ = State::kChunkDataEnd;
      }
      continue;
    }
    if (!TakeLine(in, used)) {
      break;
    }
    std::string line = std::move(line_);
    line_.clear();
    if (state_ == State::kChunkSize) {
      std::string_view size = Trim(std::string_view(line).substr(0, line.find(';')));
      auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), remaining_, 16);
      if (size.empty() || ec != std::errc() || end != size.data() + size.size()) {
        throw TransportError("chunked body: invalid chunk size '" + line.substr(0, 40) + "'");
      }
      state_ = remaining_ == 0 ? State::kTrailer : State::kChunkData;
    } else if (state_ == State::kChunkDataEnd) {
      if (!line.empty()) {
        throw TransportError("chunked body: a chunk runs past its size");
      }
      state_ = State::kChunkSize;
    } else if (line.empty()) {  // kTrailer: fields are skipped up to the empty line
      state_ = State::kDone;
    }
  }
  return used;
}

}  // namespace spyt::http::http1

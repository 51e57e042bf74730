// http::Transport over our own HTTP/1.1 client: blocking sockets and OpenSSL, one
// request at a time per connection, in the calling thread.
//
// Why not cpprestsdk's client (used before): each request crossed four or five task
// hand-offs between its thread pool and the caller, which the operator's CPU profile
// showed as ~30% of its time at 1000 clusters; a blocking exchange on the caller's
// thread costs two system calls for a small request and none of that.
//
// Connections: Send keeps finished keep-alive connections in a pool (at most
// kMaxIdle) and reuses one only when nothing has arrived on it since (a server that
// closed an idle connection shows as readable). A request whose reused connection
// closes before any byte of the answer came back is sent once more on a new
// connection, except POST (it may have been processed); a timeout is not retried. Each Stream has a
// connection of its own, closed when the stream is destroyed or canceled.
//
// Timeouts bound inactivity: the connect, the handshake and each read or write (so a
// watch may stream for longer than its timeout, as long as lines keep coming).

#include <algorithm>
#include <atomic>
#include <mutex>
#include <utility>
#include <vector>

#include "http/connection.h"
#include "http/endpoint.h"
#include "http/http.h"
#include "http/http1.h"
#include "http/tls_material.h"

namespace spyt::http {
namespace {

constexpr size_t kMaxIdle = 32;
constexpr size_t kReadSize = 16 * 1024;

// Reads one response from a connection: the head, then the body through a decoder.
class ResponseReader {
 public:
  explicit ResponseReader(Connection& conn) : conn_(conn) {}

  // Skips interim (1xx) responses. Throws TransportError.
  http1::ResponseHead ReadHead() {
    while (true) {
      size_t end;
      while ((end = http1::HeadEnd(buffer_)) == std::string::npos) {
        if (buffer_.size() > http1::kMaxHeadBytes) {
          throw TransportError("response head larger than " + std::to_string(http1::kMaxHeadBytes) +
                               " bytes");
        }
        if (Fill() == 0) {
          throw TransportError(buffer_.empty() ? "connection closed before a response"
                                               : "connection closed within the response head");
        }
      }
      http1::ResponseHead head = http1::ParseResponseHead(std::string_view(buffer_).substr(0, end));
      buffer_.erase(0, end);
      if (head.status >= 200 || head.status == 101) {
        return head;
      }
    }
  }

  // Feeds the decoder what is buffered, then reads until it is done (or, for a body
  // that ends with the connection, until the close). Returns false when the connection
  // closed first; a read error throws.
  bool ReadSome(http1::BodyDecoder& decoder, std::string& out) {
    if (buffer_.empty() && Fill() == 0) {
      return decoder.until_close();
    }
    size_t used = decoder.Feed(buffer_, out);
    buffer_.erase(0, used);
    if (decoder.done()) {
      surplus_ = !buffer_.empty();  // bytes after the body: the connection is not reused
      buffer_.clear();
    }
    return true;
  }

  void ReadBody(http1::BodyDecoder& decoder, std::string& out) {
    while (!decoder.done()) {
      if (!ReadSome(decoder, out)) {
        throw TransportError("connection closed within the response body");
      }
      if (decoder.until_close() && closed_) {  // closed_: the last Fill, on an empty buffer, read 0
        return;
      }
    }
  }

  bool received_any() const { return received_any_; }
  // The server sent more than the body: its framing cannot be trusted for another request.
  bool surplus() const { return surplus_; }
  bool closed() const { return closed_; }

 private:
  size_t Fill() {
    char chunk[kReadSize];  // not buffer_.resize(): that would zero 16 KiB per read
    size_t n = conn_.Read(chunk, kReadSize);
    buffer_.append(chunk, n);
    received_any_ = received_any_ || n > 0;
    closed_ = n == 0;
    return n;
  }

  Connection& conn_;
  std::string buffer_;
  bool received_any_ = false;
  bool surplus_ = false;
  bool closed_ = false;
};

class SocketLineStream : public LineStream {
 public:
  SocketLineStream(std::unique_ptr<Connection> conn, std::unique_ptr<ResponseReader> reader,
                   std::string_view method, const http1::ResponseHead& head)
      : conn_(std::move(conn)),
        reader_(std::move(reader)),
        decoder_(method, head),
        status_(head.status) {}

  int status() const override { return status_; }

  std::optional<std::string> Next() override {
    while (!canceled_) {
      size_t newline = pending_.find('\n', scanned_);
      if (newline != std::string::npos) {
        std::string line = pending_.substr(start_, newline - start_);
        start_ = scanned_ = newline + 1;
        if (!line.empty() && line.back() == '\r') {
          line.pop_back();
        }
        return line;
      }
      scanned_ = pending_.size();
      if (ended_) {
        if (start_ == pending_.size()) {
          return std::nullopt;
        }
        std::string last = pending_.substr(start_);
        start_ = scanned_ = pending_.size();
        return last;
      }
      Fill();
    }
    return std::nullopt;
  }

  void Cancel() override {
    canceled_ = true;
    conn_->Shutdown();
  }

 private:
  void Fill() {
    if (start_ > 0 && start_ * 2 >= pending_.size()) {
      pending_.erase(0, start_);
      scanned_ -= start_;
      start_ = 0;
    }
    try {
      if (decoder_.done()) {
        ended_ = true;
      } else if (!reader_->ReadSome(decoder_, pending_)) {
        if (!canceled_) {
          throw TransportError("connection closed within the body");
        }
        ended_ = true;
      } else if (decoder_.until_close() && reader_->closed()) {
        ended_ = true;
      }
    } catch (const TransportError& e) {
      ended_ = true;
      if (!canceled_) {
        throw TransportError(std::string("stream broke: ") + e.what());
      }
    }
  }

  std::unique_ptr<Connection> conn_;
  std::unique_ptr<ResponseReader> reader_;
  http1::BodyDecoder decoder_;
  int status_;
  std::string pending_;
  size_t start_ = 0;    // first byte of pending_ not yet returned
  size_t scanned_ = 0;  // bytes of pending_ already searched for '\n'
  bool ended_ = false;
  std::atomic<bool> canceled_{false};
};

class SocketTransport : public Transport {
 public:
  SocketTransport(Endpoint endpoint, std::string base_url, const TlsConfig& tls)
      : endpoint_(std::move(endpoint)), base_url_(std::move(base_url)) {
    target_.host = endpoint_.host;
    target_.port = endpoint_.port;
    target_.verify_name = tls.server_name.empty() ? endpoint_.host : tls.server_name;
    host_header_ = tls.server_name.empty() ? endpoint_.authority : tls.server_name;
    if (endpoint_.tls) {
      ctx_ = tls::NewClientContext(tls::ParseTls(tls));
    } else {
      tls::ParseTls(tls);  // the same checks of the material, though no TLS is spoken
    }
  }

  Response Send(const Request& request) override {
    std::string wire = http1::FormatRequest(request, Target(request), host_header_);
    for (int attempt = 0;; ++attempt) {
      auto [conn, reused] = Acquire(request);
      ResponseReader reader(*conn);
      try {
        conn->WriteAll(wire);
        http1::ResponseHead head = reader.ReadHead();
        http1::BodyDecoder decoder(request.method, head);
        Response out;
        reader.ReadBody(decoder, out.body);
        out.status = head.status;
        out.headers = std::move(head.headers);
        if (head.keep_alive && decoder.done() && !reader.surplus()) {
          Release(std::move(conn));
        }
        return out;
      } catch (const TransportError& e) {
        if (reused && attempt == 0 && !reader.received_any() && !conn->timed_out() &&
            request.method != "POST") {
          continue;  // the server closed the idle connection as we sent on it
        }
        throw Failure(request, e);
      }
    }
  }

  std::unique_ptr<LineStream> Stream(const Request& request) override {
    std::string wire = http1::FormatRequest(request, Target(request), host_header_);
    std::unique_ptr<Connection> conn = Open(request);
    auto reader = std::make_unique<ResponseReader>(*conn);
    try {
      conn->WriteAll(wire);
      http1::ResponseHead head = reader->ReadHead();
      return std::make_unique<SocketLineStream>(std::move(conn), std::move(reader), request.method,
                                                head);
    } catch (const TransportError& e) {
      throw Failure(request, e);
    }
  }

 private:
  std::string Target(const Request& request) const {
    if (request.path.empty()) {
      return endpoint_.prefix + "/";
    }
    return request.path.front() == '/' ? endpoint_.prefix + request.path
                                       : endpoint_.prefix + "/" + request.path;
  }

  TransportError Failure(const Request& request, const std::exception& e) const {
    return TransportError(request.method + " " + base_url_ + request.path + ": " + e.what());
  }

  std::unique_ptr<Connection> Open(const Request& request) {
    try {
      return Connection::Open(target_, ctx_.get(), request.timeout);
    } catch (const TransportError& e) {
      throw Failure(request, e);
    }
  }

  // A pooled connection that can take a request (reused = true), or a new one.
  std::pair<std::unique_ptr<Connection>, bool> Acquire(const Request& request) {
    while (true) {
      std::unique_ptr<Connection> conn;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (idle_.empty()) {
          break;
        }
        conn = std::move(idle_.back());
        idle_.pop_back();
      }
      if (conn->Reusable()) {
        conn->SetTimeout(request.timeout);
        return {std::move(conn), true};
      }
    }
    return {Open(request), false};
  }

  void Release(std::unique_ptr<Connection> conn) {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < kMaxIdle) {
      idle_.push_back(std::move(conn));
    }
  }

  const Endpoint endpoint_;
  const std::string base_url_;
  ConnectTarget target_;
  std::string host_header_;
  tls::CtxPtr ctx_;  // null for http
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace

std::unique_ptr<Transport> MakeTransport(const std::string& base_url, const TlsConfig& tls) {
  return std::make_unique<SocketTransport>(ParseEndpoint(base_url), base_url, tls);
}

}  // namespace spyt::http

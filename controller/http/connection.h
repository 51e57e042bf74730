#pragma once

// One client connection to a server over TCP, plain or TLS (OpenSSL), with blocking
// I/O bounded by an inactivity timeout: each read or write that waits longer than it
// fails with TransportError, as does a connect or handshake that takes longer.
//
// TLS peer verification is always on: the chain against the SSL_CTX's store, and
// the certificate's names against `verify_name` (a DNS name, sent as SNI too, or an
// IP literal matched against IP SANs). Writes never raise SIGPIPE.
//
// Thread-safety: one thread does the I/O; Shutdown() may be called from any other
// thread while it is blocked (the read then returns 0), but not after destruction.

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace spyt::http {

namespace detail {
struct SocketState;  // the descriptor and the last errno of its I/O
}

struct ConnectTarget {
  std::string host;  // a name to resolve, or an IP literal (no brackets)
  int port = 0;
  std::string verify_name;  // TLS only: the name the certificate must carry
};

class Connection {
 public:
  // Tries each address of target.host in turn. ctx: null for plain TCP.
  // Throws TransportError naming the failure (refused, timed out, certificate).
  static std::unique_ptr<Connection> Open(const ConnectTarget& target, SSL_CTX* ctx,
                                          std::chrono::milliseconds timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The inactivity bound of later reads and writes.
  void SetTimeout(std::chrono::milliseconds timeout);
  void WriteAll(std::string_view data);
  // Blocks until some bytes arrive; returns how many (at most `size`), 0 at the end of
  // the stream or after Shutdown().
  std::size_t Read(char* buffer, std::size_t size);
  // Makes a blocked Read return and every later read or write end.
  void Shutdown();
  // Nothing has arrived and the peer has not closed: the connection can carry another
  // request. (A server that closed an idle keep-alive connection shows up here.)
  bool Reusable() const;
  // The last failed read or write waited out the timeout (the peer did not close).
  bool timed_out() const;

 private:
  Connection(std::unique_ptr<detail::SocketState> socket, SSL* ssl);
  [[noreturn]] void Fail(const char* what) const;

  std::unique_ptr<detail::SocketState> socket_;
  SSL* ssl_;  // null for plain TCP
  std::chrono::milliseconds timeout_{0};
  std::atomic<bool> shut_{false};
};

}  // namespace spyt::http

#pragma once

// A loopback HTTP server for testing the real transport byte by byte: it listens on
// 127.0.0.1 on a free port, optionally speaks TLS (OpenSSL), and hands each accepted
// connection, one at a time, to a handler that reads the request and writes whatever
// raw bytes the test wants (chunked bodies, pauses, abrupt closes).

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace spyt::fakes {

struct ServerTls {
  std::string cert_pem;
  std::string key_pem;
  std::string client_ca_pem;  // when set, a client certificate signed by it is required
};

class ScriptedConnection {
 public:
  ScriptedConnection(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}

  // One request: the head and a Content-Length body; "" when the peer closed first.
  std::string ReadRequest();
  // False when the peer is gone.
  bool Write(std::string_view data);
  // Blocks until the peer closes the connection (true) or the timeout passes (false).
  bool WaitForClose(std::chrono::milliseconds timeout);
  // The CN of the client certificate ("" without TLS or certificate).
  std::string PeerCommonName() const;

 private:
  long Read(char* buf, size_t size);

  int fd_;
  SSL* ssl_;
  std::string buffered_;
};

class ScriptedServer {
 public:
  using Handler = std::function<void(ScriptedConnection&)>;

  explicit ScriptedServer(Handler handler, std::optional<ServerTls> tls = std::nullopt);
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const;
  int handshake_failures() const { return handshake_failures_; }

 private:
  void Serve();

  Handler handler_;
  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> handshake_failures_{0};
  std::thread thread_;
};

// A loopback port with nothing listening on it (bound, read back, closed).
int UnusedLoopbackPort();

}  // namespace spyt::fakes

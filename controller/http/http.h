#pragma once

// The project's own HTTP interfaces. Only controller/http/ knows how they are
// implemented (client and server on sockets, the client's TLS on OpenSSL);
// everything else talks through these types, and unit tests substitute fakes for them.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace spyt::http {

// Header names are matched case-insensitively by the implementations; keys here
// are stored lower-case.
using Headers = std::map<std::string, std::string>;

struct Request {
  std::string method = "GET";
  std::string path;  // path and query, e.g. "/api/v1/namespaces?limit=500"
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};
  // Server side: the body was larger than the server's limit and was not read
  // (body is empty then); the handler chooses the answer.
  bool body_too_large = false;
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;

  const std::string* header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
  }
};

// A failure below HTTP: connection refused, TLS handshake, timeout, reset.
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A streamed response body read line by line (Kubernetes watch streams are
// newline-delimited JSON). Thread-safety: Next() from one thread; Cancel() may be
// called from any thread and makes a blocked Next() return nullopt promptly.
class LineStream {
 public:
  virtual ~LineStream() = default;
  virtual int status() const = 0;
  // The next line without its newline; nullopt at the end of the stream or after Cancel().
  // Throws TransportError when the connection breaks mid-stream.
  virtual std::optional<std::string> Next() = 0;
  virtual void Cancel() = 0;
};

// A client bound to one server (scheme, host, port and TLS settings fixed at construction).
// Thread-safe: requests may be sent concurrently.
class Transport {
 public:
  virtual ~Transport() = default;
  // Throws TransportError; any HTTP status (including 4xx/5xx) is a Response.
  virtual Response Send(const Request& request) = 0;
  // Starts a streaming request. A non-2xx status is returned as a stream whose
  // body lines are the error document.
  virtual std::unique_ptr<LineStream> Stream(const Request& request) = 0;
};

struct TlsConfig {
  std::string ca_pem;           // trust only these CAs when set; system CAs otherwise
  std::string client_cert_pem;  // client-certificate authentication
  std::string client_key_pem;
  std::string server_name;  // SNI / verification name override
};

// The real transport: our own HTTP/1.1 client on OpenSSL (socket_transport.cpp).
// base_url: "https://127.0.0.1:6443" or "http://..."; TLS peer verification is always
// on for https, trusting only tls.ca_pem when set and the system store otherwise.
std::unique_ptr<Transport> MakeTransport(const std::string& base_url, const TlsConfig& tls);

// An HTTP/1.1 server (socket_server.cpp): health, readiness and metrics endpoints and
// the Livy REST API. Handlers run on a small pool of threads, so they may block; Stop()
// waits for those running. Thread-safe; Start() and Stop() once each.
class Server {
 public:
  using Handler = std::function<Response(const Request&)>;
  virtual ~Server() = default;
  // Registers a handler for an exact path (query string ignored) before Start().
  virtual void Handle(const std::string& path, Handler handler) = 0;
  // The handler of every path that has no exact handler (default: 404).
  virtual void HandleOthers(Handler handler) = 0;
  // Bodies larger than this are not read: the handler gets body_too_large.
  virtual void SetMaxBodyBytes(std::size_t bytes) = 0;
  virtual void Start() = 0;
  virtual void Stop() = 0;
  // The bound port (useful with port 0).
  virtual int port() const = 0;
};

// address: "127.0.0.1:8081" or ":8081" (then 0.0.0.0) ; port 0 picks a free port.
std::unique_ptr<Server> MakeServer(const std::string& address);

}  // namespace spyt::http

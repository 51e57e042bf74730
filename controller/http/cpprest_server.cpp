// http::Server over cpprestsdk's http_listener (Boost.Asio backend).
//
// The listener needs a concrete port in its URI and cannot report one it picked, so
// for port 0 we ask the kernel for a free port (bind to port 0, read it back, close)
// and then open the listener on it, retrying a few times should another process take
// the port in between.

#include <cpprest/http_listener.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "http/http.h"

namespace spyt::http {
namespace {

namespace listener = web::http::experimental::listener;

struct Address {
  std::string host;
  int port = 0;
};

Address ParseAddress(const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    throw TransportError("server address '" + address + "' is not HOST:PORT");
  }
  Address out;
  out.host = address.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty()) {
    out.host = "0.0.0.0";
  }
  std::string port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
      std::stoi(port) > 65535) {
    throw TransportError("server address '" + address + "' has an invalid port");
  }
  out.port = std::stoi(port);
  return out;
}

// A port that is free on `host` right now.
int PickFreePort(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), "0", &hints, &found); rc != 0) {
    throw TransportError("cannot resolve '" + host + "': " + gai_strerror(rc));
  }
  int port = -1;
  for (addrinfo* ai = found; ai != nullptr && port < 0; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
      continue;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof(bound);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) == 0) {
      port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                         : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    }
    close(fd);
  }
  freeaddrinfo(found);
  if (port <= 0) {
    throw TransportError("cannot find a free port on '" + host + "'");
  }
  return port;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The request without its body; body_too_large when it declares more than max_body.
Request HeadOf(const web::http::http_request& in, std::size_t max_body) {
  Request out;
  out.method = in.method();
  out.path = in.relative_uri().to_string();
  for (const auto& [name, value] : in.headers()) {
    out.headers[Lower(name)] = value;
  }
  out.body_too_large = in.headers().content_length() > max_body;
  return out;
}

web::http::http_response ToCpprest(const Response& in) {
  web::http::http_response out(static_cast<web::http::status_code>(in.status));
  std::string content_type = "text/plain; charset=utf-8";
  for (const auto& [name, value] : in.headers) {
    if (Lower(name) == "content-type") {
      content_type = value;
    } else {
      out.headers().add(name, value);
    }
  }
  out.set_body(in.body, content_type);
  return out;
}

class CpprestServer : public Server {
 public:
  explicit CpprestServer(Address address) : address_(std::move(address)) {}

  ~CpprestServer() override { Stop(); }

  void Handle(const std::string& path, Handler handler) override {
    std::lock_guard<std::mutex> lock(mu_);
    handlers_[path] = std::move(handler);
  }

  void HandleOthers(Handler handler) override {
    std::lock_guard<std::mutex> lock(mu_);
    others_ = std::move(handler);
  }

  void SetMaxBodyBytes(std::size_t bytes) override {
    std::lock_guard<std::mutex> lock(mu_);
    max_body_ = bytes;
  }

  void Start() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (listener_) {
      return;
    }
    const int attempts = address_.port == 0 ? 5 : 1;
    std::string last_error;
    for (int i = 0; i < attempts; ++i) {
      int port = address_.port == 0 ? PickFreePort(address_.host) : address_.port;
      try {
        Open(port);
        return;
      } catch (const std::exception& e) {
        last_error = e.what();
        listener_.reset();
      }
    }
    throw TransportError("cannot listen on " + address_.host + ":" + std::to_string(address_.port) +
                         ": " + last_error);
  }

  void Stop() override {
    std::unique_ptr<listener::http_listener> stopping;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping = std::move(listener_);
    }
    if (stopping) {
      try {
        stopping->close().wait();
      } catch (const std::exception&) {
        // Closing a listener whose acceptor already failed: nothing left to release.
      }
    }
  }

  int port() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return bound_port_;
  }

 private:
  // Called with mu_ held.
  void Open(int port) {
    std::string host =
        address_.host.find(':') != std::string::npos ? "[" + address_.host + "]" : address_.host;
    listener_ = std::make_unique<listener::http_listener>(
        web::uri("http://" + host + ":" + std::to_string(port)));
    listener_->support([this](web::http::http_request request) { Dispatch(request); });
    listener_->open().wait();
    bound_port_ = port;
  }

  // Runs on cpprest's thread pool and never blocks it on another task of the
  // pool: the body is read and the reply sent by continuations. (Waiting for them
  // in place deadlocks once every pool thread waits, as about 40 concurrent
  // clients made it do.)
  void Dispatch(web::http::http_request request) {
    Handler handler;
    std::size_t max_body = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = handlers_.find(web::uri::decode(request.relative_uri().path()));
      handler = it != handlers_.end() ? it->second : others_;
      max_body = max_body_;
    }
    Request head = HeadOf(request, max_body);
    if (!handler || head.body_too_large) {
      Reply(request, Answer(handler, std::move(head)));
      return;
    }
    request.extract_vector().then([request, handler, head = std::move(head),
                                   max_body](pplx::task<std::vector<unsigned char>> body) mutable {
      try {
        const std::vector<unsigned char> bytes = body.get();
        if (bytes.size() > max_body) {
          head.body_too_large = true;
        } else {
          head.body.assign(bytes.begin(), bytes.end());
        }
      } catch (const std::exception&) {
        return;  // the client went away while sending its body
      }
      Reply(request, Answer(handler, std::move(head)));
    });
  }

  static Response Answer(const Handler& handler, Request request) {
    Response response;
    if (!handler) {
      response.status = 404;
      response.body = "not found\n";
      return response;
    }
    try {
      return handler(request);
    } catch (const std::exception& e) {
      response.status = 500;
      response.body = std::string("internal error: ") + e.what() + "\n";
      return response;
    }
  }

  static void Reply(web::http::http_request& request, const Response& response) {
    request.reply(ToCpprest(response)).then([](pplx::task<void> sent) {
      try {
        sent.get();
      } catch (const std::exception&) {
        // The client went away before the reply: nothing to do.
      }
    });
  }

  const Address address_;
  mutable std::mutex mu_;
  std::map<std::string, Handler> handlers_;
  Handler others_;
  std::size_t max_body_ = 64 * 1024 * 1024;
  std::unique_ptr<listener::http_listener> listener_;
  int bound_port_ = 0;
};

}  // namespace

std::unique_ptr<Server> MakeServer(const std::string& address) {
  return std::make_unique<CpprestServer>(ParseAddress(address));
}

}  // namespace spyt::http

// http::Server on our own HTTP/1.1 framing (http1.h): one event-loop thread does every
// socket read and write (epoll, non-blocking, level-triggered); handlers run on a
// WorkerPool and hand their response back to the loop through an eventfd. So a slow or
// silent client holds a few bytes of buffer, never a thread, and a thousand keep-alive
// connections cost one thread.
//
// Per connection, one request at a time (pipelined requests wait in the buffer):
//   reading (a RequestReader decides) -> handling (no reads) -> writing -> reading
//   again, or lingering (the answer said "close") -> closed.
// Limits: those of RequestReader (431, 400, a body over the limit not read); a head not
// complete kRequestTimeout after its first byte, or a body that stalls that long, is
// dropped, as is a keep-alive connection idle for kIdleTimeout or a client that stops
// reading its answer (kWriteTimeout). Closing after an answer lingers a little, reading
// and discarding, so that an unread body does not turn the close into a reset that
// destroys the answer before the client reads it.

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/endpoint.h"
#include "http/http.h"
#include "http/http1.h"
#include "http/request_reader.h"
#include "http/worker_pool.h"

namespace spyt::http {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr auto kIdleTimeout = std::chrono::seconds(120);
constexpr auto kWriteTimeout = std::chrono::seconds(60);
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kMaxHandlerThreads = 32;
constexpr std::size_t kReadSize = 16 * 1024;
constexpr std::uint64_t kListenId = 0;
constexpr std::uint64_t kWakeId = 1;

std::string SystemError(const std::string& what) { return what + ": " + std::strerror(errno); }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The path of a request target, percent-decoded, without the query: what handlers are
// registered under. An absolute-form target ("http://host/p") is reduced to its path.
std::string HandlerPath(std::string_view target) {
  if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) {
    std::size_t slash = target.find('/', target.find("//") + 2);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  target = target.substr(0, target.find('?'));
  std::string out;
  out.reserve(target.size());
  for (std::size_t i = 0; i < target.size(); ++i) {
    int hi = -1, lo = -1;
    if (target[i] == '%' && i + 2 < target.size() && (hi = HexDigit(target[i + 1])) >= 0 &&
        (lo = HexDigit(target[i + 2])) >= 0) {
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(target[i]);
    }
  }
  return out;
}

struct Peer {
  enum class Phase { kReading, kHandling, kWriting, kLingering };

  Peer(int fd, std::size_t max_body) : fd(fd), reader(max_body) {}

  int fd;
  Phase phase = Phase::kReading;
  RequestReader reader;
  std::string in;
  std::string out;  // bytes to send: "100 Continue", then the answer
  std::size_t sent = 0;
  bool close_after = false;
  std::uint32_t events = 0;
  Clock::time_point deadline;
};

class SocketServer : public Server {
 public:
  explicit SocketServer(ListenAddress address)
      : address_(std::move(address)), pool_(kMaxHandlerThreads) {}

  ~SocketServer() override { Stop(); }

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

  void Start() override;
  void Stop() override;

  int port() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return bound_port_;
  }

 private:
  void Listen();
  void Loop();
  void Accept();
  void OnReadable(std::uint64_t id, Peer& c);
  void Advance(std::uint64_t id, Peer& c);
  void Dispatch(std::uint64_t id, Peer& c);
  void Fail(std::uint64_t id, Peer& c, int status, const std::string& why);
  void Flush(std::uint64_t id, Peer& c);
  void Finished(std::uint64_t id, Peer& c);
  void Linger(std::uint64_t id, Peer& c);
  void Watch(std::uint64_t id, Peer& c, std::uint32_t events);
  void SetAccepting(bool on);
  void Close(std::uint64_t id);
  void TakeAnswers();
  void Sweep();
  static Response Answer(const Handler& handler, const Request& request);

  const ListenAddress address_;
  mutable std::mutex mu_;  // handlers_, others_, max_body_, bound_port_, answers_
  std::map<std::string, Handler> handlers_;
  Handler others_;
  std::size_t max_body_ = 64 * 1024 * 1024;
  int bound_port_ = 0;
  // Answers from the pool, by connection id.
  std::vector<std::pair<std::uint64_t, std::string>> answers_;

  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread loop_;
  WorkerPool pool_;

  // Loop thread only.
  std::unordered_map<std::uint64_t, Peer> conns_;
  std::uint64_t next_id_ = 2;
  bool accept_paused_ = false;
};

void SocketServer::Start() {
  if (loop_.joinable()) {
    return;
  }
  Listen();
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    throw TransportError(SystemError("cannot start the server's event loop"));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenId;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.u64 = kWakeId;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  loop_ = std::thread([this] { Loop(); });
}

void SocketServer::Listen() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string where = address_.host + ":" + std::to_string(address_.port);
  if (int rc =
          getaddrinfo(address_.host.c_str(), std::to_string(address_.port).c_str(), &hints, &found);
      rc != 0) {
    throw TransportError("cannot listen on " + where + ": " + gai_strerror(rc));
  }
  std::string error = "no address";
  for (addrinfo* ai = found; ai != nullptr && listen_fd_ < 0; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
        bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) {
      listen_fd_ = fd;
      break;
    }
    error = std::strerror(errno);
    if (fd >= 0) {
      close(fd);
    }
  }
  freeaddrinfo(found);
  if (listen_fd_ < 0) {
    throw TransportError("cannot listen on " + where + ": " + error);
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  std::lock_guard<std::mutex> lock(mu_);
  bound_port_ = bound.ss_family == AF_INET6
                    ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                    : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

void SocketServer::Stop() {
  if (!loop_.joinable()) {
    return;
  }
  stopping_ = true;
  std::uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
  loop_.join();
  pool_.Stop();  // handlers in progress finish; their answers are dropped
  close(epoll_fd_);
  close(wake_fd_);
  epoll_fd_ = wake_fd_ = -1;
}

void SocketServer::Loop() {
  epoll_event events[64];
  Clock::time_point next_sweep = Clock::now() + std::chrono::seconds(1);
  while (!stopping_) {
    int n = epoll_wait(epoll_fd_, events, 64, 1000);
    for (int i = 0; i < n && !stopping_; ++i) {
      const std::uint64_t id = events[i].data.u64;
      if (id == kListenId) {
        Accept();
        continue;
      }
      if (id == kWakeId) {
        TakeAnswers();
        continue;
      }
      auto it = conns_.find(id);
      if (it == conns_.end()) {
        continue;
      }
      Peer& c = it->second;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) {
        Close(id);
      } else if (events[i].events & EPOLLOUT) {
        Flush(id, c);
      } else if (events[i].events & EPOLLIN) {
        OnReadable(id, c);
      }
    }
    if (Clock::now() >= next_sweep) {
      Sweep();
      next_sweep = Clock::now() + std::chrono::seconds(1);
    }
  }
  for (auto& [id, c] : conns_) {
    close(c.fd);
  }
  conns_.clear();
  close(listen_fd_);
  listen_fd_ = -1;
}

void SocketServer::Accept() {
  while (true) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop accepting until a connection closes (or the next sweep),
        // instead of waking on the same pending connection forever.
        SetAccepting(false);
      }
      return;
    }
    std::size_t max_body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      max_body = max_body_;
    }
    const std::uint64_t id = next_id_++;
    Peer& c = conns_.try_emplace(id, fd, max_body).first->second;
    c.deadline = Clock::now() + kIdleTimeout;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = id;
    c.events = EPOLLIN;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
}

void SocketServer::SetAccepting(bool on) {
  if (accept_paused_ != on) {
    return;
  }
  accept_paused_ = !on;
  epoll_event ev{};
  ev.events = on ? std::uint32_t{EPOLLIN} : 0u;
  ev.data.u64 = kListenId;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev);
}

void SocketServer::Watch(std::uint64_t id, Peer& c, std::uint32_t events) {
  if (c.events == events) {
    return;
  }
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = id;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
  c.events = events;
}

void SocketServer::Close(std::uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) {
    return;
  }
  close(it->second.fd);  // also leaves the epoll set
  conns_.erase(it);
  SetAccepting(true);
}

void SocketServer::OnReadable(std::uint64_t id, Peer& c) {
  char buf[kReadSize];
  ssize_t n = recv(c.fd, buf, sizeof(buf), 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    return;
  }
  if (n <= 0) {
    Close(id);  // the client closed or reset: mid-request or between requests alike
    return;
  }
  if (c.phase == Peer::Phase::kLingering) {
    return;  // discarded: the answer is out and the connection is closing
  }
  // A head must be complete kRequestTimeout after its first byte; a body may take as
  // long as it likes if no piece is more than kRequestTimeout after the previous one.
  if (!c.reader.reading_head() || c.in.empty()) {
    c.deadline = Clock::now() + kRequestTimeout;
  }
  c.in.append(buf, static_cast<std::size_t>(n));
  Advance(id, c);
}

// Reads the buffered bytes as far as the next complete request.
void SocketServer::Advance(std::uint64_t id, Peer& c) {
  while (true) {
    switch (c.reader.Read(c.in)) {
      case RequestReader::Step::kNeedMore:
        return;
      case RequestReader::Step::kContinue:
        if (c.in.empty()) {  // the body is not here yet: the client waits for this
          c.out = "HTTP/1.1 100 Continue\r\n\r\n";
          c.sent = 0;
          Watch(id, c, EPOLLIN | EPOLLOUT);
        }
        continue;
      case RequestReader::Step::kRequest:
        Dispatch(id, c);
        return;
      case RequestReader::Step::kError:
        Fail(id, c, c.reader.error_status(), c.reader.error());
        return;
    }
  }
}

void SocketServer::Dispatch(std::uint64_t id, Peer& c) {
  c.phase = Peer::Phase::kHandling;
  Watch(id, c,
        c.out.empty() ? 0u : std::uint32_t{EPOLLOUT});  // a "100 Continue" may still be going out
  RequestReader::Taken taken = c.reader.Take();
  c.close_after = taken.close_after;
  Handler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = handlers_.find(HandlerPath(taken.request.path));
    handler = it != handlers_.end() ? it->second : others_;
  }
  pool_.Post([this, id, handler = std::move(handler), taken = std::move(taken)] {
    Response response = Answer(handler, taken.request);
    std::string bytes;
    try {
      bytes = http1::FormatResponse(response, taken.head, taken.close_after);
    } catch (const TransportError& e) {
      bytes = http1::FormatResponse(
          Response{500, {}, std::string("internal error: ") + e.what() + "\n"}, taken.head,
          taken.close_after);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      answers_.emplace_back(id, std::move(bytes));
    }
    std::uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof(one));
  });
}

Response SocketServer::Answer(const Handler& handler, const Request& request) {
  if (!handler) {
    return Response{404, {}, "not found\n"};
  }
  try {
    return handler(request);
  } catch (const std::exception& e) {
    return Response{500, {}, std::string("internal error: ") + e.what() + "\n"};
  }
}

void SocketServer::TakeAnswers() {
  std::uint64_t count;
  (void)!read(wake_fd_, &count, sizeof(count));
  std::vector<std::pair<std::uint64_t, std::string>> answers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    answers.swap(answers_);
  }
  for (auto& [id, bytes] : answers) {
    auto it = conns_.find(id);
    if (it == conns_.end()) {
      continue;  // the client went away while its request was handled
    }
    Peer& c = it->second;
    c.phase = Peer::Phase::kWriting;
    c.out.erase(0, c.sent);  // what is left of a "100 Continue" goes first
    c.out.append(bytes);
    c.sent = 0;
    c.deadline = Clock::now() + kWriteTimeout;
    Flush(id, c);
  }
}

// An answer from the loop itself, for a request it could not parse: then close.
void SocketServer::Fail(std::uint64_t id, Peer& c, int status, const std::string& why) {
  c.phase = Peer::Phase::kWriting;
  c.out = http1::FormatResponse(Response{status, {}, why + "\n"}, http1::RequestHead(), true);
  c.sent = 0;
  c.close_after = true;
  c.deadline = Clock::now() + kWriteTimeout;
  Flush(id, c);
}

void SocketServer::Flush(std::uint64_t id, Peer& c) {
  while (c.sent < c.out.size()) {
    ssize_t n = send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      Watch(id, c, c.phase == Peer::Phase::kReading ? EPOLLIN | EPOLLOUT : EPOLLOUT);
      return;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      Close(id);
      return;
    }
    c.sent += static_cast<std::size_t>(n);
    c.deadline = std::max(c.deadline, Clock::now() + kWriteTimeout);
  }
  c.out.clear();
  c.sent = 0;
  if (c.phase == Peer::Phase::kReading) {
    Watch(id, c, EPOLLIN);  // "100 Continue" is out: read the body
  } else if (c.phase == Peer::Phase::kHandling) {
    Watch(id, c, 0);  // the same, and the body is here: wait for the handler
  } else if (c.phase == Peer::Phase::kWriting) {
    Finished(id, c);
  }
}

// The answer is sent: wait for the next request, or close.
void SocketServer::Finished(std::uint64_t id, Peer& c) {
  if (c.close_after) {
    Linger(id, c);
    return;
  }
  c.phase = Peer::Phase::kReading;
  c.deadline = Clock::now() + (c.in.empty() ? kIdleTimeout : kRequestTimeout);
  Watch(id, c, EPOLLIN);
  if (!c.in.empty()) {
    Advance(id, c);  // a pipelined request is already here
  }
}

// Closes the sending side and reads what the client still sends for a moment, so an
// unread request body does not turn the close into a reset that destroys the answer.
void SocketServer::Linger(std::uint64_t id, Peer& c) {
  shutdown(c.fd, SHUT_WR);
  c.phase = Peer::Phase::kLingering;
  c.in.clear();
  c.deadline = Clock::now() + kLingerTimeout;
  Watch(id, c, EPOLLIN);
}

void SocketServer::Sweep() {
  const Clock::time_point now = Clock::now();
  std::vector<std::uint64_t> expired;
  for (const auto& [id, c] : conns_) {
    if (c.phase != Peer::Phase::kHandling && now >= c.deadline) {
      expired.push_back(id);
    }
  }
  for (std::uint64_t id : expired) {
    Close(id);
  }
  SetAccepting(true);
}

}  // namespace

std::unique_ptr<Server> MakeServer(const std::string& address) {
  return std::make_unique<SocketServer>(ParseListenAddress(address));
}

}  // namespace spyt::http

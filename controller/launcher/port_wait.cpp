// WaitForPort (declared in process.h): the TCP probe Livy and workers use to
// wait for the master, as SPYT's Livy launcher waits up to 5 minutes for it.

#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "launcher/process.h"

namespace spyt::launcher {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kConnectTimeout(2000);

// One connection attempt to one address; "" on success, else why not.
std::string ConnectOnce(const addrinfo& ai, milliseconds timeout) {
  const int fd =
      ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return std::string("socket: ") + std::strerror(errno);
  std::string error;
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      error = std::strerror(errno);
    } else {
      pollfd p{fd, POLLOUT, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
      int so_error = 0;
      socklen_t len = sizeof so_error;
      if (ready == 0) {
        error = "connect timed out";
      } else if (ready < 0) {
        error = std::string("poll: ") + std::strerror(errno);
      } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 || so_error != 0) {
        error = std::strerror(so_error != 0 ? so_error : errno);
      }
    }
  }
  ::close(fd);
  return error;
}

std::string TryConnect(const std::string& host, int port, milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) return std::string("cannot resolve ") + host + ": " + ::gai_strerror(rc);
  std::string error = "no address";
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    error = ConnectOnce(*ai, timeout);
    if (error.empty()) break;
  }
  ::freeaddrinfo(found);
  return error;
}

// SIGTERM or SIGINT if one arrives within `timeout`, else 0.
int TakeTermination(milliseconds timeout) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  timespec ts{static_cast<time_t>(timeout.count() / 1000),
              static_cast<long>(timeout.count() % 1000) * 1000000L};
  const int sig = ::sigtimedwait(&set, nullptr, &ts);
  return sig < 0 ? 0 : sig;
}

milliseconds Left(Clock::time_point deadline) {
  return std::max(milliseconds(0),
                  std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
}

}  // namespace

PortWait WaitForPort(const std::string& host, int port, milliseconds timeout,
                     milliseconds interval) {
  BlockLauncherSignals();
  const auto deadline = Clock::now() + timeout;
  PortWait result;
  for (;;) {
    if (const int sig = TakeTermination(milliseconds(0)); sig != 0) {
      return {PortWait::Outcome::kInterrupted, sig, result.last_error};
    }
    result.last_error =
        TryConnect(host, port, std::clamp(Left(deadline), milliseconds(1), kConnectTimeout));
    if (result.last_error.empty()) return {PortWait::Outcome::kReady, 0, ""};
    if (Left(deadline) == milliseconds(0)) return result;
    if (const int sig = TakeTermination(std::min(interval, Left(deadline))); sig != 0) {
      return {PortWait::Outcome::kInterrupted, sig, result.last_error};
    }
  }
}

}  // namespace spyt::launcher

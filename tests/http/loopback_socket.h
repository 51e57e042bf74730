#pragma once

// A raw TCP connection to 127.0.0.1, for tests that send bytes no HTTP client would
// (pipelined, malformed, cut short). Test helper; thread-safe (no shared state).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>

namespace spyt::http::testing {

// A socket connected to 127.0.0.1:port whose reads give up after `read_timeout_s`
// seconds, or -1.
inline int ConnectLoopback(int port, int read_timeout_s) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval timeout{read_timeout_s, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace spyt::http::testing

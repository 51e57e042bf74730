// The server under many more concurrent keep-alive clients than it has handler
// threads: each gets its answer, and the server still answers after them. Raw
// loopback sockets, so the client side takes no pool thread of its own.

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "http/http.h"
#include "http/loopback_socket.h"

namespace spyt::http {
namespace {

// `count` GETs of /ping, one after another on one keep-alive connection (as wrk
// and browsers send them); how many got their "pong" within 10 s each.
int RawGets(int port, int count) {
  const int fd = testing::ConnectLoopback(port, 10);
  if (fd < 0) return 0;
  int answered = 0;
  {
    const std::string request = "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    for (int i = 0; i < count; ++i) {
      if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(request.size())) {
        break;
      }
      std::string got;
      char buf[256];
      while (got.find("pong\n") == std::string::npos) {
        const ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
      }
      if (got.rfind("HTTP/1.1 200", 0) != 0 || got.find("pong\n") == std::string::npos) break;
      ++answered;
    }
  }
  close(fd);
  return answered;
}

}  // namespace

TEST_SUITE("http.server") {
  TEST_CASE("200 keep-alive clients at once are all answered, and the server answers after them") {
    auto server = MakeServer("127.0.0.1:0");
    server->Handle("/ping", [](const Request&) {
      Response r;
      r.status = 200;
      r.body = "pong\n";
      return r;
    });
    server->Start();
    constexpr int kClients = 200;
    constexpr int kRequests = 20;
    std::atomic<int> answered{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i) {
      clients.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        answered += RawGets(server->port(), kRequests);
      });
    }
    go = true;
    for (auto& t : clients) t.join();
    CHECK(answered.load() == kClients * kRequests);
    CHECK(RawGets(server->port(), 1) == 1);
    server->Stop();
  }
}

}  // namespace spyt::http

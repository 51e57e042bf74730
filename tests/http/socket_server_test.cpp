#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "http/http.h"
#include "http/loopback_socket.h"

namespace spyt::http {
namespace {

Response Text(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Request Get(std::string path) {
  Request r;
  r.path = std::move(path);
  r.timeout = std::chrono::seconds(5);
  return r;
}

std::string Url(const Server& server) {
  return "http://127.0.0.1:" + std::to_string(server.port());
}

int Connect(int port) {
  int fd = testing::ConnectLoopback(port, 5);
  REQUIRE(fd >= 0);
  return fd;
}

void SendAll(int fd, const std::string& bytes) {
  REQUIRE(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
}

// Reads until `enough` returns true for what was received, the server closes, or 5 s pass.
template <typename Enough>
std::string ReadUntil(int fd, Enough enough) {
  std::string got;
  char buf[4096];
  while (!enough(got)) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

// Sends `bytes` on a new connection and returns everything the server sends before it
// closes (or 5 s pass).
std::string Exchange(int port, const std::string& bytes) {
  int fd = Connect(port);
  SendAll(fd, bytes);
  std::string got = ReadUntil(fd, [](const std::string&) { return false; });
  close(fd);
  return got;
}

int Count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

std::unique_ptr<Server> EchoServer() {
  auto server = MakeServer("127.0.0.1:0");
  server->HandleOthers([](const Request& r) {
    return Text(200,
                r.body_too_large ? "too large" : r.method + " " + r.path + " [" + r.body + "]");
  });
  return server;
}

}  // namespace

TEST_SUITE("http.server") {
  TEST_CASE("a server on port 0 binds a free port and reports it") {
    auto server = MakeServer("127.0.0.1:0");
    server->Start();
    CHECK(server->port() > 0);
    server->Stop();
  }

  TEST_CASE("a registered path answers with its handler's response") {
    auto server = MakeServer("127.0.0.1:0");
    server->Handle("/healthz", [](const Request&) { return Text(200, "ok\n"); });
    server->Start();
    Response r = MakeTransport(Url(*server), {})->Send(Get("/healthz?verbose=1"));
    CHECK(r.status == 200);
    CHECK(r.body == "ok\n");
    CHECK(*r.header("content-type") == "text/plain; charset=utf-8");
  }

  TEST_CASE("the handler sees method, path with query, lower-case headers and body") {
    auto server = MakeServer("127.0.0.1:0");
    Request seen;
    server->Handle("/echo", [&](const Request& r) {
      seen = r;
      return Text(201, "");
    });
    server->Start();
    Request request = Get("/echo?a=1");
    request.method = "POST";
    request.headers["X-Trace"] = "abc";
    request.headers["content-type"] = "application/json";
    request.body = R"({"k":1})";
    CHECK(MakeTransport(Url(*server), {})->Send(request).status == 201);
    CHECK(seen.method == "POST");
    CHECK(seen.path == "/echo?a=1");
    CHECK(seen.headers["x-trace"] == "abc");
    CHECK(seen.headers["content-type"] == "application/json");
    CHECK(seen.body == R"({"k":1})");
  }

  TEST_CASE("an unknown path is 404") {
    auto server = MakeServer("127.0.0.1:0");
    server->Handle("/healthz", [](const Request&) { return Text(200, "ok"); });
    server->Start();
    CHECK(MakeTransport(Url(*server), {})->Send(Get("/healthz/extra")).status == 404);
  }

  TEST_CASE("a handler that throws answers 500") {
    auto server = MakeServer("127.0.0.1:0");
    server->Handle("/boom", [](const Request&) -> Response { throw std::runtime_error("boom"); });
    server->Start();
    Response r = MakeTransport(Url(*server), {})->Send(Get("/boom"));
    CHECK(r.status == 500);
    CHECK(r.body.find("boom") != std::string::npos);
  }

  TEST_CASE("after stop the port refuses connections") {
    auto server = MakeServer("127.0.0.1:0");
    server->Start();
    std::string url = Url(*server);
    server->Stop();
    CHECK_THROWS_AS(MakeTransport(url, {})->Send(Get("/")), TransportError);
  }

  TEST_CASE("an address without a port is refused") {
    CHECK_THROWS_AS(MakeServer("127.0.0.1"), TransportError);
    CHECK_THROWS_AS(MakeServer("127.0.0.1:99999"), TransportError);
  }

  TEST_CASE("pipelined requests on one connection are answered in order") {
    auto server = EchoServer();
    server->Start();
    std::string got = Exchange(server->port(),
                               "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                               "POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz"
                               "GET /c HTTP/1.1\r\nConnection: close\r\n\r\n");
    CHECK(Count(got, "HTTP/1.1 200 OK") == 3);
    size_t a = got.find("GET /a []"), b = got.find("POST /b [xyz]"), c = got.find("GET /c []");
    CHECK(a < b);
    CHECK(b < c);
    CHECK(c != std::string::npos);
    CHECK(got.find("Connection: close") != std::string::npos);
  }

  TEST_CASE("a chunked request body reaches the handler whole") {
    auto server = EchoServer();
    server->Start();
    std::string got = Exchange(server->port(),
                               "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close"
                               "\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: x\r\n\r\n");
    CHECK(got.find("PUT /c [abcde]") != std::string::npos);
  }

  TEST_CASE("Expect: 100-continue gets 100 Continue before the body is sent") {
    auto server = EchoServer();
    server->Start();
    int fd = Connect(server->port());
    SendAll(fd, "POST /e HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    std::string interim =
        ReadUntil(fd, [](const std::string& g) { return g.find("\r\n\r\n") != std::string::npos; });
    CHECK(interim == "HTTP/1.1 100 Continue\r\n\r\n");
    SendAll(fd, "body");
    std::string got =
        ReadUntil(fd, [](const std::string& g) { return g.find("[body]") != std::string::npos; });
    CHECK(got.rfind("HTTP/1.1 200 OK", 0) == 0);
    close(fd);
  }

  TEST_CASE(
      "a body over the limit is not read: the handler is told, the answer arrives, then the "
      "close") {
    auto server = EchoServer();
    server->SetMaxBodyBytes(10);
    server->Start();
    std::string declared =
        Exchange(server->port(),
                 "POST /big HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'x'));
    CHECK(declared.find("too large") != std::string::npos);
    CHECK(declared.find("Connection: close") != std::string::npos);
    std::string chunked = Exchange(server->port(),
                                   "POST /big HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n");
    CHECK(chunked.find("too large") != std::string::npos);
    std::string fits =
        Exchange(server->port(),
                 "POST /ok HTTP/1.1\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789");
    CHECK(fits.find("[0123456789]") != std::string::npos);
  }

  TEST_CASE("a malformed request is 400 and a huge head 431, and the server goes on answering") {
    auto server = EchoServer();
    server->Start();
    CHECK(Exchange(server->port(), "GARBAGE\r\n\r\n").rfind("HTTP/1.1 400 Bad Request", 0) == 0);
    CHECK(Exchange(server->port(), "GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")
              .rfind("HTTP/1.1 400", 0) == 0);
    std::string huge = "GET / HTTP/1.1\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n";
    CHECK(Exchange(server->port(), huge).rfind("HTTP/1.1 431", 0) == 0);
    CHECK(MakeTransport(Url(*server), {})->Send(Get("/after")).status == 200);
  }

  TEST_CASE("HEAD gets the length without the body, and HTTP/1.0 is closed after its answer") {
    auto server = EchoServer();
    server->Start();
    std::string head = Exchange(server->port(), "HEAD /h HTTP/1.1\r\nConnection: close\r\n\r\n");
    CHECK(head.find("Content-Length: 10\r\n") != std::string::npos);  // "HEAD /h []"
    CHECK(head.substr(head.size() - 4) == "\r\n\r\n");
    std::string old = Exchange(server->port(), "GET /old HTTP/1.0\r\n\r\n");
    CHECK(old.find("GET /old []") != std::string::npos);
  }

  TEST_CASE("handlers are found by the percent-decoded path") {
    auto server = MakeServer("127.0.0.1:0");
    server->Handle("/a b", [](const Request& r) { return Text(200, r.path); });
    server->Start();
    Response r = MakeTransport(Url(*server), {})->Send(Get("/a%20b?q=%20"));
    CHECK(r.status == 200);
    CHECK(r.body == "/a%20b?q=%20");
  }

  TEST_CASE("a slow handler does not hold up other clients") {
    auto server = MakeServer("127.0.0.1:0");
    std::atomic<bool> release{false};
    server->Handle("/slow", [&](const Request&) {
      for (int i = 0; i < 500 && !release; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return Text(200, "slow");
    });
    server->Handle("/fast", [](const Request&) { return Text(200, "fast"); });
    server->Start();
    std::thread slow([&] { MakeTransport(Url(*server), {})->Send(Get("/slow")); });
    auto started = std::chrono::steady_clock::now();
    Response fast = MakeTransport(Url(*server), {})->Send(Get("/fast"));
    auto took = std::chrono::steady_clock::now() - started;
    release = true;
    slow.join();
    CHECK(fast.body == "fast");
    CHECK(took < std::chrono::seconds(4));
  }

  TEST_CASE("a client that leaves mid-request or mid-answer costs the others nothing") {
    auto server = EchoServer();
    server->Start();
    for (int i = 0; i < 20; ++i) {
      int fd = Connect(server->port());
      SendAll(fd, i % 2 ? "POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc"
                        : "GET /x HTTP/1.1\r\nHo");
      close(fd);
      int gone = Connect(server->port());
      SendAll(gone, "GET /y HTTP/1.1\r\n\r\n");
      close(gone);
    }
    CHECK(MakeTransport(Url(*server), {})->Send(Get("/after")).body == "GET /after []");
  }
}

}  // namespace spyt::http

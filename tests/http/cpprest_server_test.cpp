#include <doctest/doctest.h>

#include "http/http.h"

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
}

}  // namespace spyt::http

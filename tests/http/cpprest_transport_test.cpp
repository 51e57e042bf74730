#include <doctest/doctest.h>

#include <future>
#include <thread>

#include "fakes/scripted_server.h"
#include "http/http.h"
#include "http/http_test_util.h"

namespace spyt::http {
namespace {

using fakes::ScriptedConnection;
using fakes::ScriptedServer;
using testing::Chunk;
using testing::kChunkedHead;
using testing::Plain;

Request Get(std::string path, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  Request r;
  r.path = std::move(path);
  r.timeout = timeout;
  return r;
}

}  // namespace

TEST_SUITE("http.transport") {
  TEST_CASE("response header names are lower-cased") {
    ScriptedServer server([](ScriptedConnection& c) {
      c.ReadRequest();
      c.Write(Plain(200, "ok", "X-Custom-Header: Value\r\nRetry-After: 3\r\n"));
    });
    Response r = MakeTransport(server.base_url(), {})->Send(Get("/"));
    CHECK(r.status == 200);
    CHECK(r.body == "ok");
    REQUIRE(r.header("x-custom-header") != nullptr);
    CHECK(*r.header("x-custom-header") == "Value");
    CHECK(*r.header("retry-after") == "3");
  }

  TEST_CASE("a request goes out with its method, path, headers, content type and body") {
    std::string seen;
    ScriptedServer server([&](ScriptedConnection& c) {
      seen = c.ReadRequest();
      c.Write(Plain(200, "{}"));
    });
    Request request = Get("/api/v1/namespaces/ns/configmaps/cm?fieldManager=m&force=true");
    request.method = "PATCH";
    request.headers["content-type"] = "application/apply-patch+yaml";
    request.headers["authorization"] = "Bearer t";
    request.headers["user-agent"] = "spyt-operator/test";
    request.body = R"({"a":1})";
    MakeTransport(server.base_url(), {})->Send(request);
    CHECK(seen.rfind("PATCH /api/v1/namespaces/ns/configmaps/cm?fieldManager=m&force=true HTTP/1.1",
                     0) == 0);
    // cpprest writes "Name:value" (no space), which HTTP allows.
    CHECK(seen.find("\r\nContent-Type:application/apply-patch+yaml\r\n") != std::string::npos);
    CHECK(seen.find("\r\nauthorization:Bearer t\r\n") != std::string::npos);
    CHECK(seen.find("\r\nuser-agent:spyt-operator/test\r\n") != std::string::npos);
    CHECK(seen.find("cpprestsdk") == std::string::npos);
    CHECK(seen.substr(seen.size() - 7) == R"({"a":1})");
  }

  TEST_CASE("a refused connection is a TransportError") {
    auto transport =
        MakeTransport("http://127.0.0.1:" + std::to_string(fakes::UnusedLoopbackPort()), {});
    CHECK_THROWS_AS(transport->Send(Get("/")), TransportError);
  }

  TEST_CASE("a server that never answers times out with a TransportError") {
    ScriptedServer server([](ScriptedConnection& c) {
      c.ReadRequest();
      c.WaitForClose(std::chrono::seconds(10));
    });
    auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(
        MakeTransport(server.base_url(), {})->Send(Get("/", std::chrono::milliseconds(300))),
        TransportError);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  }

  TEST_CASE("a malformed base URL is refused at construction") {
    CHECK_THROWS_AS(MakeTransport("ftp://127.0.0.1:1", {}), TransportError);
    CHECK_THROWS_AS(MakeTransport("localhost", {}), TransportError);
  }

  TEST_CASE("a stream returns each line as soon as it arrives") {
    std::promise<void> more;
    std::future<void> go = more.get_future();
    ScriptedServer server([&](ScriptedConnection& c) {
      c.ReadRequest();
      c.Write(std::string(kChunkedHead) + Chunk("{\"n\":1}\n"));
      go.wait_for(std::chrono::seconds(10));
      c.Write(Chunk("{\"n\":2}\n") + Chunk(""));
    });
    auto stream = MakeTransport(server.base_url(), {})->Stream(Get("/watch"));
    CHECK(stream->status() == 200);
    CHECK(stream->Next() == std::optional<std::string>("{\"n\":1}"));  // the body is not complete
    more.set_value();
    CHECK(stream->Next() == std::optional<std::string>("{\"n\":2}"));
    CHECK_FALSE(stream->Next().has_value());
  }

  TEST_CASE("a line split across chunks is joined and CRLF endings are trimmed") {
    ScriptedServer server([](ScriptedConnection& c) {
      c.ReadRequest();
      c.Write(std::string(kChunkedHead) + Chunk("par") + Chunk("tial\r\nsec") + Chunk("ond\nlast") +
              Chunk(""));
    });
    auto stream = MakeTransport(server.base_url(), {})->Stream(Get("/"));
    CHECK(stream->Next() == std::optional<std::string>("partial"));
    CHECK(stream->Next() == std::optional<std::string>("second"));
    CHECK(stream->Next() == std::optional<std::string>("last"));
    CHECK_FALSE(stream->Next().has_value());
  }

  TEST_CASE("cancel unblocks a waiting Next promptly and closes the connection") {
    std::promise<bool> closed;
    ScriptedServer server([&](ScriptedConnection& c) {
      c.ReadRequest();
      c.Write(std::string(kChunkedHead) + Chunk("first\n"));
      closed.set_value(c.WaitForClose(std::chrono::seconds(10)));
    });
    auto stream = MakeTransport(server.base_url(), {})->Stream(Get("/", std::chrono::seconds(60)));
    CHECK(stream->Next() == std::optional<std::string>("first"));
    auto start = std::chrono::steady_clock::now();
    std::thread canceler([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      stream->Cancel();
    });
    CHECK_FALSE(stream->Next().has_value());
    canceler.join();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    CHECK(closed.get_future().get());
  }

  TEST_CASE("a stream cut off mid-body throws TransportError") {
    ScriptedServer server([](ScriptedConnection& c) {
      c.ReadRequest();
      c.Write(std::string(kChunkedHead) + Chunk("one\n") + "40\r\ntrunc");
    });
    auto stream = MakeTransport(server.base_url(), {})->Stream(Get("/"));
    CHECK(stream->Next() == std::optional<std::string>("one"));
    CHECK_THROWS_AS(
        {
          while (stream->Next()) {
          }
        },
        TransportError);
  }

  TEST_CASE("a refused stream carries the status and the error document as lines") {
    ScriptedServer server([](ScriptedConnection& c) {
      c.ReadRequest();
      c.Write(Plain(410, "{\"kind\":\"Status\",\"code\":410}\n"));
    });
    auto stream = MakeTransport(server.base_url(), {})->Stream(Get("/"));
    CHECK(stream->status() == 410);
    CHECK(stream->Next() == std::optional<std::string>("{\"kind\":\"Status\",\"code\":410}"));
    CHECK_FALSE(stream->Next().has_value());
  }
}

}  // namespace spyt::http

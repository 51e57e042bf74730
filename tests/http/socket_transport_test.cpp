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
    CHECK(seen.find("\r\ncontent-type: application/apply-patch+yaml\r\n") != std::string::npos);
    CHECK(seen.find("\r\nauthorization: Bearer t\r\n") != std::string::npos);
    CHECK(seen.find("\r\nuser-agent: spyt-operator/test\r\n") != std::string::npos);
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

  TEST_CASE("keep-alive: requests in turn share one connection") {
    int connections = 0;
    ScriptedServer server([&](ScriptedConnection& c) {
      ++connections;
      while (!c.ReadRequest().empty()) {
        c.Write(Plain(200, "ok"));
      }
    });
    auto transport = MakeTransport(server.base_url(), {});
    for (int i = 0; i < 3; ++i) {
      CHECK(transport->Send(Get("/")).body == "ok");
    }
    transport.reset();  // closes the pooled connection, ending the handler
    CHECK(connections == 1);
  }

  TEST_CASE("a connection the server answered with Connection: close is not reused") {
    int connections = 0;
    ScriptedServer server([&](ScriptedConnection& c) {
      ++connections;
      c.ReadRequest();
      c.Write(Plain(200, "ok", "Connection: close\r\n"));
      c.WaitForClose(std::chrono::seconds(5));
    });
    auto transport = MakeTransport(server.base_url(), {});
    CHECK(transport->Send(Get("/")).body == "ok");
    CHECK(transport->Send(Get("/")).body == "ok");
    CHECK(connections == 2);
  }

  TEST_CASE("a connection whose server sent more than the body is not reused") {
    int connections = 0;
    ScriptedServer server([&](ScriptedConnection& c) {
      if (++connections == 1) {
        c.ReadRequest();
        c.Write(Plain(200, "ok") + "HTTP/1.1 200 X\r\nContent-Length: 5\r\n\r\nstale");
        if (!c.ReadRequest().empty()) {
          c.Write(Plain(200, "reused"));
        }
      } else {
        c.ReadRequest();
        c.Write(Plain(200, "fresh"));
      }
    });
    auto transport = MakeTransport(server.base_url(), {});
    CHECK(transport->Send(Get("/")).body == "ok");
    CHECK(transport->Send(Get("/")).body == "fresh");
    CHECK(connections == 2);
  }

  TEST_CASE("an idle connection the server closed is replaced before the next request") {
    int connections = 0;
    ScriptedServer server([&](ScriptedConnection& c) {
      ++connections;
      c.ReadRequest();
      c.Write(Plain(200, "ok"));  // keep-alive, then closes it anyway
    });
    auto transport = MakeTransport(server.base_url(), {});
    CHECK(transport->Send(Get("/")).body == "ok");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the FIN arrives
    Request post = Get("/");
    post.method = "POST";
    post.body = "{}";
    CHECK(transport->Send(post).body == "ok");  // not on the closed connection
    CHECK(connections == 2);
  }

  TEST_CASE("a reused connection dropped without an answer: a GET is sent again, a POST is not") {
    ScriptedServer server([](ScriptedConnection& c) {
      c.ReadRequest();
      c.Write(Plain(200, "first"));
      c.ReadRequest();  // then closes without answering
    });
    auto transport = MakeTransport(server.base_url(), {});
    CHECK(transport->Send(Get("/")).body == "first");
    CHECK(transport->Send(Get("/")).body == "first");  // the second connection's answer
    Request post = Get("/");
    post.method = "POST";
    CHECK_THROWS_AS(transport->Send(post), TransportError);
  }

  TEST_CASE("a reused connection that times out is not retried") {
    ScriptedServer server([](ScriptedConnection& c) {
      c.ReadRequest();
      c.Write(Plain(200, "first"));
      c.ReadRequest();
      c.WaitForClose(std::chrono::seconds(10));  // silent: the client's timeout ends it
    });
    auto transport = MakeTransport(server.base_url(), {});
    CHECK(transport->Send(Get("/")).body == "first");
    auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH_AS(transport->Send(Get("/", std::chrono::seconds(1))),
                         doctest::Contains("timed out"), TransportError);
    // A retry would wait out a second timeout on a new connection.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1900));
  }

  TEST_CASE("a body without length ends with the connection, and HEAD and 204 have none") {
    ScriptedServer server([](ScriptedConnection& c) {
      std::string request = c.ReadRequest();
      if (request.rfind("GET", 0) == 0) {
        c.Write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
      } else if (request.rfind("HEAD", 0) == 0) {
        c.Write("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n");
        c.ReadRequest();
        c.Write("HTTP/1.1 204 No Content\r\n\r\n");
        c.WaitForClose(std::chrono::seconds(5));
      }
    });
    auto transport = MakeTransport(server.base_url(), {});
    CHECK(transport->Send(Get("/")).body == "until the end");
    Request head = Get("/");
    head.method = "HEAD";
    Response r = transport->Send(head);
    CHECK(r.status == 200);
    CHECK(r.body.empty());
    Request del = Get("/");
    del.method = "DELETE";
    CHECK(transport->Send(del).status == 204);
  }

  TEST_CASE("the base URL's path is a prefix of every request path") {
    std::string seen;
    ScriptedServer server([&](ScriptedConnection& c) {
      seen = c.ReadRequest();
      c.Write(Plain(200, ""));
    });
    MakeTransport(server.base_url() + "/k8s/", {})->Send(Get("/api?x=1"));
    CHECK(seen.rfind("GET /k8s/api?x=1 HTTP/1.1\r\n", 0) == 0);
    CHECK(seen.find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n") !=
          std::string::npos);
  }

  TEST_CASE("a path or header with a line break is refused before anything is sent") {
    auto transport = MakeTransport("http://127.0.0.1:1", {});
    CHECK_THROWS_WITH_AS(transport->Send(Get("/a b")), doctest::Contains("path"), TransportError);
    Request r = Get("/");
    r.headers["x-evil"] = "a\r\nInjected: yes";
    CHECK_THROWS_WITH_AS(transport->Send(r), doctest::Contains("x-evil"), TransportError);
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

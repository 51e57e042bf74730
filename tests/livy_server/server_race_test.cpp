// Clients racing for the last slots, over real HTTP (the server on a loopback
// port, fake drivers and batches): the limit holds exactly and nothing that
// was refused starts a process.

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "common/json.h"
#include "fakes/fake_livy_driver.h"
#include "http/http.h"
#include "livy_server/registry.h"
#include "livy_server/server.h"
#include "temp_dir.h"

namespace spyt::livy_server {
namespace {

constexpr int kClients = 20;
constexpr int kLimit = 3;

struct RaceResult {
  int created = 0;
  int refused_at_limit = 0;
  int other = 0;
};

// kClients threads POST `body` to `path` at once (released together).
RaceResult Race(int port, const std::string& path, const std::string& body) {
  auto transport = http::MakeTransport("http://127.0.0.1:" + std::to_string(port), {});
  std::atomic<int> created{0}, refused{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      http::Request r;
      r.method = "POST";
      r.path = path;
      r.body = body;
      r.headers["content-type"] = "application/json";
      const http::Response answer = transport->Send(r);
      if (answer.status == 201) {
        ++created;
      } else if (answer.status == 400 &&
                 json::StringAt(json::Parse(answer.body), {"msg"}) == kTooManySessions) {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  go = true;
  for (auto& t : clients) t.join();
  return {created.load(), refused.load(), other.load()};
}

struct RaceServer {
  testing::TempDir dir;
  fakes::FakeDriverFactory drivers;
  fakes::FakeBatchFactory batches;
  std::unique_ptr<LivyServer> server;

  RaceServer() {
    ServerConfig c;
    c.address = "127.0.0.1:0";
    c.registry.max_sessions = kLimit;
    c.work_dir = dir.path();
    server = std::make_unique<LivyServer>(c, drivers, batches, RealClock());
    server->Start();
  }
  ~RaceServer() { server->Stop(); }
};

}  // namespace

TEST_SUITE("livy_server races") {
  TEST_CASE("20 clients racing for 3 session slots: exactly 3 sessions, 17 refusals, 3 drivers") {
    RaceServer s;
    const RaceResult r = Race(s.server->port(), "/sessions", R"({"kind":"spark"})");
    CHECK(r.created == kLimit);
    CHECK(r.refused_at_limit == kClients - kLimit);
    CHECK(r.other == 0);
    CHECK(s.drivers.started() == kLimit);
  }

  TEST_CASE("20 clients racing for 3 batch slots: exactly 3 batches, 17 refusals, 3 processes") {
    RaceServer s;
    const RaceResult r = Race(s.server->port(), "/batches", R"({"file":"/opt/app.jar"})");
    CHECK(r.created == kLimit);
    CHECK(r.refused_at_limit == kClients - kLimit);
    CHECK(r.other == 0);
    std::lock_guard<std::mutex> lock(s.batches.mu);
    CHECK(s.batches.started.size() == static_cast<std::size_t>(kLimit));
  }
}

}  // namespace spyt::livy_server

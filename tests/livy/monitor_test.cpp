#include "livy/monitor.h"

#include <doctest/doctest.h>

#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"

namespace spyt::livy {
namespace {

using namespace std::chrono_literals;

// Hands the monitor a forwarding client per URL so the test keeps scripting them.
class Forward : public http::Transport {
 public:
  explicit Forward(std::shared_ptr<fakes::FakeTransport> to) : to_(std::move(to)) {}
  http::Response Send(const http::Request& r) override { return to_->Send(r); }
  std::unique_ptr<http::LineStream> Stream(const http::Request& r) override {
    return to_->Stream(r);
  }

 private:
  std::shared_ptr<fakes::FakeTransport> to_;
};

struct RecordingObserver : Observer {
  std::mutex mu;
  std::vector<std::pair<std::string, bool>> observed;  // key, answering
  std::vector<std::string> forgotten;
  void LivyObserved(const Target& t, const Observation& o, double) override {
    std::lock_guard lock(mu);
    observed.emplace_back(t.Key(), o.answering);
  }
  void LivyForgotten(const std::string& ns, const std::string& name) override {
    std::lock_guard lock(mu);
    forgotten.push_back(ns + "/" + name);
  }
};

std::string List(std::initializer_list<const char*> states) {
  std::string items;
  for (const char* s : states)
    items += std::string(items.empty() ? "" : ",") + R"({"state":")" + s + "\"}";
  return R"({"from":0,"total":)" + std::to_string(states.size()) + R"(,"sessions":[)" + items +
         "]}";
}

struct Fixture {
  fakes::FakeClock clock;
  std::map<std::string, std::shared_ptr<fakes::FakeTransport>> servers;
  std::vector<std::string> made;  // URLs the factory was asked for
  std::mutex targets_mu;          // also guards `made` and `changed`
  std::mutex servers_mu;
  std::vector<Target> targets;
  std::vector<std::string> changed;
  RecordingObserver observer;

  std::shared_ptr<fakes::FakeTransport> Server(const std::string& url) {
    std::lock_guard lock(servers_mu);
    auto& s = servers[url];
    if (!s) s = std::make_shared<fakes::FakeTransport>();
    return s;
  }
  void Answer(const std::string& url, std::initializer_list<const char*> sessions,
              std::initializer_list<const char*> batches = {}) {
    Server(url)->Reply(200, List(sessions));
    Server(url)->Reply(200, List(batches));
  }
  std::unique_ptr<Monitor> Make(MonitorOptions options = {}) {
    return std::make_unique<Monitor>(
        [this](const std::string& url) {
          std::lock_guard lock(targets_mu);
          made.push_back(url);
          return std::make_unique<Forward>(Server(url));
        },
        [this] {
          std::lock_guard lock(targets_mu);
          return targets;
        },
        clock, options, &observer,
        [this](const Target& t) {
          std::lock_guard lock(targets_mu);
          changed.push_back(t.Key());
        });
  }
};

}  // namespace

TEST_SUITE("livy monitor") {
  TEST_CASE("one round polls every listed Livy, one that fails is an observation, not a throw") {
    Fixture f;
    f.targets = {{"a", "one", "http://one:8998", 5}, {"a", "two", "http://two:8998", 3}};
    f.Answer("http://one:8998", {"idle", "busy"}, {"success"});
    f.Server("http://two:8998")->Fail("connection refused");
    auto m = f.Make({1s, 1s, 2});
    m->PollOnce();

    auto one = m->Latest("a", "one");
    REQUIRE(one);
    CHECK(one->answering);
    CHECK(one->usage.in_use == 2);
    CHECK(one->max_sessions == 5);
    CHECK(one->at == f.clock.WallNow());
    auto two = m->Latest("a", "two");
    REQUIRE(two);
    CHECK(!two->answering);
    CHECK(two->error == "http://two:8998: GET /sessions: connection refused");
    CHECK(!m->Latest("a", "three"));
    CHECK(f.observer.observed.size() == 2);
    CHECK(f.changed.size() == 2);  // first observations are changes
  }

  TEST_CASE("the change handler fires only when what a status shows changes") {
    Fixture f;
    f.targets = {{"a", "one", "http://one:8998", 5}};
    auto m = f.Make();
    f.Answer("http://one:8998", {"idle"});
    m->PollOnce();
    f.Answer("http://one:8998", {"idle"});
    m->PollOnce();
    CHECK(f.changed.size() == 1);
    f.Answer("http://one:8998", {"idle", "starting"});
    m->PollOnce();
    CHECK(f.changed.size() == 2);
    f.Server("http://one:8998")->Fail("timed out");
    m->PollOnce();
    CHECK(f.changed.size() == 3);
    f.Server("http://one:8998")->Fail("timed out again");  // still down: no new change
    m->PollOnce();
    CHECK(f.changed.size() == 3);
    CHECK(f.observer.observed.size() == 5);  // metrics see every poll
  }

  TEST_CASE("a cluster no longer listed is forgotten and its client dropped") {
    Fixture f;
    f.targets = {{"a", "one", "http://one:8998", 5}};
    auto m = f.Make();
    f.Answer("http://one:8998", {});
    m->PollOnce();
    f.Answer("http://one:8998", {});
    m->PollOnce();
    CHECK(f.made == std::vector<std::string>{"http://one:8998"});  // one client, reused
    f.targets.clear();
    m->PollOnce();
    CHECK(!m->Latest("a", "one"));
    CHECK(f.observer.forgotten == std::vector<std::string>{"a/one"});
    f.targets = {{"a", "one", "http://one:8998", 5}};
    f.Answer("http://one:8998", {});
    m->PollOnce();
    CHECK(f.made.size() == 2);  // a new client after the old one was dropped
  }

  TEST_CASE("started, it polls at once and then every interval until stopped") {
    Fixture f;
    f.targets = {{"a", "one", "http://one:8998", 5}};
    auto m = f.Make({30s, 1s, 1});
    f.Answer("http://one:8998", {"idle"});
    m->Start();
    REQUIRE(f.clock.WaitForBlockedWaiters(1));
    CHECK(f.observer.observed.size() == 1);
    f.Answer("http://one:8998", {"idle", "idle"});
    f.clock.Advance(29s);
    REQUIRE(f.clock.WaitForBlockedWaiters(1));
    CHECK(f.observer.observed.size() == 1);
    f.clock.Advance(1s);
    REQUIRE(f.clock.WaitForBlockedWaiters(1));
    CHECK(f.observer.observed.size() == 2);
    CHECK(m->Latest("a", "one")->usage.in_use == 2);
    m->Stop();
    f.clock.Advance(60s);
    CHECK(f.observer.observed.size() == 2);
  }
}

}  // namespace spyt::livy

// The operator's Livy polling on Kubernetes, against the real API server (with
// kube-controller-manager, kube-scheduler and kwok making the Livy Deployment
// Ready). With kwok no Livy runs behind the Deployment, and its Service's DNS name
// would leave loopback, so the HTTP side is a scripted Livy behind our own
// http::Transport interface; real Livy is polled in tests/integration/spark/test_local.py.
// What this proves: the leader lists Ready Livys from its cache, polls the
// Service's address, queues the cluster when the answer changes, and the reconciler
// writes LivyResponding through the real /status subresource.

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "cluster/operator.h"
#include "common/yaml.h"
#include "kube_env.h"
#include "runtime/manager.h"
#include "test_files.h"

namespace spyt {
namespace {

using namespace std::chrono_literals;

// Answers GET /sessions and /batches like Livy, from states the test sets, or fails
// the way an unreachable server does.
class ScriptedLivy {
 public:
  void Answer(std::vector<std::string> session_states) {
    std::lock_guard lock(mu_);
    states_ = std::move(session_states);
    down_.clear();
  }
  void GoDown(std::string why) {
    std::lock_guard lock(mu_);
    down_ = std::move(why);
  }
  http::Response Handle(const http::Request& r) {
    std::lock_guard lock(mu_);
    if (!down_.empty()) throw http::TransportError(down_);
    bool batches = r.path.rfind("/batches", 0) == 0;
    json::Array items;
    if (!batches) {
      for (const auto& s : states_) items.push_back(json::Object{{"state", s}});
    }
    json::Value body =
        json::Object{{"from", 0}, {"total", static_cast<int>(items.size())}, {"sessions", items}};
    return {200, {{"content-type", "application/json"}}, json::Dump(body)};
  }

 private:
  std::mutex mu_;
  std::vector<std::string> states_;
  std::string down_ = "not answering yet";
};

class ToScripted : public http::Transport {
 public:
  explicit ToScripted(ScriptedLivy& livy) : livy_(livy) {}
  http::Response Send(const http::Request& r) override { return livy_.Handle(r); }
  std::unique_ptr<http::LineStream> Stream(const http::Request&) override {
    throw http::TransportError("Livy is not streamed");
  }

 private:
  ScriptedLivy& livy_;
};

std::optional<api::Condition> Find(const json::Value& cluster, const std::string& type) {
  const json::Value* status = cluster.find("status");
  const json::Value* conds = status ? status->find("conditions") : nullptr;
  if (conds == nullptr) return std::nullopt;
  for (const auto& c : conds->as_array()) {
    if (c.find("type")->as_string() != type) continue;
    api::Condition found;
    found.type = type;
    found.status = c.find("status")->as_string();
    found.reason = c.find("reason") ? c.find("reason")->as_string() : "";
    found.message = c.find("message") ? c.find("message")->as_string() : "";
    return found;
  }
  return std::nullopt;
}

// Waits (real time) until the cluster's condition `type` satisfies `ok`; returns it.
api::Condition WaitForCondition(kube::Client& client, const std::string& ns,
                                const std::string& type,
                                const std::function<bool(const api::Condition&)>& ok,
                                std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last = "absent";
  while (std::chrono::steady_clock::now() < deadline) {
    json::Value cluster = client.Get(kube::resources::kSpytClusters, ns, "livy");
    if (auto c = Find(cluster, type)) {
      if (ok(*c)) return *c;
      last = c->status + "/" + c->reason + ": " + c->message;
    }
    std::this_thread::sleep_for(200ms);
  }
  FAIL("condition " << type << " did not get there in time; last seen: " << last);
  return {};
}

}  // namespace

TEST_SUITE("operator livy polling") {
  TEST_CASE(
      "a Ready Livy's sessions become LivyResponding; one that stops answering turns it False") {
    auto client = testing::AdminClient();
    testing::InstallSpytCrd(*client);
    testing::TestNamespace ns(*client, "livy-poll");

    runtime::ManagerOptions mo;
    mo.health_probe_bind_address = "";
    runtime::Manager manager(*client, RealClock(), mo);
    cluster::OperatorOptions oo;
    oo.namespaces = {ns.name()};
    oo.livy.interval = 200ms;
    oo.livy.timeout = 1s;
    ScriptedLivy livy;
    std::mutex urls_mu;
    std::vector<std::string> urls;
    cluster::Operator op(manager, *client, RealClock(), oo, {}, [&](const std::string& url) {
      std::lock_guard lock(urls_mu);
      urls.push_back(url);
      return std::make_unique<ToScripted>(livy);
    });
    std::thread run([&] { manager.Run(); });
    struct StopAtEnd {
      runtime::Manager& m;
      std::thread& t;
      ~StopAtEnd() {
        m.RequestStop();
        t.join();
      }
    } stop{manager, run};

    json::Value cluster =
        yaml::ParseOne(testing::ReadText(testing::SourcePath("examples/livy.yaml")));
    cluster["metadata"]["namespace"] = ns.name();
    client->Create(kube::resources::kSpytClusters, ns.name(), cluster);

    // Not Ready yet, or Ready but not answering: never True before Livy answers.
    livy.Answer({"idle", "busy", "dead"});
    api::Condition c = WaitForCondition(
        *client, ns.name(), "LivyResponding", [](const auto& c) { return c.status == "True"; },
        180s);
    CHECK(c.reason == "SessionsAvailable");
    CHECK(c.message == "2/5 sessions in use (sessions: 1 busy, 1 dead, 1 idle; batches: none)");
    {
      std::lock_guard lock(urls_mu);
      REQUIRE(!urls.empty());
      CHECK(urls.front() == "http://livy-livy." + ns.name() + ".svc.cluster.local:8998");
    }

    livy.Answer({"idle", "idle", "idle", "busy", "starting"});
    c = WaitForCondition(
        *client, ns.name(), "LivyResponding",
        [](const auto& c) { return c.reason == "SessionLimitReached"; }, 30s);
    CHECK(c.message.rfind("5/5 sessions in use", 0) == 0);

    livy.GoDown("connection refused");
    c = WaitForCondition(
        *client, ns.name(), "LivyResponding", [](const auto& c) { return c.status == "False"; },
        30s);
    CHECK(c.reason == "NotAnswering");
    CHECK(c.message.find("connection refused") != std::string::npos);
    json::Value live = client->Get(kube::resources::kSpytClusters, ns.name(), "livy");
    REQUIRE(Find(live, "Ready").has_value());
    CHECK(Find(live, "Ready")->status == "True");  // reaching Livy is not the pods' readiness
  }
}

}  // namespace spyt

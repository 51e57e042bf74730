#include "runtime/controller.h"

#include <doctest/doctest.h>

#include <functional>
#include <mutex>

namespace spyt::runtime {
namespace {

class ScriptedReconciler : public Reconciler {
 public:
  std::function<Result(const Request&)> script = [](const Request&) { return Result{}; };
  std::vector<std::string> seen;

  Result Reconcile(const Request& request) override {
    {
      std::lock_guard lock(mutex_);
      seen.push_back(request.Key());
    }
    return script(request);
  }

 private:
  std::mutex mutex_;
};

Controller MakeController(ScriptedReconciler& r) {
  return Controller(
      r, RealClock(), {"test", 1},
      MakeExponentialRateLimiter(std::chrono::milliseconds(1), std::chrono::milliseconds(50)));
}

json::Value Owned(const std::string& owner_kind, bool controller) {
  return json::Object{
      {"metadata", json::Object{{"name", "child"},
                                {"namespace", "ns"},
                                {"ownerReferences",
                                 json::Array{json::Object{{"apiVersion", "spyt.dev/v1alpha1"},
                                                          {"kind", owner_kind},
                                                          {"name", "parent"},
                                                          {"controller", controller}}}}}}};
}

}  // namespace

TEST_SUITE("controller") {
  TEST_CASE("requests round-trip through queue keys") {
    CHECK(Request::FromKey("ns/name") == Request{"ns", "name"});
    CHECK(Request::FromKey("node-1") == Request{"", "node-1"});
    CHECK(Request{"ns", "name"}.Key() == "ns/name");
  }

  TEST_CASE("a child event maps to its controlling owner of the right kind") {
    auto map = MapToOwner("spyt.dev", "SpytCluster");
    CHECK(map(Owned("SpytCluster", true)) == std::vector<Request>{{"ns", "parent"}});
    CHECK(map(Owned("SpytCluster", false)).empty());
    CHECK(map(Owned("Deployment", true)).empty());
    CHECK(MapToSelf()(Owned("X", true)) == std::vector<Request>{{"ns", "child"}});
  }

  TEST_CASE("success forgets the key's backoff") {
    ScriptedReconciler r;
    Controller c = MakeController(r);
    c.Enqueue({"ns", "a"});
    REQUIRE(c.ProcessNext());
    CHECK(c.queue().NumRequeues("ns/a") == 0);
    CHECK(c.queue().Len() == 0);
  }

  TEST_CASE("an error retries the key with growing backoff until it succeeds") {
    ScriptedReconciler r;
    int calls = 0;
    r.script = [&](const Request&) -> Result {
      if (++calls < 3) throw std::runtime_error("transient");
      return {};
    };
    Controller c = MakeController(r);
    c.Enqueue({"ns", "a"});
    REQUIRE(c.ProcessNext());
    CHECK(c.queue().NumRequeues("ns/a") == 1);
    REQUIRE(c.ProcessNext());  // Get blocks until the 1 ms backoff passes
    CHECK(c.queue().NumRequeues("ns/a") == 2);
    REQUIRE(c.ProcessNext());
    CHECK(calls == 3);
    CHECK(c.queue().NumRequeues("ns/a") == 0);
  }

  TEST_CASE("a terminal error is not retried") {
    ScriptedReconciler r;
    r.script = [](const Request&) -> Result { throw TerminalError("invalid"); };
    Controller c = MakeController(r);
    c.Enqueue({"ns", "a"});
    REQUIRE(c.ProcessNext());
    CHECK(c.queue().Len() == 0);
    CHECK(c.queue().NumRequeues("ns/a") == 0);
  }

  TEST_CASE("an API error with Retry-After is retried after that delay, not the backoff") {
    ScriptedReconciler r;
    int calls = 0;
    r.script = [&](const Request&) -> Result {
      if (++calls == 1) {
        throw kube::ApiError(kube::Reason::kTooManyRequests, 429, "slow down", {},
                             std::chrono::seconds(0));
      }
      return {};
    };
    Controller c = MakeController(r);
    c.Enqueue({"ns", "a"});
    REQUIRE(c.ProcessNext());
    CHECK(c.queue().NumRequeues("ns/a") == 0);
    REQUIRE(c.ProcessNext());
    CHECK(calls == 2);
  }

  TEST_CASE("requeue_after schedules another pass") {
    ScriptedReconciler r;
    int calls = 0;
    r.script = [&](const Request&) -> Result {
      if (++calls == 1) return {std::chrono::milliseconds(2)};
      return {};
    };
    Controller c = MakeController(r);
    c.Enqueue({"ns", "a"});
    REQUIRE(c.ProcessNext());
    REQUIRE(c.ProcessNext());
    CHECK(calls == 2);
  }

  TEST_CASE("Stop ends the workers and ProcessNext reports shutdown") {
    ScriptedReconciler r;
    Controller c = MakeController(r);
    c.Start();
    c.Enqueue({"ns", "a"});
    c.Stop();
    CHECK_FALSE(c.ProcessNext());
  }
}

}  // namespace spyt::runtime

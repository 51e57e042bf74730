#include "runtime/informer.h"

#include <doctest/doctest.h>

#include <mutex>
#include <thread>

#include "fakes/fake_client.h"
#include "fakes/fake_clock.h"

namespace spyt::runtime {
namespace {

const kube::Resource& kCm = kube::resources::kConfigMaps;

json::Value ConfigMap(const std::string& name, const std::string& value = "v",
                      const std::string& label = "ours") {
  return json::Object{{"apiVersion", "v1"},
                      {"kind", "ConfigMap"},
                      {"metadata", json::Object{{"name", name},
                                                {"namespace", "ns"},
                                                {"labels", json::Object{{"owner", label}}},
                                                {"managedFields", json::Array{json::Object{}}}}},
                      {"data", json::Object{{"k", value}}}};
}

// Handlers run on the informer's thread; the test reads from its own.
struct Recorder {
  std::mutex mutex;
  std::vector<std::string> events;
  void Push(std::string e) {
    std::lock_guard lock(mutex);
    events.push_back(std::move(e));
  }
  std::vector<std::string> Events() {
    std::lock_guard lock(mutex);
    return events;
  }
  EventHandler Handler() {
    return {[this](const json::Value& o) { Push("add " + ObjectKey(o)); },
            [this](const json::Value& o) { Push("update " + ObjectKey(o)); },
            [this](const json::Value& o) { Push("delete " + ObjectKey(o)); }};
  }
};

// Runs the informer on a thread until the test ends.
struct Running {
  Informer& informer;
  std::thread thread;
  explicit Running(Informer& inf) : informer(inf), thread([&inf] { inf.Run(); }) {
    REQUIRE(inf.WaitForSync(std::chrono::seconds(5)));
  }
  ~Running() {
    informer.Stop();
    thread.join();
  }
};

template <typename F>
bool Eventually(F f) {
  for (int i = 0; i < 500; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

InformerOptions Options() {
  InformerOptions o{kCm, "ns", "owner=ours"};
  o.min_backoff = std::chrono::milliseconds(1);
  o.max_backoff = std::chrono::milliseconds(5);
  return o;
}

}  // namespace

TEST_SUITE("informer") {
  TEST_CASE("the first list fills the cache, strips managedFields and reports adds") {
    fakes::FakeClient client;
    client.Create(kCm, "ns", ConfigMap("a"));
    client.Create(kCm, "ns", ConfigMap("b"));
    Informer inf(client, RealClock(), Options());
    Recorder rec;
    inf.AddEventHandler(rec.Handler());
    inf.ListAndReplace();
    CHECK(inf.store().Size() == 2);
    CHECK(inf.store().Get("ns/a")->find("metadata")->find("managedFields") == nullptr);
    CHECK(rec.Events() == std::vector<std::string>{"add ns/a", "add ns/b"});
  }

  TEST_CASE("only objects matching the label selector are cached") {
    fakes::FakeClient client;
    client.Create(kCm, "ns", ConfigMap("a"));
    client.Create(kCm, "ns", ConfigMap("theirs", "v", "someone-else"));
    Informer inf(client, RealClock(), Options());
    inf.ListAndReplace();
    CHECK(inf.store().Keys() == std::vector<std::string>{"ns/a"});
  }

  TEST_CASE("watch events after the list update the cache in order") {
    fakes::FakeClient client;
    Informer inf(client, RealClock(), Options());
    Recorder rec;
    inf.AddEventHandler(rec.Handler());
    Running run(inf);
    client.Create(kCm, "ns", ConfigMap("a"));
    client.Apply(kCm, "ns", ConfigMap("a", "changed"), {"test", true});
    client.Delete(kCm, "ns", "a");
    REQUIRE(Eventually([&] { return rec.Events().size() >= 3; }));
    CHECK(rec.Events() == std::vector<std::string>{"add ns/a", "update ns/a", "delete ns/a"});
    CHECK(inf.store().Size() == 0);
  }

  TEST_CASE("a watch the server ends is resumed from the last version without losing events") {
    fakes::FakeClient client;
    Informer inf(client, RealClock(), Options());
    Running run(inf);
    client.Create(kCm, "ns", ConfigMap("a"));
    REQUIRE(Eventually([&] { return inf.store().Size() == 1; }));
    client.CloseWatches();
    client.Create(kCm, "ns", ConfigMap("b"));
    REQUIRE(Eventually([&] { return inf.store().Size() == 2; }));
    CHECK(client.Requests("list") == 1);
  }

  TEST_CASE("410 Gone leads to a relist that drops objects deleted meanwhile") {
    fakes::FakeClient client;
    client.Create(kCm, "ns", ConfigMap("a"));
    client.Create(kCm, "ns", ConfigMap("b"));
    Informer inf(client, RealClock(), Options());
    Recorder rec;
    inf.AddEventHandler(rec.Handler());
    Running run(inf);
    client.Delete(kCm, "ns", "a");
    REQUIRE(Eventually([&] { return inf.store().Size() == 1; }));
    client.Compact();
    client.ExpireWatches();
    client.Create(kCm, "ns", ConfigMap("c"));
    REQUIRE(Eventually([&] { return inf.store().Size() == 2 && client.Requests("list") == 2; }));
    CHECK(inf.store().Get("ns/c").has_value());
    CHECK_FALSE(inf.store().Get("ns/a").has_value());
  }

  TEST_CASE("an ERROR event carrying 410 is treated as Gone, as a real server sends it") {
    fakes::FakeClient client;
    client.SetExpiredAsErrorEvent(true);
    Informer inf(client, RealClock(), Options());
    Running run(inf);
    client.ExpireWatches();
    REQUIRE(Eventually([&] { return client.Requests("list") == 2; }));
  }

  TEST_CASE("a failing list is retried with backoff and the informer syncs afterwards") {
    fakes::FakeClient client;
    client.Create(kCm, "ns", ConfigMap("a"));
    client.FailNext("list", kube::ApiError(kube::Reason::kServerError, 500, "etcd down"), 2);
    Informer inf(client, RealClock(), Options());
    std::thread t([&] { inf.Run(); });
    CHECK(inf.WaitForSync(std::chrono::seconds(5)));
    CHECK(client.Requests("list") == 3);
    inf.Stop();
    t.join();
  }

  TEST_CASE("a watch that broke after running a while is retried after the shortest backoff") {
    using namespace std::chrono_literals;
    fakes::FakeClient client;
    fakes::FakeClock clock;
    InformerOptions o = Options();
    o.min_backoff = 1s;
    o.max_backoff = 30s;
    const kube::ApiError refused(kube::Reason::kTransport, 0, "connection refused");
    client.FailNext("watch", refused, 4);  // an outage: backoffs of 1, 2, 4 and 8 s
    Informer inf(client, clock, o);
    std::thread t([&] { inf.Run(); });
    for (int i = 0; i < 4; ++i) {
      REQUIRE(clock.WaitForBlockedWaiters(1));
      clock.Advance(30s);
    }
    REQUIRE(inf.WaitForSync(5s));
    clock.Advance(10min);  // the watch runs for a long time, then its connection breaks
    const int watches = client.Requests("watch");
    client.BreakWatches(refused);
    REQUIRE(clock.WaitForBlockedWaiters(1));
    clock.Advance(1s);
    CHECK(Eventually([&] { return client.Requests("watch") == watches + 1; }));
    inf.Stop();
    t.join();
  }

  TEST_CASE("Stop ends Run even while it waits for events") {
    fakes::FakeClient client;
    Informer inf(client, RealClock(), Options());
    std::thread t([&] { inf.Run(); });
    REQUIRE(inf.WaitForSync(std::chrono::seconds(5)));
    inf.Stop();
    t.join();
    CHECK(client.OpenWatches() == 0);
  }
}

}  // namespace spyt::runtime

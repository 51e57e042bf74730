#include "metrics/metrics.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

namespace spyt::metrics {

TEST_SUITE("metrics") {
  TEST_CASE("reconciles are counted by controller and result, errors separately") {
    Metrics m("1.2.3");
    m.ReconcileFinished("spytcluster", "success", 0.01);
    m.ReconcileFinished("spytcluster", "error", 0.02);
    std::string text = m.Render();
    CHECK(text.find("controller_runtime_reconcile_total{controller=\"spytcluster\",result="
                    "\"success\"} 1") != std::string::npos);
    CHECK(text.find("controller_runtime_reconcile_errors_total{controller=\"spytcluster\"} 1") !=
          std::string::npos);
    CHECK(text.find(
              "controller_runtime_reconcile_time_seconds_count{controller=\"spytcluster\"} 2") !=
          std::string::npos);
  }

  TEST_CASE("API requests are counted by method and code") {
    Metrics m("1.2.3");
    m.ObserveRequest("PATCH", 200, 0.003);
    m.ObserveRequest("PATCH", 200, 0.004);
    m.ObserveRequest("GET", 0, 1.0);
    std::string text = m.Render();
    CHECK(text.find("rest_client_requests_total{code=\"200\",method=\"PATCH\"} 2") !=
          std::string::npos);
    CHECK(text.find("rest_client_requests_total{code=\"0\",method=\"GET\"} 1") !=
          std::string::npos);
  }

  TEST_CASE("queue observers report under the queue's name") {
    Metrics m("1.2.3");
    runtime::QueueMetrics* q = m.Queue("spytcluster");
    q->Added();
    q->SetDepth(3);
    q->SetUnfinished(1.5, 1.0);
    std::string text = m.Render();
    CHECK(text.find("workqueue_adds_total{name=\"spytcluster\"} 1") != std::string::npos);
    CHECK(text.find("workqueue_depth{name=\"spytcluster\"} 3") != std::string::npos);
    CHECK(text.find("workqueue_longest_running_processor_seconds{name=\"spytcluster\"} 1") !=
          std::string::npos);
  }

  TEST_CASE("build info carries the version") {
    Metrics m("1.2.3");
    CHECK(m.Render().find("spyt_operator_build_info{version=\"1.2.3\"} 1") != std::string::npos);
  }

  TEST_CASE("pollers run in the background and stop when asked") {
    Metrics m("1.2.3");
    std::atomic<int> calls{0};
    m.Poll([&] { ++calls; });
    std::jthread polling([&m](std::stop_token stop) { m.Pollers().Run(std::move(stop)); });
    for (int i = 0; i < 40 && calls == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    polling.request_stop();
    polling.join();
    int after = calls;
    CHECK(after >= 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    CHECK(calls == after);
  }
}

}  // namespace spyt::metrics

namespace spyt::metrics {

TEST_SUITE("metrics") {
  TEST_CASE("per-cluster series follow the cluster and disappear with it") {
    Metrics m("1.2.3");
    api::SpytCluster c;
    c.metadata.namespace_ = "ns";
    c.metadata.name = "demo";
    c.metadata.generation = 3;
    c.spec.livy.enabled = true;
    c.spec.livy.max_sessions = 5;
    api::SpytClusterStatus st;
    st.observed_generation = 3;
    st.workers = {4, 3, "3/4"};
    st.conditions.push_back(
        {"Ready", "False", 3, "t", "ComponentsNotReady", "waiting for: workers"});
    m.ClusterObserved(c, st);
    std::string text = m.Render();
    CHECK(text.find("spyt_cluster_workers_ready{name=\"demo\",namespace=\"ns\"} 3") !=
          std::string::npos);
    CHECK(text.find("spyt_cluster_livy_max_sessions{name=\"demo\",namespace=\"ns\"} 5") !=
          std::string::npos);
    CHECK(text.find("spyt_cluster_condition{name=\"demo\",namespace=\"ns\",type=\"Ready\"} 0") !=
          std::string::npos);
    m.ClusterGone("ns", "demo");
    text = m.Render();
    CHECK(text.find("name=\"demo\"") == std::string::npos);
  }

  TEST_CASE("a condition the status no longer has loses its series") {
    Metrics m("1.2.3");
    api::SpytCluster c;
    c.metadata.namespace_ = "ns";
    c.metadata.name = "demo";
    api::SpytClusterStatus st;
    st.conditions.push_back({"Ready", "True", 1, "t", "AllComponentsReady", ""});
    st.conditions.push_back({"LivyResponding", "True", 1, "t", "SessionsAvailable", ""});
    m.ClusterObserved(c, st);
    CHECK(m.Render().find("type=\"LivyResponding\"} 1") != std::string::npos);
    st.conditions.pop_back();
    m.ClusterObserved(c, st);
    CHECK(m.Render().find("LivyResponding") == std::string::npos);
    CHECK(m.Render().find("type=\"Ready\"} 1") != std::string::npos);
  }

  TEST_CASE("Livy polls: sessions by kind and state, in use, up, stale series go") {
    Metrics m("1.2.3");
    livy::Observer* o = m.Livy();
    livy::Target t{"ns", "demo", "http://127.0.0.1:8998", 5};
    livy::Observation obs;
    obs.answering = true;
    obs.usage.Add(false, "idle");
    obs.usage.Add(false, "idle");
    obs.usage.Add(true, "running");
    o->LivyObserved(t, obs, 0.01);
    std::string text = m.Render();
    const std::string labels = "name=\"demo\",namespace=\"ns\"";
    CHECK(text.find("spyt_livy_up{" + labels + "} 1") != std::string::npos);
    CHECK(text.find("spyt_livy_sessions_in_use{" + labels + "} 3") != std::string::npos);
    CHECK(text.find("spyt_livy_sessions{kind=\"session\"," + labels + ",state=\"idle\"} 2") !=
          std::string::npos);
    CHECK(text.find("spyt_livy_sessions{kind=\"batch\"," + labels + ",state=\"running\"} 1") !=
          std::string::npos);
    CHECK(text.find("spyt_livy_polls_total{result=\"success\"} 1") != std::string::npos);

    // The batch ended and a session is busy: the running batch's series goes.
    livy::Observation next;
    next.answering = true;
    next.usage.Add(false, "busy");
    next.usage.Add(true, "success");
    o->LivyObserved(t, next, 0.01);
    text = m.Render();
    CHECK(text.find("state=\"running\"") == std::string::npos);
    CHECK(text.find("state=\"idle\"") == std::string::npos);
    CHECK(text.find("spyt_livy_sessions_in_use{" + labels + "} 1") != std::string::npos);

    // Not answering: up 0, and no stale counts for the near-limit alert to act on.
    livy::Observation down;
    down.error = "connection refused";
    o->LivyObserved(t, down, 5.0);
    text = m.Render();
    CHECK(text.find("spyt_livy_up{" + labels + "} 0") != std::string::npos);
    CHECK(text.find("spyt_livy_sessions_in_use{") == std::string::npos);
    CHECK(text.find("spyt_livy_sessions{") == std::string::npos);
    CHECK(text.find("spyt_livy_polls_total{result=\"error\"} 1") != std::string::npos);
    CHECK(text.find("spyt_livy_poll_duration_seconds_count 3") != std::string::npos);

    o->LivyObserved(t, obs, 0.01);
    o->LivyForgotten("ns", "demo");
    CHECK(m.Render().find("name=\"demo\"") == std::string::npos);
  }
}

}  // namespace spyt::metrics

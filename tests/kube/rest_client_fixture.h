#pragma once

// A RestClient wired to a scripted transport, a fake time source and recording
// metrics.

#include <memory>

#include "fakes/fake_client_metrics.h"
#include "fakes/fake_transport.h"
#include "fakes/sleep_recording_clock.h"
#include "kube/rest_client.h"

namespace spyt::kube::testing {

inline RestConfig TestConfig() {
  RestConfig config;
  config.server = "https://127.0.0.1:6443";
  config.qps = 0;
  config.user_agent = "spyt-operator/test";
  return config;
}

struct ClientFixture {
  explicit ClientFixture(RestConfig config = TestConfig()) {
    auto owned = std::make_unique<fakes::FakeTransport>();
    transport = owned.get();
    client = std::make_unique<RestClient>(std::move(config), std::move(owned), &metrics, &time);
  }

  fakes::SleepRecordingClock time;
  fakes::FakeClientMetrics metrics;
  fakes::FakeTransport* transport = nullptr;
  std::unique_ptr<RestClient> client;
};

inline json::Value ConfigMap(const std::string& ns, const std::string& name) {
  return json::Object{{"metadata", json::Object{{"name", name}, {"namespace", ns}}}};
}

inline std::string StatusBody(int code, const std::string& reason) {
  return R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":")" + reason +
         R"(","code":)" + std::to_string(code) + "}";
}

}  // namespace spyt::kube::testing

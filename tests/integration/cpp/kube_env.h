#pragma once

// Shared helpers for the C++ integration tests that talk to the real API server
// started by hack/control-plane.sh (SPYT_CONTROL_PLANE_DIR names its state).

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "common/yaml.h"
#include "kube/client.h"
#include "kube/rest_client.h"
#include "kube/rest_config.h"
#include "test_files.h"

namespace spyt::testing {

inline std::string ControlPlaneDir() {
  const char* dir = std::getenv("SPYT_CONTROL_PLANE_DIR");
  if (dir == nullptr || *dir == '\0') {
    throw std::runtime_error(
        "SPYT_CONTROL_PLANE_DIR is not set: start a control plane with hack/control-plane.sh up "
        "and run the tests with the same SPYT_CONTROL_PLANE_DIR");
  }
  return dir;
}

// The admin kubeconfig (client certificate, system:masters), without client-side
// rate limiting.
inline kube::RestConfig AdminConfig() {
  kube::RestConfig config = kube::LoadKubeconfig(ControlPlaneDir() + "/kubeconfig");
  config.qps = 0;
  config.user_agent = "spyt-operator-integration-tests";
  return config;
}

inline std::unique_ptr<kube::Client> AdminClient() { return kube::MakeClient(AdminConfig()); }

// "prefix-" and 8 random hex digits: a DNS-1123 label unique to this run.
inline std::string UniqueName(const std::string& prefix) {
  static std::mt19937_64 rng(std::random_device{}());
  char suffix[9];
  std::snprintf(suffix, sizeof(suffix), "%08x", static_cast<unsigned>(rng()));
  return prefix + "-" + suffix;
}

// Mints a client-certificate user with `hack/control-plane.sh kubeconfig USER` and
// returns the path of its kubeconfig. The user has no RBAC bindings.
inline std::string MintUserKubeconfig(const std::string& user) {
  std::string command = "SPYT_CONTROL_PLANE_DIR='" + ControlPlaneDir() +
                        "' '" SPYT_SOURCE_DIR "/hack/control-plane.sh' kubeconfig '" + user +
                        "' 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) {
    throw std::runtime_error("cannot run " + command);
  }
  std::string out;
  std::array<char, 512> buf;
  while (fgets(buf.data(), buf.size(), pipe.get()) != nullptr) {
    out += buf.data();
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
    out.pop_back();
  }
  if (out.empty()) {
    throw std::runtime_error("hack/control-plane.sh kubeconfig " + user + " printed no path");
  }
  return out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
}

// Applies crds/spyt.dev_spytclusters.yaml (server-side, forced) and waits until the
// API server reports it Established, so SpytClusters can be created at once.
inline void InstallSpytCrd(kube::Client& client) {
  const kube::Resource crds{"apiextensions.k8s.io", "v1", "customresourcedefinitions",
                            "CustomResourceDefinition", false};
  json::Value crd = yaml::ParseOne(ReadText(SourcePath("crds/spyt.dev_spytclusters.yaml")));
  client.Apply(crds, "", crd, {"spyt-tests", true});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    json::Value live = client.Get(crds, "", "spytclusters.spyt.dev");
    const json::Value* conds = json::At(live, {"status", "conditions"});
    if (conds != nullptr && conds->is_array()) {
      for (const auto& c : conds->as_array()) {
        if (json::StringAt(c, {"type"}) == "Established" && json::StringAt(c, {"status"}) == "True")
          return;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("the SpytCluster CRD was not Established within 60 s");
}

// A namespace created for one test and deleted (without waiting) when it ends.
class TestNamespace {
 public:
  TestNamespace(kube::Client& client, const std::string& prefix)
      : client_(client), name_(UniqueName(prefix)) {
    client_.Create(kube::resources::kNamespaces, "",
                   json::Object{{"metadata", json::Object{{"name", name_}}}});
  }
  ~TestNamespace() {
    try {
      client_.Delete(kube::resources::kNamespaces, "", name_);
    } catch (const kube::ApiError&) {
      // Best effort: a leftover namespace in a throw-away cluster harms nothing.
    }
  }
  TestNamespace(const TestNamespace&) = delete;
  TestNamespace& operator=(const TestNamespace&) = delete;

  const std::string& name() const { return name_; }

 private:
  kube::Client& client_;
  std::string name_;
};

}  // namespace spyt::testing

#include <doctest/doctest.h>

#include "kube/config_fixtures.h"
#include "kube/rest_config.h"

namespace spyt::kube {
namespace {

using testing::ScopedEnv;
using testing::TempDir;

const std::string kCa = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";

void WriteServiceAccount(const TempDir& dir) {
  dir.Write("sa/token", "sa-token\n");
  dir.Write("sa/ca.crt", kCa);
  dir.Write("sa/namespace", "operators\n");
}

std::string MinimalKubeconfig(const std::string& server) {
  return "current-context: x\n"
         "clusters: [{name: c, cluster: {server: '" +
         server +
         "'}}]\n"
         "users: [{name: u, user: {token: t}}]\n"
         "contexts: [{name: x, context: {cluster: c, user: u}}]\n";
}

}  // namespace

TEST_SUITE("kube.in_cluster_config") {
  TEST_CASE("in-cluster config reads the service account's token, CA and namespace") {
    TempDir dir;
    WriteServiceAccount(dir);
    ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.0.0.1");
    ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
    RestConfig c = InClusterConfig((dir.path() / "sa").string());
    CHECK(c.server == "https://10.0.0.1:443");
    CHECK(c.bearer_token == "sa-token");
    CHECK(c.bearer_token_file == (dir.path() / "sa" / "token").string());
    CHECK(c.tls.ca_pem == kCa);
    CHECK(c.default_namespace == "operators");
  }

  TEST_CASE("an IPv6 service host is put in brackets") {
    TempDir dir;
    WriteServiceAccount(dir);
    ScopedEnv host("KUBERNETES_SERVICE_HOST", "fd00::1");
    ScopedEnv port("KUBERNETES_SERVICE_PORT", "6443");
    CHECK(InClusterConfig((dir.path() / "sa").string()).server == "https://[fd00::1]:6443");
  }

  TEST_CASE("in-cluster config without the service environment names the variables") {
    ScopedEnv host("KUBERNETES_SERVICE_HOST", std::nullopt);
    CHECK_THROWS_WITH_AS(InClusterConfig("/nonexistent"),
                         doctest::Contains("KUBERNETES_SERVICE_HOST"), ConfigError);
  }

  TEST_CASE("in-cluster config without a token file names the file") {
    TempDir dir;
    dir.Write("sa/ca.crt", kCa);
    ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.0.0.1");
    ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
    CHECK_THROWS_WITH_AS(InClusterConfig((dir.path() / "sa").string()), doctest::Contains("token"),
                         ConfigError);
  }

  TEST_CASE("resolving prefers the --kubeconfig flag over $KUBECONFIG") {
    TempDir dir;
    std::string flag = dir.Write("flag", MinimalKubeconfig("https://flag:1"));
    std::string env = dir.Write("env", MinimalKubeconfig("https://env:1"));
    ScopedEnv kubeconfig("KUBECONFIG", env);
    CHECK(ResolveConfig(flag).server == "https://flag:1");
  }

  TEST_CASE("resolving takes the first existing file of a $KUBECONFIG list") {
    TempDir dir;
    std::string second = dir.Write("second", MinimalKubeconfig("https://second:1"));
    std::string third = dir.Write("third", MinimalKubeconfig("https://third:1"));
    ScopedEnv kubeconfig("KUBECONFIG",
                         (dir.path() / "missing").string() + ":" + second + ":" + third);
    CHECK(ResolveConfig("").server == "https://second:1");
  }

  TEST_CASE("resolving with a missing --kubeconfig file names it") {
    CHECK_THROWS_WITH_AS(ResolveConfig("/nonexistent/kubeconfig"),
                         doctest::Contains("/nonexistent/kubeconfig"), ConfigError);
  }

  TEST_CASE("resolving falls back to ~/.kube/config outside a cluster") {
    TempDir dir;
    dir.Write(".kube/config", MinimalKubeconfig("https://home:1"));
    ScopedEnv kubeconfig("KUBECONFIG", std::nullopt);
    ScopedEnv host("KUBERNETES_SERVICE_HOST", std::nullopt);
    ScopedEnv home("HOME", dir.path().string());
    CHECK(ResolveConfig("").server == "https://home:1");
  }

  TEST_CASE("resolving with nothing configured says what was tried") {
    TempDir dir;
    ScopedEnv kubeconfig("KUBECONFIG", std::nullopt);
    ScopedEnv host("KUBERNETES_SERVICE_HOST", std::nullopt);
    ScopedEnv home("HOME", dir.path().string());
    CHECK_THROWS_WITH_AS(ResolveConfig(""), doctest::Contains("~/.kube/config"), ConfigError);
  }
}

}  // namespace spyt::kube

#include "kube/rest_config.h"

#include <doctest/doctest.h>

#include "kube/base64.h"
#include "kube/config_fixtures.h"

namespace spyt::kube {
namespace {

using testing::TempDir;

const std::string kCa = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
const std::string kCert = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n";
const std::string kKey = "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";

// A kubeconfig with two contexts; `user` is the YAML body of user "u1".
std::string Kubeconfig(const std::string& user, const std::string& cluster_extra = "") {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "current-context: one\n"
         "clusters:\n"
         "- name: c1\n"
         "  cluster:\n"
         "    server: https://127.0.0.1:6443\n"
         "    certificate-authority-data: " +
         EncodeBase64(kCa) + "\n" + cluster_extra +
         "- name: c2\n"
         "  cluster:\n"
         "    server: https://10.0.0.2:443\n"
         "users:\n"
         "- name: u1\n"
         "  user:\n" +
         user +
         "- name: u2\n"
         "  user:\n"
         "    token: second-token\n"
         "contexts:\n"
         "- name: one\n"
         "  context: {cluster: c1, user: u1, namespace: team-a}\n"
         "- name: two\n"
         "  context: {cluster: c2, user: u2}\n";
}

}  // namespace

TEST_SUITE("kube.rest_config") {
  TEST_CASE("the current context selects the cluster, its CA data and the namespace") {
    RestConfig c = ParseKubeconfig(Kubeconfig("    token: t\n"), "/nowhere");
    CHECK(c.server == "https://127.0.0.1:6443");
    CHECK(c.tls.ca_pem == kCa);
    CHECK(c.default_namespace == "team-a");
  }

  TEST_CASE("client certificate and key come from base64 data") {
    RestConfig c =
        ParseKubeconfig(Kubeconfig("    client-certificate-data: " + EncodeBase64(kCert) +
                                   "\n    client-key-data: " + EncodeBase64(kKey) + "\n"),
                        "/nowhere");
    CHECK(c.tls.client_cert_pem == kCert);
    CHECK(c.tls.client_key_pem == kKey);
    CHECK(c.bearer_token.empty());
  }

  TEST_CASE("certificate, key and CA files resolve relative to the kubeconfig's directory") {
    TempDir dir;
    dir.Write("pki/client.crt", kCert);
    dir.Write("pki/client.key", kKey);
    dir.Write("pki/ca.crt", kCa);
    std::string path = dir.Write("conf/config",
                                 "current-context: x\n"
                                 "clusters: [{name: c, cluster: {server: 'https://h:1', "
                                 "certificate-authority: ../pki/ca.crt}}]\n"
                                 "users: [{name: u, user: {client-certificate: ../pki/client.crt, "
                                 "client-key: ../pki/client.key}}]\n"
                                 "contexts: [{name: x, context: {cluster: c, user: u}}]\n");
    RestConfig c = LoadKubeconfig(path);
    CHECK(c.tls.ca_pem == kCa);
    CHECK(c.tls.client_cert_pem == kCert);
    CHECK(c.tls.client_key_pem == kKey);
  }

  TEST_CASE("a static token is taken as it is") {
    RestConfig c = ParseKubeconfig(Kubeconfig("    token: abc.def\n"), "/nowhere");
    CHECK(c.bearer_token == "abc.def");
    CHECK(c.bearer_token_file.empty());
  }

  TEST_CASE("a numeric-looking token stays a string") {
    RestConfig c = ParseKubeconfig(Kubeconfig("    token: 12345\n"), "/nowhere");
    CHECK(c.bearer_token == "12345");
  }

  TEST_CASE("tokenFile is resolved, read now and kept for re-reading") {
    TempDir dir;
    dir.Write("token", "file-token\n");
    std::string path = dir.Write("config", Kubeconfig("    tokenFile: token\n"));
    RestConfig c = LoadKubeconfig(path);
    CHECK(c.bearer_token == "file-token");
    CHECK(c.bearer_token_file == (dir.path() / "token").string());
  }

  TEST_CASE("tls-server-name is carried to the TLS settings") {
    RestConfig c = ParseKubeconfig(
        Kubeconfig("    token: t\n", "    tls-server-name: kubernetes.default\n"), "/nowhere");
    CHECK(c.tls.server_name == "kubernetes.default");
  }

  TEST_CASE("a context override wins over current-context") {
    RestConfig c = ParseKubeconfig(Kubeconfig("    token: t\n"), "/nowhere", "two");
    CHECK(c.server == "https://10.0.0.2:443");
    CHECK(c.bearer_token == "second-token");
    CHECK(c.tls.ca_pem.empty());
    CHECK(c.default_namespace.empty());
  }

  TEST_CASE("a missing context is an error that names it") {
    CHECK_THROWS_WITH_AS(ParseKubeconfig(Kubeconfig("    token: t\n"), "/x", "three"),
                         doctest::Contains("context \"three\" not found"), ConfigError);
  }

  TEST_CASE(
      "a server that is not an http(s) URL is an error naming the cluster (found by fuzzing)") {
    for (const char* server :
         {"https:/863./0.0.1:6443", "127.0.0.1:6443", "ftp://h:1", "https://", "https://h:1 x"}) {
      CAPTURE(server);
      std::string text = std::string("current-context: x\n") +
                         "clusters: [{name: c, cluster: {server: '" + server + "'}}]\n" +
                         "contexts: [{name: x, context: {cluster: c, user: u}}]\n" +
                         "users: [{name: u, user: {token: t}}]\n";
      CHECK_THROWS_WITH_AS(ParseKubeconfig(text, "/x"), doctest::Contains("is not an http(s) URL"),
                           ConfigError);
    }
    for (const char* server : {"https://h:1", "http://127.0.0.1:8080", "https://[::1]:6443",
                               "https://api.example.com/prefix"}) {
      CAPTURE(server);
      std::string text = std::string("current-context: x\n") +
                         "clusters: [{name: c, cluster: {server: '" + server + "'}}]\n" +
                         "contexts: [{name: x, context: {cluster: c, user: u}}]\n" +
                         "users: [{name: u, user: {token: t}}]\n";
      CHECK(ParseKubeconfig(text, "/x").server == server);
    }
  }

  TEST_CASE("no current-context and no override is an error") {
    CHECK_THROWS_WITH_AS(ParseKubeconfig("clusters: []\n", "/x"),
                         doctest::Contains("no current-context"), ConfigError);
  }

  TEST_CASE("a context naming an unknown user is an error that names the user") {
    std::string text =
        "current-context: x\n"
        "clusters: [{name: c, cluster: {server: 'https://h:1'}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: ghost}}]\n";
    CHECK_THROWS_WITH_AS(ParseKubeconfig(text, "/x"), doctest::Contains("user \"ghost\" not found"),
                         ConfigError);
  }

  TEST_CASE("a missing certificate file is an error that names the file") {
    TempDir dir;
    std::string path = dir.Write("config", Kubeconfig("    client-certificate: nope.crt\n"
                                                      "    client-key: nope.key\n"));
    CHECK_THROWS_WITH_AS(LoadKubeconfig(path), doctest::Contains("nope.crt"), ConfigError);
  }

  TEST_CASE("bad base64 data is an error that names the field") {
    CHECK_THROWS_WITH_AS(ParseKubeconfig(Kubeconfig("    client-certificate-data: '@@@'\n"
                                                    "    client-key-data: '@@@'\n"),
                                         "/x"),
                         doctest::Contains("client-certificate-data"), ConfigError);
  }

  TEST_CASE("exec credential plugins are refused clearly") {
    CHECK_THROWS_WITH_AS(ParseKubeconfig(Kubeconfig("    exec: {command: aws}\n"), "/x"),
                         doctest::Contains("exec"), ConfigError);
  }

  TEST_CASE("insecure-skip-tls-verify is refused") {
    CHECK_THROWS_WITH_AS(
        ParseKubeconfig(Kubeconfig("    token: t\n", "    insecure-skip-tls-verify: true\n"), "/x"),
        doctest::Contains("insecure-skip-tls-verify"), ConfigError);
  }

  TEST_CASE("a file that is not YAML is an error naming the file") {
    TempDir dir;
    std::string path = dir.Write("config", "clusters: [unclosed\n");
    CHECK_THROWS_WITH_AS(LoadKubeconfig(path), doctest::Contains(path.c_str()), ConfigError);
  }
}

}  // namespace spyt::kube

#include <doctest/doctest.h>

#include "fakes/scripted_server.h"
#include "fakes/test_pki.h"
#include "http/http.h"
#include "http/http_test_util.h"

namespace spyt::http {
namespace {

using fakes::MakeTestCa;
using fakes::MakeTestLeaf;
using fakes::ScriptedConnection;
using fakes::ScriptedServer;
using fakes::ServerTls;
using fakes::TestCert;

Request Get() {
  Request r;
  r.path = "/version";
  r.timeout = std::chrono::seconds(5);
  return r;
}

// Answers every request with 200 and the client certificate's CN as the body.
ScriptedServer::Handler EchoPeer() {
  return [](ScriptedConnection& c) {
    if (!c.ReadRequest().empty()) {
      c.Write(testing::Plain(200, c.PeerCommonName(), "Connection: close\r\n"));
    }
  };
}

struct Pki {
  TestCert ca = MakeTestCa("test-ca");
  TestCert server = MakeTestLeaf(ca, "apiserver", "IP:127.0.0.1", true);
  TestCert client = MakeTestLeaf(ca, "alice", "", false);
};

}  // namespace

TEST_SUITE("http.tls") {
  TEST_CASE("a server certificate signed by the configured CA is trusted") {
    Pki pki;
    ScriptedServer server(EchoPeer(), ServerTls{pki.server.cert_pem, pki.server.key_pem, ""});
    TlsConfig tls;
    tls.ca_pem = pki.ca.cert_pem;
    CHECK(MakeTransport(server.base_url(), tls)->Send(Get()).status == 200);
  }

  TEST_CASE("a server certificate from another CA is refused") {
    Pki pki;
    ScriptedServer server(EchoPeer(), ServerTls{pki.server.cert_pem, pki.server.key_pem, ""});
    TlsConfig tls;
    tls.ca_pem = MakeTestCa("other-ca").cert_pem;
    CHECK_THROWS_AS(MakeTransport(server.base_url(), tls)->Send(Get()), TransportError);
  }

  TEST_CASE("the client certificate is presented to a server that requires one") {
    Pki pki;
    ScriptedServer server(EchoPeer(),
                          ServerTls{pki.server.cert_pem, pki.server.key_pem, pki.ca.cert_pem});
    TlsConfig tls;
    tls.ca_pem = pki.ca.cert_pem;
    tls.client_cert_pem = pki.client.cert_pem;
    tls.client_key_pem = pki.client.key_pem;
    Response r = MakeTransport(server.base_url(), tls)->Send(Get());
    CHECK(r.status == 200);
    CHECK(r.body == "alice");
  }

  TEST_CASE("without a client certificate a server that requires one refuses the handshake") {
    Pki pki;
    ScriptedServer server(EchoPeer(),
                          ServerTls{pki.server.cert_pem, pki.server.key_pem, pki.ca.cert_pem});
    TlsConfig tls;
    tls.ca_pem = pki.ca.cert_pem;
    CHECK_THROWS_AS(MakeTransport(server.base_url(), tls)->Send(Get()), TransportError);
  }

  TEST_CASE("a certificate for another name is refused unless server_name names it") {
    Pki pki;
    TestCert named = MakeTestLeaf(pki.ca, "kube", "DNS:kube.test", true);
    ScriptedServer server(EchoPeer(), ServerTls{named.cert_pem, named.key_pem, ""});
    TlsConfig tls;
    tls.ca_pem = pki.ca.cert_pem;
    CHECK_THROWS_AS(MakeTransport(server.base_url(), tls)->Send(Get()), TransportError);
    tls.server_name = "kube.test";
    CHECK(MakeTransport(server.base_url(), tls)->Send(Get()).status == 200);
  }

  TEST_CASE("a client certificate without its key is refused at construction") {
    Pki pki;
    TlsConfig tls;
    tls.client_cert_pem = pki.client.cert_pem;
    CHECK_THROWS_AS(MakeTransport("https://127.0.0.1:1", tls), TransportError);
  }

  TEST_CASE("a key that does not match the certificate is refused at construction") {
    Pki pki;
    TlsConfig tls;
    tls.client_cert_pem = pki.client.cert_pem;
    tls.client_key_pem = fakes::MakeTestKey();
    CHECK_THROWS_WITH_AS(MakeTransport("https://127.0.0.1:1", tls), doctest::Contains("unusable"),
                         TransportError);
  }

  TEST_CASE("a CA bundle without certificates is refused at construction") {
    TlsConfig tls;
    tls.ca_pem = "not a certificate";
    CHECK_THROWS_WITH_AS(MakeTransport("https://127.0.0.1:1", tls), doctest::Contains("CA"),
                         TransportError);
  }
}

}  // namespace spyt::http

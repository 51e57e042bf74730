#pragma once

// Throw-away certificates for TLS tests, made in memory with OpenSSL (ECDSA P-256,
// valid for a day).

#include <string>

namespace spyt::fakes {

struct TestCert {
  std::string cert_pem;
  std::string key_pem;
};

TestCert MakeTestCa(const std::string& common_name);

// A leaf certificate signed by `ca`. san: an OpenSSL subjectAltName value such as
// "IP:127.0.0.1" or "DNS:kube.test" ("" for none). server: serverAuth, else clientAuth.
TestCert MakeTestLeaf(const TestCert& ca, const std::string& common_name, const std::string& san,
                      bool server);

// A key that belongs to no certificate.
std::string MakeTestKey();

}  // namespace spyt::fakes

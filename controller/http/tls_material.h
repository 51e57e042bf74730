#pragma once

// TLS material for the client transport, parsed once from PEM into OpenSSL objects
// (internal to controller/http: no other module sees OpenSSL).
//
// ParseTls fails (TransportError) on a bundle without certificates, a certificate
// without its key or a key that does not match, so a bad kubeconfig fails when the
// transport is made and not on every request. NewClientContext builds the SSL_CTX
// every connection of one transport shares: TLS 1.2 or later, peer verification on,
// trusting only the configured CAs (the system store when none is given), presenting
// the client certificate and its chain when one is configured.
//
// Thread-safety: TlsMaterial is immutable after ParseTls; an SSL_CTX may be used by
// many connections at once (OpenSSL locks it internally).

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

#include "http/http.h"

namespace spyt::http::tls {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using CtxPtr = std::unique_ptr<SSL_CTX, CtxFree>;

struct TlsMaterial {
  std::vector<X509Ptr> cas;           // empty: the system store
  std::vector<X509Ptr> client_chain;  // leaf first; empty: no client certificate
  PkeyPtr client_key;
};

TlsMaterial ParseTls(const TlsConfig& config);

// Throws TransportError when OpenSSL refuses the material.
CtxPtr NewClientContext(const TlsMaterial& material);

// Drains OpenSSL's error queue of this thread into one line.
std::string OpenSslError();

}  // namespace spyt::http::tls

#include "http/tls_material.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace spyt::http::tls {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr MemoryBio(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    throw TransportError("tls: cannot allocate a memory BIO");
  }
  return bio;
}

std::vector<X509Ptr> ReadCertificates(const std::string& pem, const char* what) {
  BioPtr bio = MemoryBio(pem);
  std::vector<X509Ptr> certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.emplace_back(cert);
  }
  ERR_clear_error();  // the read past the last certificate always "fails"
  if (certs.empty()) {
    throw TransportError(std::string("tls: ") + what + " holds no PEM certificate");
  }
  return certs;
}

// Returns false with OpenSSL's queue filled.
bool Install(const TlsMaterial& tls, SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    return false;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  // A peer that closes without close_notify ends the stream like a clean close; the
  // HTTP framing (Content-Length, the last chunk) tells whether anything was lost.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (tls.cas.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      return false;
    }
  } else {
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    for (const X509Ptr& ca : tls.cas) {
      if (X509_STORE_add_cert(store, ca.get()) != 1) {  // takes its own reference
        return false;
      }
    }
  }
  if (tls.client_key) {
    if (SSL_CTX_use_certificate(ctx, tls.client_chain.front().get()) != 1) {
      return false;
    }
    for (size_t i = 1; i < tls.client_chain.size(); ++i) {
      if (SSL_CTX_add1_chain_cert(ctx, tls.client_chain[i].get()) != 1) {
        return false;
      }
    }
    if (SSL_CTX_use_PrivateKey(ctx, tls.client_key.get()) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string OpenSslError() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) {
      out += "; ";
    }
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

TlsMaterial ParseTls(const TlsConfig& config) {
  TlsMaterial tls;
  if (!config.ca_pem.empty()) {
    tls.cas = ReadCertificates(config.ca_pem, "the CA bundle");
  }
  if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
    throw TransportError("tls: a client certificate needs both the certificate and the key");
  }
  if (!config.client_cert_pem.empty()) {
    tls.client_chain = ReadCertificates(config.client_cert_pem, "the client certificate");
    BioPtr bio = MemoryBio(config.client_key_pem);
    tls.client_key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!tls.client_key) {
      throw TransportError("tls: cannot read the client key: " + OpenSslError());
    }
  }
  return tls;
}

CtxPtr NewClientContext(const TlsMaterial& material) {
  CtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx || !Install(material, ctx.get())) {
    throw TransportError("tls: the client certificate and key are unusable: " + OpenSslError());
  }
  return ctx;
}

}  // namespace spyt::http::tls

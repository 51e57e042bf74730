// http::Transport over cpprestsdk's http_client (its Boost.Asio backend).
//
// TLS: the PEM material is parsed once, at construction, into OpenSSL objects, so
// a bad certificate, key or key/certificate mismatch fails MakeTransport instead of
// every request. cpprest builds an SSL_CTX per new connection and hands it to our
// ssl_context_callback, which replaces the verify store with the configured CAs (the
// system store is kept only when no CA is given) and installs the client certificate,
// its chain and key. Peer verification stays on: cpprest checks the chain against
// that store and the server name (RFC 2818) against the URL host, or against the Host
// header when TlsConfig::server_name sets one (cpprest takes SNI and the verification
// name from it).
//
// Timeouts: cpprest's timeout is per client and restarts on every read, so it bounds
// inactivity (connect, TLS, a silent server), not the length of a stream. Send keeps
// one client (and so one connection pool) per distinct timeout; Stream uses a client
// of its own.
//
// Streams: the response body is read as it arrives (chunk by chunk) and split into
// lines; nothing buffers the whole body. Cancel() fires a pplx cancellation token,
// on which cpprest closes the socket: a read blocked in Next() then returns.

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <utility>
#include <vector>

#include "http/http.h"

namespace spyt::http {
namespace {

namespace client = web::http::client;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using CtxPtr = std::unique_ptr<SSL_CTX, CtxFree>;

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

// The parsed TLS material, shared (read-only) by every connection's SSL_CTX.
struct TlsMaterial {
  std::vector<X509Ptr> cas;
  std::vector<X509Ptr> client_chain;  // leaf first
  PkeyPtr client_key;
  std::string server_name;
};

// Installs the material into a fresh SSL_CTX. Returns false with OpenSSL's queue filled.
bool Install(const TlsMaterial& tls, SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (!tls.cas.empty()) {
    X509_STORE* store = X509_STORE_new();
    if (store == nullptr) {
      return false;
    }
    for (const X509Ptr& ca : tls.cas) {
      X509_STORE_add_cert(store, ca.get());  // takes its own reference
    }
    SSL_CTX_set_cert_store(ctx, store);  // frees the default (system) store
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

std::shared_ptr<const TlsMaterial> ParseTls(const TlsConfig& config) {
  auto tls = std::make_shared<TlsMaterial>();
  tls->server_name = config.server_name;
  if (!config.ca_pem.empty()) {
    tls->cas = ReadCertificates(config.ca_pem, "the CA bundle");
  }
  if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
    throw TransportError("tls: a client certificate needs both the certificate and the key");
  }
  if (!config.client_cert_pem.empty()) {
    tls->client_chain = ReadCertificates(config.client_cert_pem, "the client certificate");
    BioPtr bio = MemoryBio(config.client_key_pem);
    tls->client_key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!tls->client_key) {
      throw TransportError("tls: cannot read the client key: " + OpenSslError());
    }
  }
  // Try the material once now, so a mismatched key fails here and not per request.
  CtxPtr probe(SSL_CTX_new(TLS_client_method()));
  if (!probe || !Install(*tls, probe.get())) {
    throw TransportError("tls: the client certificate and key are unusable: " + OpenSslError());
  }
  return tls;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Headers LowerHeaders(const web::http::http_headers& in) {
  Headers out;
  for (const auto& [name, value] : in) {
    out[Lower(name)] = value;
  }
  return out;
}

web::http::http_request ToCpprest(const Request& request, const TlsMaterial* tls) {
  web::http::http_request out(request.method);
  try {
    out.set_request_uri(web::uri(request.path.empty() ? "/" : request.path));
  } catch (const web::uri_exception& e) {
    throw TransportError("invalid request path '" + request.path + "': " + e.what());
  }
  std::string content_type = "application/octet-stream";
  for (const auto& [name, value] : request.headers) {
    if (Lower(name) == "content-type") {
      content_type = value;
    } else {
      out.headers().add(name, value);
    }
  }
  if (tls != nullptr && !tls->server_name.empty() && !out.headers().has("Host")) {
    out.headers().add("Host", tls->server_name);
  }
  if (!request.body.empty()) {
    out.set_body(request.body, content_type);
  }
  return out;
}

class CpprestLineStream : public LineStream {
 public:
  CpprestLineStream(std::unique_ptr<client::http_client> client,
                    pplx::cancellation_token_source cancel, web::http::http_response response)
      : client_(std::move(client)),
        cancel_(std::move(cancel)),
        response_(std::move(response)),
        body_(response_.body().streambuf()) {}

  ~CpprestLineStream() override {
    if (!eof_) {
      Cancel();  // do not leave the connection streaming into a buffer nobody reads
    }
  }

  int status() const override { return response_.status_code(); }

  std::optional<std::string> Next() override {
    while (!canceled_) {
      size_t newline = pending_.find('\n', scanned_);
      if (newline != std::string::npos) {
        std::string line = pending_.substr(start_, newline - start_);
        start_ = scanned_ = newline + 1;
        if (!line.empty() && line.back() == '\r') {
          line.pop_back();
        }
        return line;
      }
      scanned_ = pending_.size();
      if (eof_) {
        if (start_ == pending_.size()) {
          return std::nullopt;
        }
        std::string last = pending_.substr(start_);
        start_ = scanned_ = pending_.size();
        return last;
      }
      Fill();
    }
    return std::nullopt;
  }

  void Cancel() override {
    canceled_ = true;
    cancel_.cancel();
  }

 private:
  static constexpr size_t kReadSize = 64 * 1024;

  // Appends what the body has (at least one byte, blocking until it comes) to pending_;
  // sets eof_ at the end of the body or after Cancel().
  void Fill() {
    if (start_ > 0 && start_ * 2 >= pending_.size()) {
      pending_.erase(0, start_);
      scanned_ -= start_;
      start_ = 0;
    }
    try {
      size_t want = std::min(body_.in_avail(), kReadSize);
      if (want == 0) {
        want = 1;  // blocks until data, the end of the body, or the socket closing
      }
      size_t old = pending_.size();
      pending_.resize(old + want);
      size_t got = body_.getn(reinterpret_cast<uint8_t*>(&pending_[old]), want).get();
      pending_.resize(old + got);
      if (got == 0) {
        eof_ = true;
        if (std::exception_ptr error = body_.exception(); error && !canceled_) {
          std::rethrow_exception(error);
        }
      }
    } catch (const TransportError&) {
      throw;
    } catch (const std::exception& e) {
      eof_ = true;
      if (!canceled_) {
        throw TransportError(std::string("stream broke: ") + e.what());
      }
    }
  }

  std::unique_ptr<client::http_client> client_;
  pplx::cancellation_token_source cancel_;
  web::http::http_response response_;
  concurrency::streams::streambuf<uint8_t> body_;
  std::string pending_;
  size_t start_ = 0;    // first byte of pending_ not yet returned
  size_t scanned_ = 0;  // bytes of pending_ already searched for '\n'
  bool eof_ = false;
  std::atomic<bool> canceled_{false};
};

class CpprestTransport : public Transport {
 public:
  CpprestTransport(std::string base_url, std::shared_ptr<const TlsMaterial> tls)
      : base_url_(std::move(base_url)), tls_(std::move(tls)) {}

  Response Send(const Request& request) override {
    client::http_client& client = ClientFor(request.timeout);
    try {
      web::http::http_response response = client.request(ToCpprest(request, tls_.get())).get();
      Response out;
      out.status = response.status_code();
      out.headers = LowerHeaders(response.headers());
      concurrency::streams::container_buffer<std::string> body;
      response.body().read_to_end(body).get();
      out.body = std::move(body.collection());
      return out;
    } catch (const TransportError&) {
      throw;
    } catch (const std::exception& e) {
      throw Failure(request, e);
    }
  }

  std::unique_ptr<LineStream> Stream(const Request& request) override {
    auto client = std::make_unique<client::http_client>(base_url_, Config(request.timeout));
    pplx::cancellation_token_source cancel;
    try {
      web::http::http_response response =
          client->request(ToCpprest(request, tls_.get()), cancel.get_token()).get();
      return std::make_unique<CpprestLineStream>(std::move(client), std::move(cancel),
                                                 std::move(response));
    } catch (const TransportError&) {
      throw;
    } catch (const std::exception& e) {
      throw Failure(request, e);
    }
  }

 private:
  TransportError Failure(const Request& request, const std::exception& e) const {
    return TransportError(request.method + " " + base_url_ + request.path + ": " + e.what());
  }

  client::http_client_config Config(std::chrono::milliseconds timeout) const {
    client::http_client_config config;
    config.set_timeout(timeout);
    config.set_validate_certificates(true);
    config.set_proxy(web::web_proxy(web::web_proxy::disabled));
    std::shared_ptr<const TlsMaterial> tls = tls_;
    config.set_ssl_context_callback([tls](boost::asio::ssl::context& ctx) {
      if (!Install(*tls, ctx.native_handle())) {
        ERR_clear_error();  // verified at construction; the handshake reports any failure
      }
    });
    return config;
  }

  client::http_client& ClientFor(std::chrono::milliseconds timeout) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clients_.find(timeout);
    if (it == clients_.end()) {
      it = clients_
               .emplace(timeout, std::make_unique<client::http_client>(base_url_, Config(timeout)))
               .first;
    }
    return *it->second;
  }

  const std::string base_url_;
  const std::shared_ptr<const TlsMaterial> tls_;
  std::mutex mu_;
  std::map<std::chrono::milliseconds, std::unique_ptr<client::http_client>> clients_;
};

}  // namespace

void SkipSystemTrustStore() {
  setenv(X509_get_default_cert_file_env(), "/dev/null", 1);  // "SSL_CERT_FILE"
  setenv(X509_get_default_cert_dir_env(), "/dev/null", 1);   // "SSL_CERT_DIR"
}

std::unique_ptr<Transport> MakeTransport(const std::string& base_url, const TlsConfig& tls) {
  try {
    web::uri uri(base_url);
    if (uri.scheme() != "https" && uri.scheme() != "http") {
      throw TransportError("unsupported URL scheme in '" + base_url + "'");
    }
  } catch (const web::uri_exception& e) {
    throw TransportError("invalid server URL '" + base_url + "': " + e.what());
  }
  return std::make_unique<CpprestTransport>(base_url, ParseTls(tls));
}

}  // namespace spyt::http

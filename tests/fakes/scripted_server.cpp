#include "fakes/scripted_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace spyt::fakes {
namespace {

int ListenLoopback(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    throw std::runtime_error("scripted server: socket failed");
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("scripted server: cannot listen on 127.0.0.1");
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

template <typename T, typename R>
T* ReadPem(const std::string& pem, R reader) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  T* out = reader(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (out == nullptr) {
    throw std::runtime_error("scripted server: bad PEM");
  }
  return out;
}

SSL_CTX* MakeContext(const ServerTls& tls) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  X509* cert = ReadPem<X509>(tls.cert_pem, PEM_read_bio_X509);
  EVP_PKEY* key = ReadPem<EVP_PKEY>(tls.key_pem, PEM_read_bio_PrivateKey);
  SSL_CTX_use_certificate(ctx, cert);
  SSL_CTX_use_PrivateKey(ctx, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!tls.client_ca_pem.empty()) {
    X509* ca = ReadPem<X509>(tls.client_ca_pem, PEM_read_bio_X509);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca);
    X509_free(ca);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return ctx;
}

}  // namespace

long ScriptedConnection::Read(char* buf, size_t size) {
  if (ssl_ != nullptr) {
    int n = SSL_read(ssl_, buf, static_cast<int>(size));
    return n > 0 ? n : 0;
  }
  ssize_t n = recv(fd_, buf, size, 0);
  return n > 0 ? n : 0;
}

std::string ScriptedConnection::ReadRequest() {
  char buf[4096];
  size_t head_end;
  while ((head_end = buffered_.find("\r\n\r\n")) == std::string::npos) {
    long n = Read(buf, sizeof(buf));
    if (n == 0) {
      return "";
    }
    buffered_.append(buf, static_cast<size_t>(n));
  }
  size_t body_length = 0;
  std::string head = buffered_.substr(0, head_end + 4);
  for (const char* name : {"Content-Length:", "content-length:"}) {
    if (size_t at = head.find(name); at != std::string::npos) {
      body_length = std::stoul(head.substr(at + std::string(name).size()));
    }
  }
  while (buffered_.size() < head.size() + body_length) {
    long n = Read(buf, sizeof(buf));
    if (n == 0) {
      break;
    }
    buffered_.append(buf, static_cast<size_t>(n));
  }
  std::string request = buffered_.substr(0, head.size() + body_length);
  buffered_.erase(0, request.size());
  return request;
}

bool ScriptedConnection::Write(std::string_view data) {
  while (!data.empty()) {
    long n = ssl_ != nullptr ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                             : send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool ScriptedConnection::WaitForClose(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[512];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) > 0 && Read(buf, sizeof(buf)) == 0) {
      return true;
    }
  }
}

std::string ScriptedConnection::PeerCommonName() const {
  if (ssl_ == nullptr) {
    return "";
  }
  X509* peer = SSL_get1_peer_certificate(ssl_);
  if (peer == nullptr) {
    return "";
  }
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof(cn));
  X509_free(peer);
  return cn;
}

ScriptedServer::ScriptedServer(Handler handler, std::optional<ServerTls> tls)
    : handler_(std::move(handler)) {
  if (tls) {
    ctx_ = MakeContext(*tls);
  }
  listen_fd_ = ListenLoopback(&port_);
  thread_ = std::thread([this] { Serve(); });
}

ScriptedServer::~ScriptedServer() {
  stopping_ = true;
  shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  thread_.join();
  close(listen_fd_);
  if (ctx_ != nullptr) {
    SSL_CTX_free(ctx_);
  }
}

std::string ScriptedServer::base_url() const {
  return std::string(ctx_ != nullptr ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

void ScriptedServer::Serve() {
  while (!stopping_) {
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (stopping_) {
        return;
      }
      continue;
    }
    SSL* ssl = nullptr;
    if (ctx_ != nullptr) {
      ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) != 1) {
        ++handshake_failures_;
        ERR_clear_error();
        SSL_free(ssl);
        close(fd);
        continue;
      }
    }
    ScriptedConnection connection(fd, ssl);
    handler_(connection);
    if (ssl != nullptr) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    close(fd);
  }
}

int UnusedLoopbackPort() {
  int port = 0;
  int fd = ListenLoopback(&port);
  close(fd);
  return port;
}

}  // namespace spyt::fakes

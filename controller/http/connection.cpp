#include "http/connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "http/http.h"
#include "http/tls_material.h"

namespace spyt::http {

struct detail::SocketState {
  int fd = -1;
  int last_errno = 0;  // of the last failed send or recv (0: the peer closed)
};

namespace {

std::string ErrnoText(int err) { return err == 0 ? "connection closed" : std::strerror(err); }

bool IsIpLiteral(const std::string& host) {
  in6_addr v6{};
  in_addr v4{};
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

timeval ToTimeval(std::chrono::milliseconds timeout) {
  long ms = std::max<long>(1, static_cast<long>(timeout.count()));
  return timeval{ms / 1000, (ms % 1000) * 1000};
}

// An OpenSSL BIO over the socket that sends with MSG_NOSIGNAL (OpenSSL's own socket
// BIO uses write(), which raises SIGPIPE on a closed connection) and keeps errno.
int BioWrite(BIO* bio, const char* data, size_t size, size_t* written) {
  auto* socket = static_cast<detail::SocketState*>(BIO_get_data(bio));
  ssize_t n;
  do {
    n = send(socket->fd, data, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    socket->last_errno = errno;
    return 0;
  }
  *written = static_cast<size_t>(n);
  return 1;
}

int BioRead(BIO* bio, char* data, size_t size, size_t* read) {
  auto* socket = static_cast<detail::SocketState*>(BIO_get_data(bio));
  ssize_t n;
  do {
    n = recv(socket->fd, data, size, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    socket->last_errno = n < 0 ? errno : 0;
    return 0;
  }
  *read = static_cast<size_t>(n);
  return 1;
}

long BioCtrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

const BIO_METHOD* SocketBioMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "spyt-socket");
    if (m == nullptr || BIO_meth_set_write_ex(m, BioWrite) != 1 ||
        BIO_meth_set_read_ex(m, BioRead) != 1 || BIO_meth_set_ctrl(m, BioCtrl) != 1) {
      throw TransportError("tls: cannot create the socket BIO method");
    }
    return m;
  }();
  return method;
}

// Connects one address within the timeout; returns the descriptor or -1 with errno set.
int ConnectOne(const addrinfo& ai, std::chrono::milliseconds timeout) {
  int fd = socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai.ai_protocol);
  if (fd < 0) {
    return -1;
  }
  if (connect(fd, ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      int err = errno;
      close(fd);
      errno = err;
      return -1;
    }
    pollfd p{fd, POLLOUT, 0};
    int ready;
    do {
      ready = poll(&p, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    int err = 0;
    socklen_t len = sizeof(err);
    if (ready == 0) {
      err = ETIMEDOUT;
    } else if (ready < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
      err = errno;
    }
    if (err != 0) {
      close(fd);
      errno = err;
      return -1;
    }
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

int ConnectAny(const ConnectTarget& target, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string port = std::to_string(target.port);
  if (int rc = getaddrinfo(target.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw TransportError("cannot resolve '" + target.host + "': " + gai_strerror(rc));
  }
  int fd = -1;
  int err = 0;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ConnectOne(*ai, timeout);
    err = errno;
  }
  freeaddrinfo(found);
  if (fd < 0) {
    throw TransportError("cannot connect to " + target.host + ":" + port + ": " +
                         (err == ETIMEDOUT ? std::string("timed out") : std::strerror(err)));
  }
  return fd;
}

}  // namespace

std::unique_ptr<Connection> Connection::Open(const ConnectTarget& target, SSL_CTX* ctx,
                                             std::chrono::milliseconds timeout) {
  auto socket = std::make_unique<detail::SocketState>();
  socket->fd = ConnectAny(target, timeout);
  if (ctx == nullptr) {
    std::unique_ptr<Connection> conn(new Connection(std::move(socket), nullptr));
    conn->SetTimeout(timeout);
    return conn;
  }
  SSL* ssl = SSL_new(ctx);
  BIO* bio = ssl == nullptr ? nullptr : BIO_new(SocketBioMethod());
  if (bio == nullptr) {
    SSL_free(ssl);
    close(socket->fd);
    throw TransportError("tls: " + tls::OpenSslError());
  }
  BIO_set_data(bio, socket.get());
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl, bio, bio);
  std::unique_ptr<Connection> conn(new Connection(std::move(socket), ssl));
  conn->SetTimeout(timeout);
  const std::string& name = target.verify_name;
  bool named = IsIpLiteral(name)
                   ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) == 1
                   : SSL_set1_host(ssl, name.c_str()) == 1 &&
                         SSL_set_tlsext_host_name(ssl, name.c_str()) == 1;
  if (!named) {
    throw TransportError("tls: cannot verify against the name '" + name +
                         "': " + tls::OpenSslError());
  }
  ERR_clear_error();
  if (SSL_connect(ssl) != 1) {
    conn->Fail("tls handshake");
  }
  return conn;
}

Connection::Connection(std::unique_ptr<detail::SocketState> socket, SSL* ssl)
    : socket_(std::move(socket)), ssl_(ssl) {}

Connection::~Connection() {
  SSL_free(ssl_);  // frees the BIO; no close_notify: nothing waits for it
  close(socket_->fd);
}

void Connection::SetTimeout(std::chrono::milliseconds timeout) {
  if (timeout == timeout_) {
    return;
  }
  timeval tv = ToTimeval(timeout);
  setsockopt(socket_->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(socket_->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  timeout_ = timeout;
}

void Connection::Fail(const char* what) const {
  int err = socket_->last_errno;
  std::string reason;
  if (ssl_ != nullptr && SSL_get_verify_result(ssl_) != X509_V_OK) {
    reason = std::string("certificate verify failed: ") +
             X509_verify_cert_error_string(SSL_get_verify_result(ssl_));
  } else if (err == EAGAIN || err == EWOULDBLOCK) {
    reason = "timed out after " + std::to_string(timeout_.count()) + " ms";
  } else if (ssl_ != nullptr && ERR_peek_error() != 0) {
    reason = tls::OpenSslError();
  } else {
    reason = ErrnoText(err);
  }
  ERR_clear_error();
  throw TransportError(std::string(what) + ": " + reason);
}

void Connection::WriteAll(std::string_view data) {
  while (!data.empty()) {
    if (shut_) {
      throw TransportError("write: the connection was shut down");
    }
    size_t written = 0;
    if (ssl_ != nullptr) {
      if (SSL_write_ex(ssl_, data.data(), data.size(), &written) != 1) {
        Fail("write");
      }
    } else {
      ssize_t n;
      do {
        n = send(socket_->fd, data.data(), data.size(), MSG_NOSIGNAL);
      } while (n < 0 && errno == EINTR);
      if (n < 0) {
        socket_->last_errno = errno;
        Fail("write");
      }
      written = static_cast<size_t>(n);
    }
    data.remove_prefix(written);
  }
}

std::size_t Connection::Read(char* buffer, std::size_t size) {
  if (ssl_ != nullptr) {
    size_t n = 0;
    if (SSL_read_ex(ssl_, buffer, size, &n) == 1) {
      return n;
    }
    int error = SSL_get_error(ssl_, 0);
    if (shut_ || error == SSL_ERROR_ZERO_RETURN ||
        (error == SSL_ERROR_SYSCALL && socket_->last_errno == 0)) {
      ERR_clear_error();
      return 0;
    }
    Fail("read");
  }
  ssize_t n;
  do {
    n = recv(socket_->fd, buffer, size, 0);
  } while (n < 0 && errno == EINTR);
  if (n >= 0 || shut_) {
    return n < 0 ? 0 : static_cast<size_t>(n);
  }
  socket_->last_errno = errno;
  Fail("read");
}

void Connection::Shutdown() {
  shut_ = true;
  shutdown(socket_->fd, SHUT_RDWR);
}

bool Connection::timed_out() const {
  return socket_->last_errno == EAGAIN || socket_->last_errno == EWOULDBLOCK;
}

bool Connection::Reusable() const {
  if (shut_ || (ssl_ != nullptr && SSL_pending(ssl_) > 0)) {
    return false;
  }
  pollfd p{socket_->fd, POLLIN, 0};
  return poll(&p, 1, 0) == 0;
}

}  // namespace spyt::http

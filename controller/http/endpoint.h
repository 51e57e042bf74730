#pragma once

// The server a client transport is bound to, read from its base URL
// ("https://127.0.0.1:6443", "http://livy:8998/prefix", "https://[::1]:6443"), and the
// address a server listens on: pure.
//
// Only http and https, a host and an optional port (default 80/443) and path prefix
// are accepted; anything else (another scheme, user info, a bad port) throws
// TransportError naming the URL.

#include <string>

namespace spyt::http {

struct Endpoint {
  bool tls = false;
  std::string host;  // without IPv6 brackets
  int port = 0;
  std::string authority;  // host[:port] as the URL wrote it: the Host header
  std::string prefix;     // the URL's path without a trailing '/', prepended to each path
};

Endpoint ParseEndpoint(const std::string& base_url);

// Where a server listens: "127.0.0.1:8081", "[::1]:8998", or ":8081" (every address).
// Port 0 asks the kernel for a free port. Throws TransportError naming the address.
struct ListenAddress {
  std::string host;  // without IPv6 brackets; "0.0.0.0" when the address gave none
  int port = 0;
};

ListenAddress ParseListenAddress(const std::string& address);

}  // namespace spyt::http

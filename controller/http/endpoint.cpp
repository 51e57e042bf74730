#include "http/endpoint.h"

#include <algorithm>
#include <cctype>

#include "http/http.h"

namespace spyt::http {

Endpoint ParseEndpoint(const std::string& base_url) {
  auto invalid = [&](const std::string& why) {
    return TransportError("invalid server URL '" + base_url + "': " + why);
  };
  Endpoint out;
  std::string rest;
  if (base_url.rfind("https://", 0) == 0) {
    out.tls = true;
    rest = base_url.substr(8);
  } else if (base_url.rfind("http://", 0) == 0) {
    rest = base_url.substr(7);
  } else {
    throw TransportError("unsupported URL scheme in '" + base_url + "' (http or https)");
  }
  size_t path_start = rest.find_first_of("/?#");
  out.authority = rest.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "" : rest.substr(path_start);
  if (!path.empty() && path.front() != '/') {
    throw invalid("a query or fragment has no place in a base URL");
  }
  if (out.authority.find('@') != std::string::npos) {
    throw invalid("user info is not supported");
  }
  std::string port;
  if (!out.authority.empty() && out.authority.front() == '[') {
    size_t close = out.authority.find(']');
    if (close == std::string::npos) {
      throw invalid("an unclosed '[' in the host");
    }
    out.host = out.authority.substr(1, close - 1);
    std::string after = out.authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      throw invalid("text after the IPv6 address");
    }
    port = after.empty() ? "" : after.substr(1);
  } else {
    size_t colon = out.authority.find(':');
    out.host = out.authority.substr(0, colon);
    port = colon == std::string::npos ? "" : out.authority.substr(colon + 1);
    if (colon != std::string::npos && port.empty()) {
      throw invalid("an empty port");
    }
  }
  if (out.host.empty()) {
    throw invalid("no host");
  }
  if (port.empty()) {
    out.port = out.tls ? 443 : 80;
  } else {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        std::stoi(port) < 1 || std::stoi(port) > 65535) {
      throw invalid("the port '" + port + "' is not 1-65535");
    }
    out.port = std::stoi(port);
  }
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  out.prefix = path;
  return out;
}

ListenAddress ParseListenAddress(const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    throw TransportError("server address '" + address + "' is not HOST:PORT");
  }
  ListenAddress out;
  out.host = address.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty()) {
    out.host = "0.0.0.0";
  }
  std::string port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
      std::stoi(port) > 65535) {
    throw TransportError("server address '" + address + "' has an invalid port");
  }
  out.port = std::stoi(port);
  return out;
}

}  // namespace spyt::http

#include "local/port_book.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

#include "common/json.h"

namespace spyt::local {

int PickFreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::string err = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("cannot pick a free port on 127.0.0.1: " + err);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

PortBook::PortBook(std::function<int()> pick)
    : pick_(pick ? std::move(pick) : PickFreeLoopbackPort) {}

int PortBook::Get(const std::string& key) {
  auto it = ports_.find(key);
  if (it != ports_.end()) return it->second;
  std::set<int> taken;
  for (const auto& [k, p] : ports_) taken.insert(p);
  // The kernel may hand back a port the book already gave out (its process is
  // not listening yet): ask again.
  for (int attempt = 0; attempt < 100; ++attempt) {
    int port = pick_();
    if (taken.count(port) == 0) return ports_[key] = port;
  }
  throw std::runtime_error("cannot find a free port for " + key);
}

void PortBook::Release(const std::string& prefix) {
  for (auto it = ports_.begin(); it != ports_.end();) {
    it = it->first.starts_with(prefix) ? ports_.erase(it) : std::next(it);
  }
}

std::string PortBook::Serialize() const {
  json::Object obj;
  for (const auto& [k, p] : ports_) obj.emplace(k, p);
  return json::Dump(json::Value(std::move(obj)), 2) + "\n";
}

void PortBook::Load(const std::string& json_text) {
  json::Value doc;
  try {
    doc = json::Parse(json_text);
  } catch (const json::ParseError& e) {
    throw std::invalid_argument(std::string("port book: ") + e.what());
  }
  if (!doc.is_object()) throw std::invalid_argument("port book: expected a JSON object");
  std::map<std::string, int> loaded;
  for (const auto& [k, v] : doc.as_object()) {
    if (!v.is_int() || v.as_int() < 1 || v.as_int() > 65535) {
      throw std::invalid_argument("port book: \"" + k + "\" is not a port number");
    }
    loaded[k] = static_cast<int>(v.as_int());
  }
  ports_ = std::move(loaded);
}

}  // namespace spyt::local

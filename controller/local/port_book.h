#pragma once

// Ports of the local controller's processes. On one machine every cluster's master,
// workers, history server and Livy need ports that do not collide, so the spec's
// ports (which fit a pod) are replaced by ports the book hands out: free loopback
// ports, remembered by key ("<cluster>/master/rpc") so a restarted process or a
// restarted runtime keeps its address. Thread-compatible (one runtime loop).

#include <functional>
#include <map>
#include <string>

namespace spyt::local {

class PortBook {
 public:
  // `pick` returns a free port; the default binds 127.0.0.1:0 and reads the port.
  explicit PortBook(std::function<int()> pick = {});

  // The port for `key`, allocated on first use.
  int Get(const std::string& key);
  // Forgets every key starting with `prefix` ("<cluster>/"), when a cluster goes away.
  void Release(const std::string& prefix);

  // Persistence as a JSON object {key: port}.
  std::string Serialize() const;
  // Throws std::invalid_argument (naming what is wrong) on a malformed document.
  void Load(const std::string& json_text);

  const std::map<std::string, int>& ports() const { return ports_; }

 private:
  std::function<int()> pick_;
  std::map<std::string, int> ports_;
};

// A port the kernel considers free on 127.0.0.1 right now.
int PickFreeLoopbackPort();

}  // namespace spyt::local

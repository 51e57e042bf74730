#pragma once

// A kube::Client decorator whose calls can be held at a gate, to test code that
// must not wait for a hanging API server (timeouts, watchdogs). Every call goes
// to the wrapped client once the gate is open. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "kube/client.h"

namespace spyt::fakes {

class GatedClient : public kube::Client {
 public:
  explicit GatedClient(kube::Client& inner) : inner_(inner) {}

  // While closed, every call blocks before reaching the wrapped client.
  void Close();
  void Open();
  // Waits (real time) until at least `n` calls are held at the closed gate.
  bool WaitForHeldCalls(int n, std::chrono::milliseconds timeout = std::chrono::seconds(5));

  json::Value Get(const kube::Resource& r, const std::string& ns, const std::string& name) override;
  kube::ListResult List(const kube::Resource& r, const std::string& ns,
                        const kube::ListOptions& opts) override;
  std::unique_ptr<kube::Watch> StartWatch(const kube::Resource& r, const std::string& ns,
                                          const kube::WatchOptions& opts) override;
  json::Value Create(const kube::Resource& r, const std::string& ns,
                     const json::Value& obj) override;
  json::Value Update(const kube::Resource& r, const std::string& ns, const json::Value& obj,
                     const std::string& subresource = "") override;
  json::Value Apply(const kube::Resource& r, const std::string& ns, const json::Value& obj,
                    const kube::ApplyOptions& opts, const std::string& subresource = "") override;
  json::Value Patch(const kube::Resource& r, const std::string& ns, const std::string& name,
                    kube::PatchType type, const json::Value& patch,
                    const std::string& subresource = "") override;
  void Delete(const kube::Resource& r, const std::string& ns, const std::string& name,
              const kube::DeleteOptions& opts = {}) override;

 private:
  void Pass();

  kube::Client& inner_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool closed_ = false;
  int held_ = 0;
};

}  // namespace spyt::fakes

#include "fakes/gated_client.h"

namespace spyt::fakes {

void GatedClient::Close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
}

void GatedClient::Open() {
  std::lock_guard lock(mutex_);
  closed_ = false;
  cv_.notify_all();
}

bool GatedClient::WaitForHeldCalls(int n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return held_ >= n; });
}

void GatedClient::Pass() {
  std::unique_lock lock(mutex_);
  if (!closed_) {
    return;
  }
  ++held_;
  cv_.notify_all();
  cv_.wait(lock, [&] { return !closed_; });
  --held_;
}

json::Value GatedClient::Get(const kube::Resource& r, const std::string& ns,
                             const std::string& name) {
  Pass();
  return inner_.Get(r, ns, name);
}

kube::ListResult GatedClient::List(const kube::Resource& r, const std::string& ns,
                                   const kube::ListOptions& opts) {
  Pass();
  return inner_.List(r, ns, opts);
}

std::unique_ptr<kube::Watch> GatedClient::StartWatch(const kube::Resource& r, const std::string& ns,
                                                     const kube::WatchOptions& opts) {
  Pass();
  return inner_.StartWatch(r, ns, opts);
}

json::Value GatedClient::Create(const kube::Resource& r, const std::string& ns,
                                const json::Value& obj) {
  Pass();
  return inner_.Create(r, ns, obj);
}

json::Value GatedClient::Update(const kube::Resource& r, const std::string& ns,
                                const json::Value& obj, const std::string& subresource) {
  Pass();
  return inner_.Update(r, ns, obj, subresource);
}

json::Value GatedClient::Apply(const kube::Resource& r, const std::string& ns,
                               const json::Value& obj, const kube::ApplyOptions& opts,
                               const std::string& subresource) {
  Pass();
  return inner_.Apply(r, ns, obj, opts, subresource);
}

json::Value GatedClient::Patch(const kube::Resource& r, const std::string& ns,
                               const std::string& name, kube::PatchType type,
                               const json::Value& patch, const std::string& subresource) {
  Pass();
  return inner_.Patch(r, ns, name, type, patch, subresource);
}

void GatedClient::Delete(const kube::Resource& r, const std::string& ns, const std::string& name,
                         const kube::DeleteOptions& opts) {
  Pass();
  inner_.Delete(r, ns, name, opts);
}

}  // namespace spyt::fakes

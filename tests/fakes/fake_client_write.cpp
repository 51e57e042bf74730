// FakeClient: Update, Patch, Apply and Seed (changes to existing objects).

#include "fakes/fake_client.h"
#include "fakes/fake_client_state.h"
#include "fakes/json_merge.h"

namespace spyt::fakes {
namespace {

// Metadata only the server sets: a write keeps the stored values.
const char* const kSystemMetadata[] = {"uid",
                                       "creationTimestamp",
                                       "generation",
                                       "resourceVersion",
                                       "deletionTimestamp",
                                       "deletionGracePeriodSeconds",
                                       "namespace",
                                       "name"};

void CarryOver(const json::Value& before, json::Value& after, const char* key) {
  const json::Value* old = before.find(key);
  if (old != nullptr) {
    after[key] = *old;
  } else {
    after.as_object().erase(key);
  }
}

// `incoming` as the new object of a write to the main resource: server-set
// metadata and the status stay as stored.
json::Value MainFrom(const json::Value& before, json::Value incoming) {
  json::Value& meta = incoming["metadata"];
  if (!meta.is_object()) {
    meta = json::Value(json::Object{});
  }
  const json::Value& old_meta = *before.find("metadata");
  for (const char* key : kSystemMetadata) {
    CarryOver(old_meta, meta, key);
  }
  for (const char* key : {"apiVersion", "kind"}) {
    if (incoming.find(key) == nullptr) {
      CarryOver(before, incoming, key);
    }
  }
  CarryOver(before, incoming, "status");
  return incoming;
}

// The stored object with only its status taken from `incoming`.
json::Value StatusFrom(const json::Value& before, const json::Value& incoming) {
  json::Value out = before;
  CarryOver(incoming, out, "status");
  return out;
}

// metadata.resourceVersion and metadata.uid in a request are preconditions.
void CheckPreconditions(const kube::Resource& r, const std::string& name, const json::Value& before,
                        const json::Value& incoming) {
  std::string rv = MetaString(incoming, "resourceVersion");
  if (!rv.empty() && rv != MetaString(before, "resourceVersion")) {
    throw Conflict(r, name,
                   "the object has been modified; please apply your changes to the latest "
                   "version and try again");
  }
  std::string uid = MetaString(incoming, "uid");
  if (!uid.empty() && uid != MetaString(before, "uid")) {
    throw Conflict(r, name,
                   "Precondition failed: UID in precondition: " + uid +
                       ", UID in object meta: " + MetaString(before, "uid"));
  }
}

void RequireObject(const json::Value& v, const char* what) {
  if (!v.is_object()) {
    throw BadRequest(std::string(what) + " must be a JSON object");
  }
}

}  // namespace

json::Value FakeClient::Update(const kube::Resource& r, const std::string& ns,
                               const json::Value& obj, const std::string& subresource) {
  std::lock_guard lock(state_->mutex);
  state_->Begin("update", r);
  CheckSubresource(subresource);
  RequireObject(obj, "the object to update");
  ObjectKey key{ResourceId(r), RequestNamespace(r, ns, &obj), MetaString(obj, "name")};
  if (key.name.empty()) {
    throw BadRequest("metadata.name is required for an update");
  }
  auto it = state_->objects.find(key);
  if (it == state_->objects.end()) {
    throw NotFound(r, key.name);
  }
  const json::Value before = it->second;
  CheckPreconditions(r, key.name, before, obj);
  json::Value after = subresource == "status" ? StatusFrom(before, obj) : MainFrom(before, obj);
  return Commit(*state_, key, before, std::move(after));
}

json::Value FakeClient::Patch(const kube::Resource& r, const std::string& ns,
                              const std::string& name, kube::PatchType type,
                              const json::Value& patch, const std::string& subresource) {
  std::lock_guard lock(state_->mutex);
  state_->Begin("patch", r);
  CheckSubresource(subresource);
  if (type != kube::PatchType::kMerge) {
    throw BadRequest("FakeClient supports only merge patches (RFC 7386)");
  }
  RequireObject(patch, "a merge patch");
  ObjectKey key{ResourceId(r), RequestNamespace(r, ns, nullptr), name};
  auto it = state_->objects.find(key);
  if (it == state_->objects.end()) {
    throw NotFound(r, name);
  }
  const json::Value before = it->second;
  CheckPreconditions(r, name, before, patch);
  json::Value patched = MergePatch(before, patch);
  json::Value after =
      subresource == "status" ? StatusFrom(before, patched) : MainFrom(before, std::move(patched));
  return Commit(*state_, key, before, std::move(after));
}

json::Value FakeClient::Apply(const kube::Resource& r, const std::string& ns,
                              const json::Value& obj, const kube::ApplyOptions& opts,
                              const std::string& subresource) {
  std::lock_guard lock(state_->mutex);
  state_->Begin("apply", r);
  CheckSubresource(subresource);
  if (opts.field_manager.empty()) {
    throw BadRequest("fieldManager is required for apply requests");
  }
  RequireObject(obj, "an applied configuration");
  for (const char* field : {"apiVersion", "kind"}) {
    const json::Value* v = obj.find(field);
    if (v == nullptr || !v->is_string() || v->as_string().empty()) {
      throw BadRequest(std::string(field) + " must be set in an applied configuration");
    }
  }
  ObjectKey key{ResourceId(r), RequestNamespace(r, ns, &obj), MetaString(obj, "name")};
  if (key.name.empty()) {
    throw BadRequest("metadata.name must be set in an applied configuration");
  }
  auto it = state_->objects.find(key);
  if (it == state_->objects.end()) {
    if (subresource == "status") {
      throw NotFound(r, key.name);
    }
    return StoreNew(*state_, r, key, obj, false);
  }
  const json::Value before = it->second;
  CheckPreconditions(r, key.name, before, obj);
  json::Value merged = MergePatch(before, obj);
  json::Value after =
      subresource == "status" ? StatusFrom(before, merged) : MainFrom(before, std::move(merged));
  return Commit(*state_, key, before, std::move(after));
}

json::Value FakeClient::Seed(const kube::Resource& r, const json::Value& obj) {
  std::lock_guard lock(state_->mutex);
  RequireObject(obj, "a seeded object");
  ObjectKey key{ResourceId(r), RequestNamespace(r, "", &obj), MetaString(obj, "name")};
  if (key.name.empty()) {
    throw BadRequest("a seeded object needs metadata.name");
  }
  auto it = state_->objects.find(key);
  if (it == state_->objects.end()) {
    return StoreNew(*state_, r, key, obj, true);
  }
  const json::Value before = it->second;
  json::Value after = obj;
  json::Value& meta = after["metadata"];
  for (const char* field : {"uid", "creationTimestamp", "generation", "resourceVersion"}) {
    CarryOver(*before.find("metadata"), meta, field);
  }
  for (const char* field : {"apiVersion", "kind"}) {
    if (after.find(field) == nullptr) {
      CarryOver(before, after, field);
    }
  }
  return Commit(*state_, key, before, std::move(after));
}

}  // namespace spyt::fakes

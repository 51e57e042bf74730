// FakeClient: shared helpers, reads, Create, Delete and the request hooks.
// Update/Patch/Apply/Seed are in fake_client_write.cpp, watches in
// fake_client_watch.cpp.

#include "fakes/fake_client.h"

#include <cstdio>
#include <stdexcept>

#include "fakes/fake_client_state.h"
#include "fakes/label_selector.h"

namespace spyt::fakes {
namespace {

using kube::ApiError;
using kube::Reason;

const char* const kVerbs[] = {"get",    "list",  "watch", "create",
                              "update", "apply", "patch", "delete"};
const char* const kWriteVerbs[] = {"create", "update", "apply", "patch", "delete"};

std::string Label(const kube::Resource& r) { return ResourceId(r); }

std::string NewUid(std::uint64_t n) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "00000000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(n));
  return buf;
}

std::string GeneratedSuffix(std::uint64_t n) {
  const char* alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (int i = 0; i < 5; ++i) {
    out += alphabet[n % 27];
    n /= 27;
  }
  return out;
}

// The object without metadata and status: what generation tracks.
json::Value Desired(const json::Value& obj) {
  json::Value out = obj;
  if (out.is_object()) {
    out.as_object().erase("metadata");
    out.as_object().erase("status");
  }
  return out;
}

bool HasFinalizers(const json::Value& obj) {
  const json::Value* meta = obj.find("metadata");
  const json::Value* f = meta != nullptr ? meta->find("finalizers") : nullptr;
  return f != nullptr && f->is_array() && !f->as_array().empty();
}

void CheckName(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name.find('%') != std::string::npos) {
    throw ApiError(Reason::kInvalid, 422, "metadata.name: Invalid value: \"" + name + "\"",
                   {{"FieldValueInvalid", "invalid name", "metadata.name"}});
  }
}

void CheckFailureRule(const std::string& verb, int times) {
  bool known = verb == "*";
  for (const char* v : kVerbs) {
    known = known || verb == v;
  }
  if (!known) {
    throw std::invalid_argument("FakeClient::FailNext: unknown verb \"" + verb + "\"");
  }
  if (times < 1) {
    throw std::invalid_argument("FakeClient::FailNext: times must be at least 1");
  }
}

}  // namespace

// ---------------------------------------------------------------- helpers --

std::string ResourceId(const kube::Resource& r) {
  return r.group.empty() ? r.plural : r.plural + "." + r.group;
}

json::Value ExpiredStatus(const std::string& message) {
  json::Value status(json::Object{});
  status["apiVersion"] = "v1";
  status["kind"] = "Status";
  status["status"] = "Failure";
  status["reason"] = "Expired";
  status["code"] = 410;
  status["message"] = message;
  return status;
}

ApiError ExpiredError(const std::string& message) { return ApiError(Reason::kGone, 410, message); }

ApiError BadRequest(const std::string& message) {
  return ApiError(Reason::kBadRequest, 400, message);
}

ApiError NotFound(const kube::Resource& r, const std::string& name) {
  return ApiError(Reason::kNotFound, 404, Label(r) + " \"" + name + "\" not found");
}

ApiError Conflict(const kube::Resource& r, const std::string& name, const std::string& why) {
  return ApiError(Reason::kConflict, 409,
                  "Operation cannot be fulfilled on " + Label(r) + " \"" + name + "\": " + why);
}

std::string MetaString(const json::Value& obj, const char* key) {
  const json::Value* meta = obj.find("metadata");
  const json::Value* v = meta != nullptr ? meta->find(key) : nullptr;
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

std::string RequestNamespace(const kube::Resource& r, const std::string& ns,
                             const json::Value* obj) {
  if (!r.namespaced) {
    return "";
  }
  std::string from_obj = obj != nullptr ? MetaString(*obj, "namespace") : "";
  if (!ns.empty() && !from_obj.empty() && ns != from_obj) {
    throw BadRequest("the namespace of the provided object (" + from_obj +
                     ") does not match the namespace sent on the request (" + ns + ")");
  }
  std::string out = ns.empty() ? from_obj : ns;
  if (out.empty()) {
    throw BadRequest("a namespace is required for " + Label(r));
  }
  return out;
}

void CheckSubresource(const std::string& subresource) {
  if (!subresource.empty() && subresource != "status") {
    throw BadRequest("FakeClient serves only the status subresource, not \"" + subresource + "\"");
  }
}

json::Value StoreNew(FakeClient::State& s, const kube::Resource& r, const ObjectKey& key,
                     json::Value obj, bool keep_status) {
  if (!keep_status) {
    obj.as_object().erase("status");
  }
  if (obj.find("apiVersion") == nullptr) {
    obj["apiVersion"] = r.ApiVersion();
  }
  if (obj.find("kind") == nullptr) {
    obj["kind"] = r.kind;
  }
  json::Value& meta = obj["metadata"];
  meta["name"] = key.name;
  if (r.namespaced) {
    meta["namespace"] = key.ns;
  } else {
    meta.as_object().erase("namespace");
  }
  meta.as_object().erase("deletionTimestamp");
  meta.as_object().erase("deletionGracePeriodSeconds");
  meta["uid"] = NewUid(++s.uids);
  meta["generation"] = 1;
  meta["creationTimestamp"] = FormatRfc3339(s.clock.WallNow());
  meta["resourceVersion"] = std::to_string(++s.rv);
  s.objects[key] = obj;
  s.Record(kube::WatchEvent::Type::kAdded, key, obj, json::Value());
  return obj;
}

json::Value Commit(FakeClient::State& s, const ObjectKey& key, const json::Value& before,
                   json::Value after) {
  if (after == before) {
    return before;
  }
  json::Value& meta = after["metadata"];
  if (Desired(after) != Desired(before)) {
    const json::Value* g = before.find("metadata")->find("generation");
    meta["generation"] = (g != nullptr && g->is_int() ? g->as_int() : 0) + 1;
  }
  meta["resourceVersion"] = std::to_string(++s.rv);
  if (meta.find("deletionTimestamp") != nullptr && !HasFinalizers(after)) {
    s.objects.erase(key);
    s.Record(kube::WatchEvent::Type::kDeleted, key, after, before);
    return after;
  }
  s.objects[key] = after;
  s.Record(kube::WatchEvent::Type::kModified, key, after, before);
  return after;
}

void FakeClient::State::Begin(const std::string& verb, const kube::Resource& r) {
  ++requests[verb];
  ++requests[verb + " " + ResourceId(r)];
  for (auto it = failures.begin(); it != failures.end(); ++it) {
    if ((it->verb == "*" || it->verb == verb) &&
        (it->resource.empty() || it->resource == ResourceId(r))) {
      ApiError error = it->error;
      if (--it->remaining <= 0) {
        failures.erase(it);
      }
      throw error;
    }
  }
}

// ------------------------------------------------------------------ reads --

FakeClient::FakeClient(Clock* clock)
    : state_(std::make_shared<State>(clock != nullptr ? *clock : RealClock())) {}

FakeClient::~FakeClient() { CloseWatches(); }

json::Value FakeClient::Get(const kube::Resource& r, const std::string& ns,
                            const std::string& name) {
  std::lock_guard lock(state_->mutex);
  state_->Begin("get", r);
  auto it = state_->objects.find({ResourceId(r), RequestNamespace(r, ns, nullptr), name});
  if (it == state_->objects.end()) {
    throw NotFound(r, name);
  }
  return it->second;
}

kube::ListResult FakeClient::List(const kube::Resource& r, const std::string& ns,
                                  const kube::ListOptions& opts) {
  std::lock_guard lock(state_->mutex);
  state_->Begin("list", r);
  LabelSelector labels;
  FieldSelector fields;
  try {
    labels = LabelSelector::Parse(opts.label_selector);
    fields = FieldSelector::Parse(opts.field_selector);
  } catch (const std::invalid_argument& e) {
    throw BadRequest(e.what());
  }
  ObjectKey after;
  if (!opts.continue_token.empty()) {
    auto slash = opts.continue_token.find('/');
    if (opts.continue_token.rfind("fake-continue:", 0) != 0 || slash == std::string::npos) {
      throw BadRequest("invalid continue token \"" + opts.continue_token + "\"");
    }
    after = {ResourceId(r), opts.continue_token.substr(14, slash - 14),
             opts.continue_token.substr(slash + 1)};
  }
  std::string want_ns = r.namespaced ? ns : "";
  kube::ListResult result;
  result.resource_version = std::to_string(state_->rv);
  for (const auto& [key, obj] : state_->objects) {
    if (key.resource != ResourceId(r) || (!want_ns.empty() && key.ns != want_ns)) {
      continue;
    }
    if (!opts.continue_token.empty() && !(after < key)) {
      continue;
    }
    if (!MatchesLabels(labels, obj) || !fields.Matches(obj)) {
      continue;
    }
    if (opts.limit > 0 && static_cast<int>(result.items.size()) == opts.limit) {
      const json::Value& last = result.items.back();
      result.continue_token =
          "fake-continue:" + MetaString(last, "namespace") + "/" + MetaString(last, "name");
      break;
    }
    result.items.push_back(obj);
  }
  return result;
}

// ---------------------------------------------------------- create/delete --

json::Value FakeClient::Create(const kube::Resource& r, const std::string& ns,
                               const json::Value& obj) {
  std::lock_guard lock(state_->mutex);
  state_->Begin("create", r);
  if (!obj.is_object()) {
    throw BadRequest("the object to create must be a JSON object");
  }
  ObjectKey key{ResourceId(r), RequestNamespace(r, ns, &obj), MetaString(obj, "name")};
  if (key.name.empty() && !MetaString(obj, "generateName").empty()) {
    key.name = MetaString(obj, "generateName") + GeneratedSuffix(++state_->generated_names);
  }
  CheckName(key.name);
  if (state_->objects.count(key) != 0) {
    throw ApiError(Reason::kAlreadyExists, 409, Label(r) + " \"" + key.name + "\" already exists");
  }
  return StoreNew(*state_, r, key, obj, false);
}

void FakeClient::Delete(const kube::Resource& r, const std::string& ns, const std::string& name,
                        const kube::DeleteOptions& opts) {
  std::lock_guard lock(state_->mutex);
  state_->Begin("delete", r);
  ObjectKey key{ResourceId(r), RequestNamespace(r, ns, nullptr), name};
  auto it = state_->objects.find(key);
  if (it == state_->objects.end()) {
    throw NotFound(r, name);
  }
  const json::Value before = it->second;
  if (opts.precondition_uid && *opts.precondition_uid != MetaString(before, "uid")) {
    throw Conflict(r, name,
                   "Precondition failed: UID in precondition: " + *opts.precondition_uid +
                       ", UID in object meta: " + MetaString(before, "uid"));
  }
  if (opts.precondition_resource_version &&
      *opts.precondition_resource_version != MetaString(before, "resourceVersion")) {
    throw Conflict(r, name,
                   "Precondition failed: ResourceVersion in precondition: " +
                       *opts.precondition_resource_version + ", ResourceVersion in object meta: " +
                       MetaString(before, "resourceVersion"));
  }
  if (HasFinalizers(before)) {
    // Deletion waits for the finalizers; the first request marks the object.
    if (before.find("metadata")->find("deletionTimestamp") == nullptr) {
      json::Value after = before;
      after["metadata"]["deletionTimestamp"] = FormatRfc3339(state_->clock.WallNow());
      after["metadata"]["deletionGracePeriodSeconds"] = 0;
      Commit(*state_, key, before, std::move(after));
    }
    return;
  }
  json::Value last = before;
  last["metadata"]["resourceVersion"] = std::to_string(++state_->rv);
  state_->objects.erase(it);
  state_->Record(kube::WatchEvent::Type::kDeleted, key, last, before);
}

// ------------------------------------------------------------------ hooks --

std::optional<json::Value> FakeClient::Peek(const kube::Resource& r, const std::string& ns,
                                            const std::string& name) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->objects.find({ResourceId(r), r.namespaced ? ns : "", name});
  if (it == state_->objects.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::string FakeClient::ResourceVersion() const {
  std::lock_guard lock(state_->mutex);
  return std::to_string(state_->rv);
}

int FakeClient::Requests(const std::string& verb) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->requests.find(verb);
  return it == state_->requests.end() ? 0 : it->second;
}

int FakeClient::Requests(const std::string& verb, const kube::Resource& r) const {
  return Requests(verb + " " + ResourceId(r));
}

int FakeClient::Writes() const {
  int total = 0;
  for (const char* verb : kWriteVerbs) {
    total += Requests(verb);
  }
  return total;
}

void FakeClient::ResetCounts() {
  std::lock_guard lock(state_->mutex);
  state_->requests.clear();
}

void FakeClient::FailNext(const std::string& verb, const kube::ApiError& error, int times) {
  CheckFailureRule(verb, times);
  std::lock_guard lock(state_->mutex);
  state_->failures.push_back({verb, "", error, times});
}

void FakeClient::FailNext(const std::string& verb, const kube::Resource& r,
                          const kube::ApiError& error, int times) {
  CheckFailureRule(verb, times);
  std::lock_guard lock(state_->mutex);
  state_->failures.push_back({verb, ResourceId(r), error, times});
}

void FakeClient::ClearFailures() {
  std::lock_guard lock(state_->mutex);
  state_->failures.clear();
}

}  // namespace spyt::fakes

#include "runtime/controller.h"

#include "common/log.h"
#include "kube/errors.h"

namespace spyt::runtime {

Request Request::FromKey(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

Mapper MapToSelf() {
  return [](const json::Value& obj) {
    return std::vector<Request>{{json::StringAt(obj, {"metadata", "namespace"}),
                                 json::StringAt(obj, {"metadata", "name"})}};
  };
}

Mapper MapToOwner(const std::string& owner_group, const std::string& owner_kind) {
  return [owner_group, owner_kind](const json::Value& obj) {
    std::vector<Request> out;
    const json::Value* refs = json::At(obj, {"metadata", "ownerReferences"});
    if (refs == nullptr || !refs->is_array()) return out;
    for (const auto& ref : refs->as_array()) {
      const json::Value* controller = ref.find("controller");
      const json::Value* name = ref.find("name");
      if (!controller || !controller->is_bool() || !controller->as_bool()) continue;
      if (json::StringAt(ref, {"kind"}) != owner_kind) continue;
      if (!json::StringAt(ref, {"apiVersion"}).starts_with(owner_group + "/")) continue;
      if (name && name->is_string()) {
        out.push_back({json::StringAt(obj, {"metadata", "namespace"}), name->as_string()});
      }
    }
    return out;
  };
}

Controller::Controller(Reconciler& reconciler, Clock& clock, ControllerOptions options,
                       std::unique_ptr<RateLimiter> limiter, QueueMetrics* queue_metrics,
                       ControllerMetrics* metrics)
    : reconciler_(reconciler),
      clock_(clock),
      options_(std::move(options)),
      queue_(std::move(limiter), clock, queue_metrics),
      metrics_(metrics) {}

Controller::~Controller() { Stop(); }

void Controller::Watch(Informer& informer, Mapper mapper) {
  auto enqueue = [this, mapper](const json::Value& obj) {
    for (const auto& request : mapper(obj)) queue_.Add(request.Key());
  };
  informer.AddEventHandler({
      enqueue,
      enqueue,
      enqueue,
  });
}

void Controller::Enqueue(const Request& request) { queue_.Add(request.Key()); }

void Controller::Start() {
  log::Info("starting controller",
            {{"controller", options_.name}, {"workers", std::to_string(options_.workers)}});
  for (int i = 0; i < options_.workers; ++i) {
    workers_.emplace_back([this] {
      while (ProcessNext()) {
      }
    });
  }
}

void Controller::Run(std::stop_token stop) {
  Start();
  WaitForStopRequest(stop);
  Stop();
}

void Controller::Stop() {
  if (workers_.empty()) {
    queue_.ShutDown();
    return;
  }
  queue_.ShutDown();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
  log::Info("stopped controller", {{"controller", options_.name}});
}

bool Controller::ProcessNext() {
  std::optional<std::string> key = queue_.Get();
  if (!key) return false;
  if (metrics_ != nullptr) metrics_->SetActiveWorkers(options_.name, ++active_);
  auto started = clock_.Now();
  std::string result = "success";
  Request request = Request::FromKey(*key);
  try {
    Result r = reconciler_.Reconcile(request);
    queue_.Forget(*key);
    if (r.requeue_after) {
      result = "requeue_after";
      queue_.AddAfter(*key, *r.requeue_after);
    }
  } catch (const TerminalError& e) {
    result = "terminal_error";
    queue_.Forget(*key);
    log::Error("reconcile failed permanently",
               {{"controller", options_.name}, {"key", *key}, {"error", e.what()}});
  } catch (const kube::ApiError& e) {
    result = "error";
    if (e.retry_after()) {
      queue_.AddAfter(*key, *e.retry_after());
    } else {
      queue_.AddRateLimited(*key);
    }
    log::Warn("reconcile failed, will retry",
              {{"controller", options_.name},
               {"key", *key},
               {"reason", kube::ReasonName(e.reason())},
               {"error", e.what()},
               {"retries", std::to_string(queue_.NumRequeues(*key))}});
  } catch (const std::exception& e) {
    result = "error";
    queue_.AddRateLimited(*key);
    log::Warn("reconcile failed, will retry",
              {{"controller", options_.name}, {"key", *key}, {"error", e.what()}});
  }
  double seconds = std::chrono::duration<double>(clock_.Now() - started).count();
  queue_.Done(*key);
  if (metrics_ != nullptr) {
    metrics_->ReconcileFinished(options_.name, result, seconds);
    metrics_->SetActiveWorkers(options_.name, --active_);
  }
  return true;
}

}  // namespace spyt::runtime

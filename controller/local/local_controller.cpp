#include "local/local_controller.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/codec.h"
#include "api/validation.h"
#include "cluster/livy_sessions.h"
#include "cluster/status.h"
#include "common/log.h"
#include "common/yaml.h"
#include "local/local_observation.h"

namespace spyt::local {
namespace fs = std::filesystem;

namespace {

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes only when the content differs, through a rename so readers never see half a file.
void WriteIfChanged(const fs::path& p, const std::string& text) {
  if (fs::exists(p) && ReadFile(p) == text) return;
  fs::create_directories(p.parent_path());
  fs::path tmp = p;
  tmp += ".tmp";
  {
    std::ofstream out(tmp);
    out << text;
  }
  fs::rename(tmp, p);
}

bool Accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

void WriteDiscoveryDirectory(const std::string& dir, const cluster::DiscoveryEntries& entries) {
  fs::path root = fs::path(dir) / "discovery";
  fs::remove_all(root);
  for (const auto& [key, value] : entries) {
    if (key == "conf" || value.find('/') != std::string::npos) continue;  // not a directory name
    fs::create_directories(root / key / value);
  }
}

cluster::DiscoveryEntries ReadDiscoveryDirectory(const std::string& dir) {
  cluster::DiscoveryEntries out;
  fs::path root = fs::path(dir) / "discovery";
  if (!fs::is_directory(root)) return out;
  for (const auto& entry : fs::directory_iterator(root)) {
    for (const auto& child : fs::directory_iterator(entry.path())) {
      out[entry.path().filename().string()] = child.path().filename().string();
    }
  }
  return out;
}

LocalController::LocalController(ProcessRunner& runner, Clock& clock, LocalOptions options,
                                 cluster::ReconcileObserver* observer,
                                 livy::Observer* livy_observer)
    : clock_(clock), options_(std::move(options)), supervisor_(runner, clock), observer_(observer) {
  if (options_.livy_transports && options_.livy.interval.count() > 0) {
    auto lister = [this] {
      std::lock_guard lock(livy_targets_mutex_);
      return livy_targets_;
    };
    livy_ = std::make_unique<livy::Monitor>(options_.livy_transports, lister, clock, options_.livy,
                                            livy_observer);
  }
  fs::path book = fs::path(options_.state_dir) / "ports.json";
  if (fs::exists(book)) {
    try {
      ports_.Load(ReadFile(book));
    } catch (const std::invalid_argument& e) {
      log::Warn("ignoring an unreadable port book", {{"file", book.string()}, {"error", e.what()}});
    }
  }
}

std::string LocalController::ClusterDir(const std::string& name) const {
  return (fs::path(options_.state_dir) / "clusters" / name).string();
}

LocalController::Manifests LocalController::ReadManifests() const {
  Manifests out;
  if (!fs::is_directory(options_.manifests_dir)) return out;
  for (const auto& file : fs::directory_iterator(options_.manifests_dir)) {
    auto ext = file.path().extension();
    if (ext != ".yaml" && ext != ".yml") continue;
    std::vector<json::Value> docs;
    try {
      std::ifstream in(file.path());
      std::stringstream text;
      text << in.rdbuf();
      if (!in || text.str().empty()) throw yaml::ParseError("cannot be read, or is empty");
      docs = yaml::ParseAll(text.str());
    } catch (const yaml::ParseError& e) {
      log::Warn("skipping an unreadable manifest; clusters not found elsewhere keep running",
                {{"file", file.path().string()}, {"error", e.what()}});
      out.complete = false;
      continue;
    }
    for (auto& doc : docs) {
      const json::Value* kind = doc.find("kind");
      if (kind == nullptr || !kind->is_string() || kind->as_string() != api::kKind) continue;
      doc["metadata"]["namespace"] = "local";
      doc["metadata"]["generation"] = 1;
      api::DecodeResult r = api::Decode(doc);
      api::FieldErrors errors = r.ok() ? api::Validate(r.cluster) : r.errors;
      std::string name = r.cluster.metadata.name;
      if (name.empty()) continue;
      out.clusters[name] = {
          errors.empty() ? std::optional<api::SpytCluster>(r.cluster) : std::nullopt, errors};
    }
  }
  return out;
}

std::string LocalController::DiscoveryDir(const std::string& name) const {
  return (fs::path(options_.state_dir) / "discovery" / name).string();
}

void LocalController::UpdateStatus(Known& k, const api::FieldErrors& errors) {
  const auto& c = k.cluster;
  std::string now = FormatRfc3339(clock_.WallNow());
  auto serving = [&](const ProcessSpec& p) {
    auto it = supervisor_.processes().find(p.id);
    return it != supervisor_.processes().end() && it->second.pid != 0 && Accepts(p.probe_port);
  };
  cluster::Observation observed =
      ObserveProcesses(c, k.plan, serving, DiscoveryDir(c.metadata.name));
  observed.livy_polls = livy_.get();
  observed.spyt_release = k.release_problem;
  api::SpytCluster with_status = c;
  with_status.status = k.status;
  api::SpytClusterStatus st = cluster::ComputeStatus(with_status, observed, now);
  if (!errors.empty()) {
    with_status.status = st;
    st = cluster::InvalidSpecStatus(with_status, errors, now);
  }
  if (cluster::StatusChanged(k.status, st)) {
    auto is_ready = [](const api::SpytClusterStatus& s) {
      return cluster::IsConditionTrue(s.conditions, api::condition::kReady);
    };
    if (is_ready(st) && !is_ready(k.status) && st.endpoints.livy) {
      const std::string& url = *st.endpoints.livy;
      log::Info(
          "Livy is ready. A session: curl -s -X POST -H 'Content-Type: application/json' -d "
          "'{\"kind\":\"spark\"}' " +
              url + "/sessions; when GET " + url +
              "/sessions/0/state says idle: curl -s -X POST -d "
              "'{\"code\":\"sc.parallelize(1 to 1000).sum()\"}' " +
              url + "/sessions/0/statements; then GET " + url +
              "/sessions/0/statements/0. Or, in Python: from livy import LivySession; "
              "LivySession.create('" +
              url + "', kind=SessionKind.SPARK). Addresses: spyt-operator discovery " +
              c.metadata.name + " --local " + options_.state_dir,
          {{"cluster", c.metadata.name}, {"livy", url}});
    }
    k.status = st;
    WriteIfChanged(fs::path(ClusterDir(c.metadata.name)) / "status.yaml",
                   yaml::Dump(api::EncodeStatus(st)));
    log::Info("cluster status",
              {{"cluster", c.metadata.name},
               {"ready", cluster::FindCondition(st.conditions, api::condition::kReady)->status},
               {"workers", st.workers.summary}});
  }
  if (observer_ != nullptr) observer_->ClusterObserved(c, k.status);
  auto entries = cluster::BuildDiscoveryEntries(c, st, observed.addresses);
  if (entries != k.discovery) {
    k.discovery = entries;
    WriteDiscoveryDirectory(DiscoveryDir(c.metadata.name), entries);
  }
}

void LocalController::Forget(const std::string& name) {
  log::Info("cluster removed; stopping its processes", {{"cluster", name}});
  clusters_.erase(name);
  ports_.Release(name + "/");
  if (observer_ != nullptr) observer_->ClusterGone("local", name);
  fs::remove_all(DiscoveryDir(name));
  fs::remove(fs::path(ClusterDir(name)) / "status.yaml");
}

void LocalController::Plan(const std::string& name, const api::SpytCluster& cluster) {
  Known& k = clusters_[name];
  const std::string& version = cluster.spec.spyt_version;
  SpytRelease release{SpytRelease::State::kReady, "", "", false};
  if (options_.spyt_releases != nullptr) release = options_.spyt_releases->Ensure(version);
  const bool ready = release.state == SpytRelease::State::kReady;
  k.release_problem.reset();
  if (!ready) {
    k.release_problem =
        cluster::SpytReleaseProblem{version, release.state == SpytRelease::State::kInstalling,
                                    release.reason, release.permanent};
  }
  const bool running = !k.plan.processes.empty() && !k.held;
  if (!ready && running) return;  // the last plan runs on with its release
  k.cluster = cluster;
  k.plan = PlanCluster(cluster, ports_, ClusterDir(name), release.home);
  k.held = !ready;
  WriteIfChanged(fs::path(k.plan.conf_dir) / "spark-defaults.conf", k.plan.spark_defaults);
}

void LocalController::RunOnce() {
  Manifests read = ReadManifests();
  auto& manifests = read.clusters;
  std::vector<ProcessSpec> desired;
  for (auto it = clusters_.begin(); it != clusters_.end();) {
    const std::string name = it->first;
    const Known& k = it->second;
    ++it;
    if (manifests.count(name) != 0) continue;
    if (read.complete) {
      Forget(name);
    } else if (!k.held) {  // maybe in the file that could not be read: keep running its last plan
      desired.insert(desired.end(), k.plan.processes.begin(), k.plan.processes.end());
    }
  }
  std::map<std::string, api::FieldErrors> invalid;
  for (auto& [name, entry] : manifests) {
    auto& [cluster, errors] = entry;
    if (!cluster) {
      invalid[name] = errors;
      if (clusters_.count(name) == 0) {
        log::Warn("invalid manifest; not starting it",
                  {{"cluster", name}, {"errors", api::Summarize(errors)}});
        continue;
      }
    } else {
      Plan(name, *cluster);
    }
    const Known& k = clusters_.at(name);  // invalid specs keep running the last valid plan
    if (!k.held) desired.insert(desired.end(), k.plan.processes.begin(), k.plan.processes.end());
  }
  WriteIfChanged(fs::path(options_.state_dir) / "ports.json", ports_.Serialize());
  supervisor_.Sync(desired);
  std::vector<api::SpytCluster> polled;
  for (auto& [name, k] : clusters_) {
    auto inv = invalid.find(name);
    UpdateStatus(k, inv == invalid.end() ? api::FieldErrors{} : inv->second);
    polled.push_back(k.cluster);
    polled.back().status = k.status;
  }
  {
    std::lock_guard lock(livy_targets_mutex_);
    livy_targets_ = cluster::LivyTargets(polled);
  }
  ++passes_;
}

void LocalController::Run(std::stop_token stop) {
  log::Info("local controller started",
            {{"manifests", options_.manifests_dir}, {"state", options_.state_dir}});
  do {
    RunOnce();
  } while (!runtime::SleepUntil(clock_, stop, clock_.Now() + options_.interval));
  log::Info("stopping every process");
  supervisor_.StopAll();
}

}  // namespace spyt::local

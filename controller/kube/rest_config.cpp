#include "kube/rest_config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "common/json.h"
#include "common/yaml.h"
#include "kube/base64.h"

namespace spyt::kube {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError("cannot read " + what + " " + path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  const char* space = " \t\r\n";
  s.erase(s.find_last_not_of(space) + 1);
  s.erase(0, s.find_first_not_of(space));
  return s;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// Reads kubeconfig fields, naming the file and the entry in every error.
class Kubeconfig {
 public:
  Kubeconfig(const std::string& text, std::string base_dir, std::string origin)
      : base_dir_(std::move(base_dir)), origin_(std::move(origin)) {
    try {
      root_ = yaml::ParseOne(text);
    } catch (const yaml::ParseError& e) {
      Fail(std::string("not valid YAML: ") + e.what());
    }
    if (!root_.is_object()) {
      Fail("not a YAML mapping");
    }
  }

  [[noreturn]] void Fail(const std::string& what) const {
    throw ConfigError(origin_ + ": " + what);
  }

  // A scalar field as a string ("" when absent). YAML may have resolved a plain
  // scalar to a number or boolean (a numeric token, say): those are written back.
  std::string Str(const json::Value& obj, const char* key, const std::string& where) const {
    const json::Value* v = obj.find(key);
    if (v == nullptr || v->is_null()) {
      return "";
    }
    if (v->is_string()) {
      return v->as_string();
    }
    if (v->is_int() || v->is_bool()) {
      return json::Dump(*v);
    }
    Fail(where + "." + key + " must be a string");
  }

  // The inner mapping `inner` of the entry called `name` in the top-level list `list`.
  const json::Value& Entry(const char* list, const std::string& name, const char* inner) const {
    const json::Value* items = root_.find(list);
    if (items != nullptr && items->is_array()) {
      for (const json::Value& item : items->as_array()) {
        if (item.is_object() && Str(item, "name", list) == name) {
          const json::Value* body = item.find(inner);
          if (body == nullptr || !body->is_object()) {
            Fail(std::string(list) + " entry \"" + name + "\" has no " + inner + " mapping");
          }
          return *body;
        }
      }
    }
    Fail(std::string(inner) + " \"" + name + "\" not found in " + list);
  }

  std::string Path(const std::string& p) const {
    if (p.empty() || fs::path(p).is_absolute() || base_dir_.empty()) {
      return p;
    }
    return (fs::path(base_dir_) / p).lexically_normal().string();
  }

  // Inline base64 data wins over a file, as in client-go.
  std::string DataOrFile(const json::Value& obj, const char* data_key, const char* file_key,
                         const std::string& where) const {
    std::string data = Str(obj, data_key, where);
    if (!data.empty()) {
      try {
        return DecodeBase64(data);
      } catch (const std::invalid_argument& e) {
        Fail(where + "." + data_key + ": " + e.what());
      }
    }
    std::string file = Str(obj, file_key, where);
    if (file.empty()) {
      return "";
    }
    return ReadFile(Path(file), where + "." + file_key);
  }

  const json::Value& root() const { return root_; }

 private:
  json::Value root_;
  std::string base_dir_;
  std::string origin_;
};

void ReadCluster(const Kubeconfig& kc, const std::string& name, RestConfig& config) {
  const std::string where = "cluster \"" + name + "\"";
  const json::Value& cluster = kc.Entry("clusters", name, "cluster");
  config.server = kc.Str(cluster, "server", where);
  if (config.server.empty()) {
    kc.Fail(where + " has no server");
  }
  // Checked here, so a typo is named with its kubeconfig entry rather than surfacing later
  // as a transport error (the fuzzer's "https:/863./0.0.1:6443" was taken).
  static const std::regex kServer(
      R"(^https?://(\[[0-9A-Fa-f:.]+\]|[^/\s:\[\]@]+)(:[0-9]{1,5})?(/\S*)?$)");
  if (!std::regex_match(config.server, kServer)) {
    kc.Fail(where + ": server \"" + config.server +
            "\" is not an http(s) URL (https://HOST[:PORT][/PATH])");
  }
  if (const json::Value* skip = cluster.find("insecure-skip-tls-verify");
      skip != nullptr && skip->is_bool() && skip->as_bool()) {
    kc.Fail(where + ": insecure-skip-tls-verify is not supported (peer verification is always on)");
  }
  config.tls.ca_pem =
      kc.DataOrFile(cluster, "certificate-authority-data", "certificate-authority", where);
  config.tls.server_name = kc.Str(cluster, "tls-server-name", where);
}

void ReadUser(const Kubeconfig& kc, const std::string& name, RestConfig& config) {
  const std::string where = "user \"" + name + "\"";
  const json::Value& user = kc.Entry("users", name, "user");
  for (const char* unsupported : {"exec", "auth-provider", "username", "password"}) {
    if (user.find(unsupported) != nullptr) {
      kc.Fail(where + " uses " + unsupported + ", which is not supported");
    }
  }
  config.tls.client_cert_pem =
      kc.DataOrFile(user, "client-certificate-data", "client-certificate", where);
  config.tls.client_key_pem = kc.DataOrFile(user, "client-key-data", "client-key", where);
  if (config.tls.client_cert_pem.empty() != config.tls.client_key_pem.empty()) {
    kc.Fail(where + " has a client certificate without a key, or a key without a certificate");
  }
  config.bearer_token = Trim(kc.Str(user, "token", where));
  std::string token_file = kc.Str(user, "tokenFile", where);
  if (!token_file.empty()) {
    config.bearer_token_file = kc.Path(token_file);
    config.bearer_token = Trim(ReadFile(config.bearer_token_file, where + ".tokenFile"));
  }
}

}  // namespace

RestConfig ParseKubeconfig(const std::string& text, const std::string& base_dir,
                           const std::string& context, const std::string& origin) {
  Kubeconfig kc(text, base_dir, origin);
  std::string name = context;
  if (name.empty()) {
    name = kc.Str(kc.root(), "current-context", "kubeconfig");
    if (name.empty()) {
      kc.Fail("no current-context is set and no context was given");
    }
  }
  const std::string where = "context \"" + name + "\"";
  const json::Value& ctx = kc.Entry("contexts", name, "context");
  RestConfig config;
  std::string cluster = kc.Str(ctx, "cluster", where);
  if (cluster.empty()) {
    kc.Fail(where + " names no cluster");
  }
  ReadCluster(kc, cluster, config);
  if (std::string user = kc.Str(ctx, "user", where); !user.empty()) {
    ReadUser(kc, user, config);
  }
  config.default_namespace = kc.Str(ctx, "namespace", where);
  return config;
}

RestConfig LoadKubeconfig(const std::string& path, const std::string& context) {
  std::string text = ReadFile(path, "kubeconfig");
  return ParseKubeconfig(text, fs::path(path).parent_path().string(), context,
                         "kubeconfig " + path);
}

bool InClusterEnvironment() {
  return !Env("KUBERNETES_SERVICE_HOST").empty() && !Env("KUBERNETES_SERVICE_PORT").empty();
}

RestConfig InClusterConfig(const std::string& service_account_dir) {
  std::string host = Env("KUBERNETES_SERVICE_HOST");
  std::string port = Env("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    throw ConfigError(
        "in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  }
  if (host.find(':') != std::string::npos && host.front() != '[') {
    host = "[" + host + "]";
  }
  RestConfig config;
  config.server = "https://" + host + ":" + port;
  const fs::path dir(service_account_dir);
  config.bearer_token_file = (dir / "token").string();
  config.bearer_token =
      Trim(ReadFile(config.bearer_token_file, "in-cluster config: the service-account token"));
  if (config.bearer_token.empty()) {
    throw ConfigError("in-cluster config: the service-account token " + config.bearer_token_file +
                      " is empty");
  }
  config.tls.ca_pem =
      ReadFile((dir / "ca.crt").string(), "in-cluster config: the service-account CA");
  std::ifstream ns(dir / "namespace");
  if (ns) {
    std::stringstream ss;
    ss << ns.rdbuf();
    config.default_namespace = Trim(ss.str());
  }
  return config;
}

RestConfig ResolveConfig(const std::string& flag_path, const std::string& context) {
  if (!flag_path.empty()) {
    if (!fs::exists(flag_path)) {
      throw ConfigError("--kubeconfig " + flag_path + ": no such file");
    }
    return LoadKubeconfig(flag_path, context);
  }
  if (std::string list = Env("KUBECONFIG"); !list.empty()) {
    std::stringstream ss(list);
    for (std::string path; std::getline(ss, path, ':');) {
      if (!path.empty() && fs::exists(path)) {
        return LoadKubeconfig(path, context);
      }
    }
    throw ConfigError("$KUBECONFIG=" + list + ": none of its files exists");
  }
  if (InClusterEnvironment()) {
    return InClusterConfig();
  }
  if (std::string home = Env("HOME"); !home.empty()) {
    fs::path path = fs::path(home) / ".kube" / "config";
    if (fs::exists(path)) {
      return LoadKubeconfig(path.string(), context);
    }
  }
  throw ConfigError(
      "no Kubernetes configuration: no --kubeconfig flag, no $KUBECONFIG, not in a cluster "
      "(KUBERNETES_SERVICE_HOST unset) and no ~/.kube/config");
}

}  // namespace spyt::kube

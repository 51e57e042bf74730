#pragma once

// Where the API server is and how to authenticate to it: from a kubeconfig file, from
// the in-cluster service account, or resolved the way kubectl does.

#include <chrono>
#include <stdexcept>
#include <string>

#include "http/http.h"

namespace spyt::kube {

// A missing or unusable piece of configuration; the message names it (file, context,
// field or environment variable).
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RestConfig {
  std::string server;  // "https://127.0.0.1:6443"
  http::TlsConfig tls;
  std::string bearer_token;
  // When set, the token is read from this file and re-read at most once a minute and
  // after a 401 (rotated service-account tokens); it wins over bearer_token.
  std::string bearer_token_file;
  double qps = 50;  // client-side rate limit; <= 0 disables it
  int burst = 100;
  std::chrono::milliseconds timeout{30000};  // per request (inactivity for watches)
  std::string user_agent = "spyt-operator";
  // The kubeconfig context's namespace, or the service account's; "" when neither says.
  std::string default_namespace;
};

// Parses a kubeconfig file. context: "" uses current-context. Relative file paths in
// it (certificate-authority, client-certificate, client-key, tokenFile) are resolved
// against the kubeconfig's directory. Exec plugins, auth providers, basic auth and
// insecure-skip-tls-verify are refused with ConfigError.
RestConfig LoadKubeconfig(const std::string& path, const std::string& context = "");

// The same from text; base_dir resolves relative paths; origin names the source in errors.
RestConfig ParseKubeconfig(const std::string& text, const std::string& base_dir,
                           const std::string& context = "",
                           const std::string& origin = "kubeconfig");

inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

// From KUBERNETES_SERVICE_HOST/PORT (an IPv6 host gets brackets) and the service
// account directory's token (as bearer_token_file), ca.crt and namespace.
RestConfig InClusterConfig(const std::string& service_account_dir = kServiceAccountDir);

// True when KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are both set.
bool InClusterEnvironment();

// kubectl's order: the --kubeconfig flag; $KUBECONFIG (a colon-separated list: the
// first file that exists is used; files are not merged); the in-cluster service
// account; ~/.kube/config. Throws ConfigError naming what was tried.
RestConfig ResolveConfig(const std::string& flag_path, const std::string& context = "");

}  // namespace spyt::kube

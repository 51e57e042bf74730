// What the operator reads from outside before it talks to an API server: a
// kubeconfig, and the lines of a watch stream. The first byte picks the
// parser ('k': kubeconfig text, anything else: one watch line per line).
// Properties: a bad kubeconfig is a ConfigError, a bad watch line an ApiError;
// an accepted kubeconfig names an http(s) server; an accepted watch event is a
// known type whose object is a JSON object.

#include <string>

#include "common/json.h"
#include "fuzz/fuzz_check.h"
#include "kube/errors.h"
#include "kube/rest_config.h"
#include "kube/rest_watch.h"

namespace {

using spyt::fuzz::Check;

void CheckKubeconfig(std::string_view text, std::string_view input) {
  spyt::kube::RestConfig config;
  try {
    // A base directory that does not exist: a file the kubeconfig names is never read.
    config = spyt::kube::ParseKubeconfig(std::string(text), "/nonexistent/spyt-fuzz", "", "fuzz");
  } catch (const spyt::kube::ConfigError&) {
    return;
  }
  Check(config.server.rfind("https://", 0) == 0 || config.server.rfind("http://", 0) == 0,
        "an accepted kubeconfig's server is not an http(s) URL: " + config.server, input);
}

void CheckWatchLines(std::string_view text, std::string_view input) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    spyt::kube::WatchEvent event;
    try {
      event = spyt::kube::ParseWatchLine(line);
    } catch (const spyt::kube::ApiError&) {
      continue;
    }
    using Type = spyt::kube::WatchEvent::Type;
    Check(event.type == Type::kAdded || event.type == Type::kModified ||
              event.type == Type::kDeleted || event.type == Type::kBookmark ||
              event.type == Type::kError,
          "a watch event of no known type", input);
    Check(event.object.is_object(), "a watch event whose object is not a JSON object", input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = spyt::fuzz::AsText(data, size);
  if (!input.empty() && input[0] == 'k') {
    CheckKubeconfig(input.substr(1), input);
  } else {
    CheckWatchLines(input.empty() ? input : input.substr(1), input);
  }
  return 0;
}

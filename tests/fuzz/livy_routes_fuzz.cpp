// Requests to the Livy server's router (LivyServer::Handle, no socket), with
// fake drivers and batches. The input is up to 32 requests, one per line:
//   METHOD PATH[?QUERY]<TAB>BODY
// and they run in order against one fresh server (limit: 2 sessions).
// Properties: every answer is one Livy gives (200, 201, 400, 404, 405, 409,
// 413), never a 500 (an error nobody expected); every body but /metrics' is
// JSON; a 201 carries a Location.

#include <filesystem>
#include <set>
#include <string>

#include "common/json.h"
#include "common/log.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_livy_driver.h"
#include "fuzz/fuzz_check.h"
#include "livy_server/server.h"

namespace {

using spyt::fuzz::Check;

struct Line {
  std::string method, path, body;
};

std::vector<Line> Requests(std::string_view input) {
  std::vector<Line> out;
  std::size_t start = 0;
  while (start < input.size() && out.size() < 32) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    std::string_view line = input.substr(start, end - start);
    start = end + 1;
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    const std::size_t tab = line.find('\t', space);
    Line r;
    r.method = std::string(line.substr(0, space));
    r.path = std::string(line.substr(
        space + 1, tab == std::string_view::npos ? std::string_view::npos : tab - space - 1));
    if (tab != std::string_view::npos) r.body = std::string(line.substr(tab + 1));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = spyt::fuzz::AsText(data, size);
  const auto requests = Requests(input);
  if (requests.empty()) return 0;
  // The sessions' directories, removed when the process exits.
  static const struct WorkDir {
    std::string path;
    WorkDir() {
      spyt::log::Configure(spyt::log::Level::kError, spyt::log::Format::kText);  // info: noise
      // On tmpfs when there is one: the state store fsyncs every write, which on a
      // disk would bound the fuzzer to a few hundred inputs a second.
      std::string tmpl = std::filesystem::is_directory("/dev/shm")
                             ? "/dev/shm/spyt-fuzz-livy-XXXXXX"
                             : "/tmp/spyt-fuzz-livy-XXXXXX";
      path = mkdtemp(tmpl.data());
    }
    ~WorkDir() { std::filesystem::remove_all(path); }
  } work_dir;
  spyt::fakes::FakeClock clock;
  spyt::fakes::FakeDriverFactory drivers;
  // Drivers that stay starting: statements queue as they do while a real one starts,
  // and the server stops at once (a ready one's long poll would hold each input 1 s).
  drivers.ready_at_once = false;
  spyt::fakes::FakeBatchFactory batches;
  spyt::livy_server::ServerConfig config;
  config.registry.max_sessions = 2;
  config.work_dir = work_dir.path;
  config.max_body_bytes = 4096;
  spyt::livy_server::LivyServer server(config, drivers, batches, clock);
  static const std::set<int> kLivyStatuses = {200, 201, 400, 404, 405, 409, 413};
  for (const auto& line : requests) {
    spyt::http::Request request;
    request.method = line.method;
    request.path = line.path;
    request.body = line.body;
    request.body_too_large = line.body.size() > config.max_body_bytes;
    const spyt::http::Response response = server.Handle(request);
    const std::string what = line.method + " " + line.path + " -> " +
                             std::to_string(response.status) + " " + response.body;
    Check(kLivyStatuses.count(response.status) == 1, "an answer Livy does not give: " + what,
          input);
    if (line.path.rfind("/metrics", 0) != 0) {
      try {
        spyt::json::Parse(response.body);
      } catch (const spyt::json::ParseError&) {
        spyt::fuzz::Fail("a body that is not JSON: " + what, input);
      }
    }
    if (response.status == 201) {
      // Responses keep Livy's header case on the wire ("Location").
      Check(response.header("Location") != nullptr, "a 201 without Location: " + what, input);
    }
  }
  return 0;
}

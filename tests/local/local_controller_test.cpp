#include "local/local_controller.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "fakes/fake_clock.h"
#include "fakes/fake_process_runner.h"
#include "temp_dir.h"
#include "test_files.h"

namespace spyt::local {
namespace {

// Releases as a test sets them: a version absent from the map is still installing.
struct FakeReleases : SpytReleases {
  std::map<std::string, SpytRelease> releases;
  SpytRelease Ensure(const std::string& version) override {
    auto it = releases.find(version);
    return it == releases.end() ? SpytRelease{} : it->second;
  }
};

SpytRelease Ready(const std::string& home) { return {SpytRelease::State::kReady, home, "", false}; }

struct Harness {
  spyt::testing::TempDir dir;
  fakes::FakeProcessRunner runner;
  fakes::FakeClock clock;
  std::unique_ptr<LocalController> rt;
  std::string manifest;
  FakeReleases releases;

  explicit Harness(bool with_releases = false) {
    std::filesystem::create_directories(dir.path() / "manifests");
    manifest =
        dir.Write("manifests/cluster.yaml",
                  spyt::testing::ReadText(spyt::testing::SourcePath("examples/local/livy.yaml")));
    LocalOptions options;
    options.manifests_dir = dir / "manifests";
    options.state_dir = dir / "state";
    if (with_releases) options.spyt_releases = &releases;
    rt = std::make_unique<LocalController>(runner, clock, options);
  }
};

}  // namespace

TEST_SUITE("local controller") {
  TEST_CASE("a manifest that cannot be parsed or is empty keeps its cluster running") {
    Harness h;
    h.rt->RunOnce();
    const auto running = h.runner.running;
    REQUIRE(running.size() == 4);  // master, 2 workers, Livy

    SUBCASE("half-written YAML") { h.dir.Write("manifests/cluster.yaml", "spec: [unclosed\n"); }
    SUBCASE("an empty file, as an editor truncates before writing") {
      h.dir.Write("manifests/cluster.yaml", "");
    }
    h.rt->RunOnce();
    CHECK(h.runner.running == running);
    CHECK(h.runner.signals.empty());
  }

  TEST_CASE("a removed manifest stops its cluster") {
    Harness h;
    h.rt->RunOnce();
    REQUIRE(h.runner.running.size() == 4);
    std::filesystem::remove(h.manifest);
    h.rt->RunOnce();
    CHECK(h.runner.signals.size() == 4);
  }

  TEST_CASE("the status counts processes, on 127.0.0.1, with discovery in the state directory") {
    Harness h;
    h.rt->RunOnce();  // nothing listens on the planned ports: no process serves
    const std::string status =
        spyt::testing::ReadText(h.dir.path() / "state" / "clusters" / "local" / "status.yaml");
    CHECK(status.find("workers: 0/2 processes ready") != std::string::npos);
    CHECK(status.find("pods") == std::string::npos);
    CHECK(status.find("spark://127.0.0.1:") != std::string::npos);
    CHECK(status.find((h.dir.path() / "state" / "discovery" / "local").string()) !=
          std::string::npos);
    CHECK(status.find("configMap") == std::string::npos);
  }

  TEST_CASE("a cluster starts once its SPYT release is installed, and Livy gets its jars") {
    Harness h(true);
    auto status = [&] {
      return spyt::testing::ReadText(h.dir.path() / "state" / "clusters" / "local" / "status.yaml");
    };
    h.rt->RunOnce();
    CHECK(h.runner.running.empty());
    CHECK(status().find("reason: InstallingSpyt") != std::string::npos);
    CHECK(status().find("installing SPYT 2.9.3") != std::string::npos);

    h.releases.releases["2.9.3"] = Ready("/cache/spyt-2.9.3/spyt");
    h.rt->RunOnce();
    REQUIRE(h.runner.running.size() == 4);
    const auto& livy = h.rt->supervisor().processes().at("local/livy").spec.args;
    CHECK(std::find(livy.begin(), livy.end(), "--spyt-home") != livy.end());
    CHECK(std::find(livy.begin(), livy.end(), "/cache/spyt-2.9.3/spyt") != livy.end());
    CHECK(status().find("InstallingSpyt") == std::string::npos);
  }

  TEST_CASE("a spytVersion with no release: nothing starts, the status names the version") {
    Harness h(true);
    h.releases.releases["2.9.3"] = {SpytRelease::State::kFailed, "",
                                    "pip exit code 1: ERROR: No matching distribution found", true};
    h.rt->RunOnce();
    CHECK(h.runner.running.empty());
    const std::string status =
        spyt::testing::ReadText(h.dir.path() / "state" / "clusters" / "local" / "status.yaml");
    CHECK(status.find("reason: SpytVersionUnavailable") != std::string::npos);
    CHECK(status.find("SPYT 2.9.3 cannot be installed: pip exit code 1: ERROR: No matching") !=
          std::string::npos);
  }

  TEST_CASE("a running cluster keeps its processes while a new spytVersion installs or fails") {
    Harness h(true);
    h.releases.releases["2.9.3"] = Ready("/cache/spyt-2.9.3/spyt");
    h.rt->RunOnce();
    REQUIRE(h.runner.running.size() == 4);
    const auto running = h.runner.running;
    std::string text = spyt::testing::ReadText(h.manifest);
    text.replace(text.find("spec:\n"), 6, "spec:\n  spytVersion: \"2.8.4\"\n");
    h.dir.Write("manifests/cluster.yaml", text);
    h.rt->RunOnce();
    CHECK(h.runner.running == running);
    CHECK(h.runner.signals.empty());
    h.releases.releases["2.8.4"] = {SpytRelease::State::kFailed, "", "pip: no network", false};
    h.rt->RunOnce();
    CHECK(h.runner.running == running);
    const std::string status =
        spyt::testing::ReadText(h.dir.path() / "state" / "clusters" / "local" / "status.yaml");
    CHECK(status.find("SPYT 2.8.4 cannot be installed: pip: no network") != std::string::npos);

    h.releases.releases["2.8.4"] = Ready("/cache/spyt-2.8.4/spyt");
    h.rt->RunOnce();  // now every process restarts: spark.yt.version and Livy's jars changed
    CHECK(h.runner.signals.size() == 4);
  }
}

}  // namespace spyt::local

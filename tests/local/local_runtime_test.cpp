#include "local/local_runtime.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "fakes/fake_clock.h"
#include "fakes/fake_process_runner.h"
#include "temp_dir.h"
#include "test_files.h"

namespace spyt::local {
namespace {

struct Harness {
  spyt::testing::TempDir dir;
  fakes::FakeProcessRunner runner;
  fakes::FakeClock clock;
  std::unique_ptr<LocalRuntime> rt;
  std::string manifest;

  Harness() {
    std::filesystem::create_directories(dir.path() / "manifests");
    manifest =
        dir.Write("manifests/cluster.yaml",
                  spyt::testing::ReadText(spyt::testing::SourcePath("examples/local/livy.yaml")));
    LocalOptions options;
    options.manifests_dir = dir / "manifests";
    options.state_dir = dir / "state";
    rt = std::make_unique<LocalRuntime>(runner, clock, options);
  }
};

}  // namespace

TEST_SUITE("local runtime") {
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
}

}  // namespace spyt::local

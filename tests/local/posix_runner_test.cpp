#include "local/posix_runner.h"

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/process.h"
#include "temp_dir.h"

namespace spyt::local {
namespace {

ProcessSpec Spec(const testing::TempDir& dir, std::vector<std::string> args) {
  ProcessSpec spec;
  spec.id = "c/master";
  spec.args = std::move(args);
  spec.work_dir = dir / "work";
  return spec;
}

std::optional<int> PollUntilExited(PosixRunner& runner, int pid) {
  for (int i = 0; i < 500; ++i) {
    if (auto code = runner.Poll(pid)) return code;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

}  // namespace

TEST_SUITE("local.posix_runner") {
  TEST_CASE("a launcher that cannot be executed is an error naming why, not a process that exits") {
    testing::TempDir dir;
    PosixRunner runner(dir / "no-such-launcher", {}, dir / "logs");
    CHECK_THROWS_AS(runner.Start(Spec(dir, {"master"})), process::SpawnError);
    try {
      runner.Start(Spec(dir, {"master"}));
    } catch (const process::SpawnError& e) {
      CHECK(std::string(e.what()).find("No such file or directory") != std::string::npos);
    }
  }

  TEST_CASE("a started process logs to its file and its exit code is answered on every poll") {
    testing::TempDir dir;
    PosixRunner runner("/bin/sh", {{"SPYT_TEST_GREETING", "hello"}}, dir / "logs");
    int pid = runner.Start(Spec(dir, {"-c", "echo $SPYT_TEST_GREETING; exit 3"}));
    CHECK(PollUntilExited(runner, pid) == 3);
    CHECK(runner.Poll(pid) == 3);
    std::ifstream log(runner.LogPath("c/master"));
    std::stringstream text;
    text << log.rdbuf();
    CHECK(text.str() == "hello\n");
  }
}

}  // namespace spyt::local

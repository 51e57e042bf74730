#include "local/spyt_releases.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "fakes/fake_clock.h"
#include "temp_dir.h"

namespace spyt::local {
namespace {

// A stand-in for `python -m pip install ... --target DIR ytsaurus-spyt==V`: installs
// a jar for 1.0.0, answers as PyPI does for a version that does not exist, and
// fails without an ERROR line otherwise.
constexpr const char* kFakePip = R"(#!/bin/sh
for a; do target_next=$target_flag; target_flag=; [ "$a" = --target ] && target_flag=1
  [ -n "$target_next" ] && target=$a; spec=$a; done
case "$spec" in
  ytsaurus-spyt==1.0.0) mkdir -p "$target/spyt/jars" && : > "$target/spyt/jars/x.jar" ;;
  ytsaurus-spyt==9.9.9) echo "ERROR: Could not find a version that satisfies the requirement"
    echo "ERROR: No matching distribution found for $spec"; exit 1 ;;
  *) echo "connection reset"; exit 2 ;;
esac
)";

SpytRelease Await(PipSpytReleases& releases, const std::string& version) {
  for (int i = 0; i < 500; ++i) {
    SpytRelease r = releases.Ensure(version);
    if (r.state != SpytRelease::State::kInstalling) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("the install did not end");
  return {};
}

struct FakePip {
  testing::TempDir dir;
  fakes::FakeClock clock;
  std::string pip;
  FakePip() : pip(dir.Write("python", kFakePip)) { ::chmod(pip.c_str(), 0755); }
};

}  // namespace

TEST_SUITE("local spyt releases") {
  TEST_CASE("a release is installed once, into <cache>/spyt-<version>/spyt") {
    FakePip f;
    PipSpytReleases releases(f.pip, f.dir / "cache", f.clock);
    CHECK(releases.Ensure("1.0.0").state == SpytRelease::State::kInstalling);
    const SpytRelease r = Await(releases, "1.0.0");
    REQUIRE(r.state == SpytRelease::State::kReady);
    CHECK(r.home == f.dir / "cache/spyt-1.0.0/spyt");
    CHECK(std::filesystem::exists(f.dir.path() / "cache/spyt-1.0.0/spyt/jars/x.jar"));
    // A second runtime on the same cache finds it at once.
    PipSpytReleases other("/nonexistent/python", f.dir / "cache", f.clock);
    CHECK(other.Ensure("1.0.0").state == SpytRelease::State::kReady);
  }

  TEST_CASE("a version PyPI does not have fails for good, with pip's words") {
    FakePip f;
    PipSpytReleases releases(f.pip, f.dir / "cache", f.clock);
    const SpytRelease r = Await(releases, "9.9.9");
    REQUIRE(r.state == SpytRelease::State::kFailed);
    CHECK(r.permanent);
    CHECK(r.reason ==
          "pip exit code 1: ERROR: No matching distribution found for ytsaurus-spyt==9.9.9");
    CHECK_FALSE(std::filesystem::exists(f.dir.path() / "cache/spyt-9.9.9"));
  }

  TEST_CASE("another failure is retried after the retry period, not before") {
    FakePip f;
    PipSpytReleases releases(f.pip, f.dir / "cache", f.clock, std::chrono::seconds(60));
    const SpytRelease r = Await(releases, "2.0.0");
    REQUIRE(r.state == SpytRelease::State::kFailed);
    CHECK_FALSE(r.permanent);
    CHECK(r.reason == "pip exit code 2: connection reset");
    CHECK(releases.Ensure("2.0.0").state == SpytRelease::State::kFailed);
    f.clock.Advance(std::chrono::seconds(61));
    CHECK(releases.Ensure("2.0.0").state == SpytRelease::State::kInstalling);
    CHECK(Await(releases, "2.0.0").state == SpytRelease::State::kFailed);
  }

  TEST_CASE("a python that cannot be started is a failure naming it") {
    testing::TempDir dir;
    fakes::FakeClock clock;
    PipSpytReleases releases(dir / "no-python", dir / "cache", clock);
    const SpytRelease r = releases.Ensure("1.0.0");
    CHECK(r.state == SpytRelease::State::kFailed);
    CHECK(r.reason.find("no-python") != std::string::npos);
  }
}

}  // namespace spyt::local

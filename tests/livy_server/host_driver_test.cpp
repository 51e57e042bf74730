#include "livy_server/host_driver.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/json.h"
#include "common/process.h"
#include "temp_dir.h"

namespace spyt::livy_server {

TEST_SUITE("livy_server host driver") {
  TEST_CASE("a driver takes a statement of the largest code, however JSON escapes it") {
    // Control characters are the worst case: \u00XX, six bytes for one.
    const std::size_t max_code = 4096;
    for (char c : {'\x01', '"', 'x'}) {
      json::Object body;
      body["id"] = std::int64_t{1} << 62;
      body["code"] = std::string(max_code, c);
      body["kind"] = "pyspark";
      CHECK(json::Dump(json::Value(std::move(body))).size() <= DriverRequestLimit(max_code));
    }
  }

  TEST_CASE(
      "a spawned driver inherits none of the server's descriptors, so it cannot hold the port") {
    testing::TempDir dir;
    const int leaky = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC, as a listening socket may be
    REQUIRE(leaky >= 3);
    const std::string log = (dir.path() / "out.log").string();
    const pid_t pid = SpawnSparkProcess(HostDriverConfig{}, {"/bin/sh", "-c", "ls /proc/$$/fd"},
                                        std::nullopt, dir.path().string(), log);
    std::optional<int> status;
    for (int i = 0; i < 500 && !status; ++i) {
      status = process::Reaper::Instance().Poll(pid);
      if (!status) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::close(leaky);
    REQUIRE(status.has_value());
    std::ifstream in(log);
    std::vector<int> fds;
    for (int fd; in >> fd;) fds.push_back(fd);
    CHECK_FALSE(fds.empty());
    CHECK(std::find(fds.begin(), fds.end(), leaky) == fds.end());
  }

  TEST_CASE("SPYT's jars come first in spark.jars, before the conf's and the request's") {
    HostDriverConfig config;
    config.spyt_jars = {"/spyt/jars/a.jar", "/spyt/jars/b.jar"};
    SparkRequest r;
    SUBCASE("none of the session's own") {
      CHECK(SessionSparkConf(config, r, "app").at("spark.jars") ==
            "/spyt/jars/a.jar,/spyt/jars/b.jar");
    }
    SUBCASE("the conf's, then the request's field") {
      r.conf["spark.jars"] = "/mine/c.jar";
      r.jars = {"/mine/d.jar"};
      CHECK(SessionSparkConf(config, r, "app").at("spark.jars") ==
            "/spyt/jars/a.jar,/spyt/jars/b.jar,/mine/c.jar,/mine/d.jar");
    }
    SUBCASE("without a SPYT release, spark.jars is the session's alone") {
      config.spyt_jars.clear();
      r.jars = {"/mine/d.jar"};
      CHECK(SessionSparkConf(config, r, "app").at("spark.jars") == "/mine/d.jar");
    }
  }
}

}  // namespace spyt::livy_server

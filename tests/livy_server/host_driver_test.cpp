#include "livy_server/host_driver.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/process.h"
#include "temp_dir.h"

namespace spyt::livy_server {

TEST_SUITE("livy_server host driver") {
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
}

}  // namespace spyt::livy_server

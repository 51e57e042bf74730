#include "launcher/livy_role.h"

#include <doctest/doctest.h>

#include "launch_flags/flags.h"
#include "launcher/fixtures.h"

namespace spyt::launcher {

TEST_SUITE("launcher livy role") {
  TEST_CASE("the Livy server keeps its state in <work dir>/state unless --state-dir says where") {
    LaunchContext ctx;
    ctx.flags = ParseFlags(testing::LivyArgs());
    ctx.layout.work_dir = "/w";
    CHECK(LivyStateDir(ctx) == "/w/state");
    ctx.flags = ParseFlags(testing::With(testing::LivyArgs(), {"--state-dir", "/data/livy-state"}));
    CHECK(ctx.flags.state_dir == "/data/livy-state");
    CHECK(LivyStateDir(ctx) == "/data/livy-state");
  }

  TEST_CASE("--max-code-size bounds a statement's code, and every driver takes that much") {
    LaunchContext ctx;
    ctx.flags = ParseFlags(testing::LivyArgs());
    CHECK(LivyServerConfig(ctx).max_code_bytes == 1024 * 1024);
    ctx.flags = ParseFlags(testing::With(testing::LivyArgs(), {"--max-code-size", "64m"}));
    CHECK(LivyServerConfig(ctx).max_code_bytes == 64u * 1024 * 1024);
    CHECK(DescribeLivyServer(ctx).find("max code size 67108864\n") != std::string::npos);
  }

  TEST_CASE("a driver waits the session timeout for its server to come back") {
    Flags f = ParseFlags(testing::LivyArgs());
    f.session_timeout = api::Duration::FromSeconds(30 * 60);
    CHECK(DriverOrphanTimeout(f) == std::chrono::minutes(30));
    f.session_timeout = api::Duration::FromSeconds(0);
    CHECK(DriverOrphanTimeout(f) == std::chrono::minutes(10));
  }
}

}  // namespace spyt::launcher

#include <doctest/doctest.h>

#include <algorithm>

#include "launch_flags/flags.h"
#include "launcher/fixtures.h"

namespace spyt::launcher {
namespace {

using testing::Args;

bool Has(const Args& args, const std::string& flag) {
  return std::find(args.begin(), args.end(), flag) != args.end();
}

// A worker with every flag it takes away from its default.
Flags EveryWorkerFlag() {
  Flags f = ParseFlags(testing::WorkerArgs());
  f.work_dir = "/state/c/worker-0";
  f.spark_home = "/opt/spark";
  f.java = "/usr/bin/java";
  f.stop_timeout = std::chrono::seconds(5);
  f.dry_run = true;
  f.worker_port = 41001;
  f.wait_for_master = std::chrono::seconds(0);
  return f;
}

// Livy with every flag it takes away from its default.
Flags EveryLivyFlag() {
  Flags f = ParseFlags(testing::LivyArgs());
  f.work_dir = "/state/c/livy";
  f.csrf_protection = true;
  f.max_request_body = api::MemorySize::FromMiB(8);
  f.max_code_size = api::MemorySize::FromMiB(2);
  f.python = "/usr/bin/python3.11";
  f.driver_home = "/opt/spyt/driver";
  f.state_dir = "/var/lib/spyt-livy";
  f.wait_for_master = std::chrono::seconds(30);
  return f;
}

}  // namespace

TEST_SUITE("launcher ToArgs") {
  TEST_CASE("the argv the Kubernetes builders pass is written back unchanged") {
    for (const Args& args :
         {testing::MasterArgs(), testing::WorkerArgs(), testing::HistoryArgs()}) {
      CAPTURE(testing::Joined(args));
      CHECK(ToArgs(ParseFlags(args)) == args);
    }
  }

  TEST_CASE("sizes are written in Spark's unit") {
    const Args args = ToArgs(ParseFlags(testing::LivyArgs()));  // --livy-driver-memory 1G
    auto it = std::find(args.begin(), args.end(), "--livy-driver-memory");
    REQUIRE(it + 1 < args.end());
    CHECK(*(it + 1) == "1024m");
  }

  TEST_CASE("flags at the launcher's defaults are left out") {
    const Args args = ToArgs(ParseFlags(testing::WorkerArgs()));
    for (const char* flag : {"--work-dir", "--spark-home", "--java", "--stop-timeout", "--dry-run",
                             "--worker-port", "--wait-for-master"}) {
      CAPTURE(flag);
      CHECK_FALSE(Has(args, flag));
    }
  }

  TEST_CASE("every flag a worker takes is read back as written") {
    const Flags f = EveryWorkerFlag();
    CAPTURE(testing::Joined(ToArgs(f)));
    CHECK(ParseFlags(ToArgs(f)) == f);
  }

  TEST_CASE("every flag Livy takes is read back as written") {
    const Flags f = EveryLivyFlag();
    CAPTURE(testing::Joined(ToArgs(f)));
    CHECK(ParseFlags(ToArgs(f)) == f);
  }

  TEST_CASE("a master without a REST port is written without --rest-port") {
    Flags f = ParseFlags(testing::MasterArgs());
    f.rest_port.reset();
    CHECK_FALSE(Has(ToArgs(f), "--rest-port"));
    CHECK(ParseFlags(ToArgs(f)) == f);
  }
}

}  // namespace spyt::launcher

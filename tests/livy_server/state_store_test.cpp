#include "livy_server/state_store.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "temp_dir.h"

namespace spyt::livy_server {
namespace {

namespace fs = std::filesystem;

Session SampleSession(std::int64_t id) {
  Session s;
  s.id = id;
  s.owner = "alice";
  s.state = SessionState::kBusy;
  s.app_id = "app-20260101000000-0001";
  s.log_path = "/work/livy/sessions/" + std::to_string(id) + "/driver.log";
  s.request.kind = Kind::kPySpark;
  s.request.proxy_user = "alice";
  s.request.name = "q";
  s.request.driver_cores = 1;
  s.request.jars = {"a.jar", "b.jar"};
  s.request.conf = {{"spark.hadoop.yt.token", "secret-token"}, {"spark.x", "1"}};
  Statement done;
  done.id = 0;
  done.code = "1 + 1";
  done.state = StatementState::kAvailable;
  done.output = json::Parse(R"({"status":"ok","execution_count":0,"data":{"text/plain":"2"}})");
  done.progress = 1.0;
  done.started_ms = 1000;
  done.completed_ms = 2000;
  Statement running;
  running.id = 1;
  running.code = "import time; time.sleep(20)";
  running.kind = Kind::kPySpark;
  running.state = StatementState::kRunning;
  running.progress = 0.5;
  running.started_ms = 3000;
  s.statements = {done, running};
  return s;
}

void ExpectSameSession(const Session& a, const Session& b) {
  CHECK(a.id == b.id);
  CHECK(a.owner == b.owner);
  CHECK(a.state == b.state);
  CHECK(a.app_id == b.app_id);
  CHECK(a.log_path == b.log_path);
  CHECK(a.request.kind == b.request.kind);
  CHECK(a.request.proxy_user == b.request.proxy_user);
  CHECK(a.request.name == b.request.name);
  CHECK(a.request.driver_cores == b.request.driver_cores);
  CHECK(a.request.jars == b.request.jars);
  CHECK(a.request.conf == b.request.conf);
  CHECK(a.statements == b.statements);
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_SUITE("livy_server state store") {
  TEST_CASE("a saved session is loaded back as it was, statements and conf included") {
    testing::TempDir dir;
    MakeFileStateStore(dir.path().string())->SaveSession(SampleSession(3));
    const StoredState loaded = MakeFileStateStore(dir.path().string())->Load();
    REQUIRE(loaded.sessions.size() == 1);
    ExpectSameSession(loaded.sessions[0], SampleSession(3));
    CHECK(loaded.problems.empty());
  }

  TEST_CASE("a saved batch is loaded back as it was") {
    testing::TempDir dir;
    Batch b;
    b.id = 2;
    b.owner = "bob";
    b.state = BatchState::kSuccess;
    b.ended_ms = 123456;
    b.request.file = "local:///job.py";
    b.request.args = {"--n", "10"};
    b.request.class_name = "org.Main";
    MakeFileStateStore(dir.path().string())->SaveBatch(b);
    const StoredState loaded = MakeFileStateStore(dir.path().string())->Load();
    REQUIRE(loaded.batches.size() == 1);
    CHECK(loaded.batches[0].owner == "bob");
    CHECK(loaded.batches[0].state == BatchState::kSuccess);
    CHECK(loaded.batches[0].ended_ms == 123456);
    CHECK(loaded.batches[0].request.args == b.request.args);
    CHECK(loaded.batches[0].request.class_name == b.request.class_name);
    CHECK(loaded.next_batch == 3);
  }

  TEST_CASE("a write replaces the record whole, leaves no temporary file and is private") {
    testing::TempDir dir;
    auto store = MakeFileStateStore(dir.path().string());
    Session s = SampleSession(0);
    store->SaveSession(s);
    s.state = SessionState::kIdle;
    store->SaveSession(s);
    const fs::path record = fs::path(dir.path()) / "sessions" / "0.json";
    CHECK(json::StringAt(json::Parse(ReadFile(record)), {"state"}) == "idle");
    CHECK_FALSE(fs::exists(record.string() + ".tmp"));
    struct stat st {};
    REQUIRE(::stat(record.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }

  TEST_CASE("a truncated record is reported with its file, set aside and skipped") {
    testing::TempDir dir;
    auto store = MakeFileStateStore(dir.path().string());
    store->SaveSession(SampleSession(0));
    store->SaveSession(SampleSession(1));
    const fs::path torn = fs::path(dir.path()) / "sessions" / "1.json";
    const std::string text = ReadFile(torn);
    std::ofstream(torn, std::ios::trunc) << text.substr(0, text.size() / 2);
    const StoredState loaded = MakeFileStateStore(dir.path().string())->Load();
    REQUIRE(loaded.sessions.size() == 1);
    CHECK(loaded.sessions[0].id == 0);
    REQUIRE(loaded.problems.size() == 1);
    CHECK(loaded.problems[0].file == torn.string());
    CHECK_FALSE(loaded.problems[0].problem.empty());
    CHECK(fs::exists(torn.string() + ".unreadable"));
    CHECK(loaded.next_session == 2);  // the torn record's id is not handed out again
    // Reported once: the next load finds nothing wrong.
    CHECK(MakeFileStateStore(dir.path().string())->Load().problems.empty());
  }

  TEST_CASE("a record that is JSON but not a session is reported and skipped") {
    testing::TempDir dir;
    MakeFileStateStore(dir.path().string());
    std::ofstream(fs::path(dir.path()) / "sessions" / "4.json") << R"({"id": 4, "state": 7})";
    const StoredState loaded = MakeFileStateStore(dir.path().string())->Load();
    CHECK(loaded.sessions.empty());
    REQUIRE(loaded.problems.size() == 1);
    CHECK(loaded.problems[0].problem.find("missing field") != std::string::npos);
  }

  TEST_CASE("next ids stay above removed records' ids") {
    testing::TempDir dir;
    auto store = MakeFileStateStore(dir.path().string());
    store->SaveSession(SampleSession(7));
    store->SaveNextIds(8, 5);
    store->RemoveSession(7);
    const StoredState loaded = MakeFileStateStore(dir.path().string())->Load();
    CHECK(loaded.sessions.empty());
    CHECK(loaded.next_session == 8);
    CHECK(loaded.next_batch == 5);
  }

  TEST_CASE("a torn next_ids file is reported and the ids come from the records") {
    testing::TempDir dir;
    auto store = MakeFileStateStore(dir.path().string());
    store->SaveSession(SampleSession(5));
    std::ofstream(fs::path(dir.path()) / "next_ids.json", std::ios::trunc) << R"({"sess)";
    const StoredState loaded = MakeFileStateStore(dir.path().string())->Load();
    CHECK(loaded.next_session == 6);
    CHECK(loaded.problems.size() == 1);
  }

  TEST_CASE("a temporary file left by an interrupted write is removed on load") {
    testing::TempDir dir;
    MakeFileStateStore(dir.path().string());
    const fs::path tmp = fs::path(dir.path()) / "sessions" / "9.json.tmp";
    std::ofstream(tmp) << "{";
    const StoredState loaded = MakeFileStateStore(dir.path().string())->Load();
    CHECK(loaded.problems.empty());
    CHECK_FALSE(fs::exists(tmp));
  }
}

}  // namespace spyt::livy_server

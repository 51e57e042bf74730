#include "livy_server/records.h"

#include <doctest/doctest.h>

namespace spyt::livy_server {

TEST_SUITE("livy_server records") {
  TEST_CASE("secret conf keys are recognised by token, password or secret in any case") {
    CHECK(IsSecretKey("spark.hadoop.yt.token"));
    CHECK(IsSecretKey("spark.ssl.keyPassword"));
    CHECK(IsSecretKey("SPARK_AUTH_SECRET"));
    CHECK_FALSE(IsSecretKey("spark.hadoop.yt.user"));
  }

  TEST_CASE("a session's JSON redacts secrets unless revealed") {
    Session s;
    s.id = 3;
    s.request.proxy_user = "alice";
    s.owner = "alice";
    s.request.conf = {{"spark.hadoop.yt.token", "s3cr3t"}, {"spark.hadoop.yt.user", "alice"}};
    s.state = SessionState::kIdle;
    const json::Value redacted = SessionJson(s, {"a log line"}, Secrets::kRedact);
    CHECK(json::Dump(redacted).find("s3cr3t") == std::string::npos);
    CHECK(json::StringAt(redacted, {"conf", "spark.hadoop.yt.token"}) == "*********(redacted)");
    CHECK(json::StringAt(redacted, {"conf", "spark.hadoop.yt.user"}) == "alice");
    const json::Value revealed = SessionJson(s, {}, Secrets::kReveal);
    CHECK(json::StringAt(revealed, {"conf", "spark.hadoop.yt.token"}) == "s3cr3t");
  }

  TEST_CASE("a session's JSON has Livy's fields") {
    Session s;
    s.app_id = "app-20261130000000-0001";
    const json::Value v = SessionJson(s, {"l1"}, Secrets::kRedact);
    for (const char* key :
         {"id", "name", "appId", "owner", "proxyUser", "state", "kind", "appInfo", "log"}) {
      CHECK_MESSAGE(v.find(key) != nullptr, key);
    }
    CHECK(json::StringAt(v, {"state"}) == "starting");
    CHECK(json::StringAt(v, {"kind"}) == "spark");
    CHECK(v.find("appInfo")->find("sparkUiUrl")->is_null());
    CHECK(v.find("name")->is_null());
  }

  TEST_CASE("a statement's JSON has Livy's fields") {
    Statement st;
    st.id = 2;
    st.code = "1+1";
    st.state = StatementState::kAvailable;
    st.output = json::Parse(R"({"status":"ok","execution_count":2,"data":{"text/plain":"2"}})");
    st.progress = 1.0;
    const json::Value v = StatementJson(st);
    CHECK(json::StringAt(v, {"state"}) == "available");
    CHECK(json::StringAt(v, {"output", "data", "text/plain"}) == "2");
    CHECK(v.find("progress")->as_double() == 1.0);
    CHECK(v.find("started") != nullptr);
    CHECK(v.find("completed") != nullptr);
  }

  TEST_CASE("states are named as Livy names them") {
    CHECK(std::string(StateName(SessionState::kShuttingDown)) == "shutting_down");
    CHECK(std::string(StateName(StatementState::kCancelling)) == "cancelling");
    CHECK(std::string(StateName(BatchState::kDead)) == "dead");
    CHECK(ParseStatementState("available") == StatementState::kAvailable);
    CHECK(!ParseStatementState("done"));
    CHECK(IsActive(SessionState::kBusy));
    CHECK_FALSE(IsActive(SessionState::kShuttingDown));
    CHECK(IsEnded(SessionState::kKilled));
  }
}

}  // namespace spyt::livy_server

#include "livy_server/requests.h"

#include <doctest/doctest.h>

namespace spyt::livy_server {

TEST_SUITE("livy_server requests") {
  const DriverLimits kLimits{1, api::MemorySize::FromMiB(1024)};

  // Bad bodies and the 400 message each gets (BadRequest::what()).
  TEST_CASE("bad session bodies are refused with a message naming the field") {
    struct Case {
      const char* body;
      const char* message_part;
    };
    const Case cases[] = {
        {"{bad", "Malformed JSON request body"},
        {"", "Malformed JSON request body"},
        {"[1,2]", "expected a JSON object"},
        {R"({"kind": 1})", "Field 'kind' must be a string"},
        {R"({"kind": "sparkr"})", "'sparkr' is not supported"},
        {R"({"kind": "cobol"})", "Unknown session kind 'cobol'"},
        {R"({"jars": "a.jar"})", "Field 'jars' must be a list of strings"},
        {R"({"jars": [1]})", "Field 'jars' must be a list of strings"},
        {R"({"numExecutors": "a"})", "Field 'numExecutors' must be a non-negative integer"},
        {R"({"driverCores": -1})", "Field 'driverCores' must be a non-negative integer"},
        {R"({"conf": [1]})", "Field 'conf' must be an object of strings"},
        {R"({"conf": {"a": {"b": 1}}})", "'a' is not"},
        {R"({"proxyUser": 5})", "Field 'proxyUser' must be a string"},
        {R"({"driverMemory": "2g"})", "driverMemory 2g exceeds the 1024m"},
        {R"({"driverMemory": "lots"})", "Field 'driverMemory' is not a memory size"},
        {R"({"driverCores": 2})", "driverCores 2 exceeds the 1 cores"},
        {R"({"conf": {"spark.driver.memory": "3g"}})", "conf spark.driver.memory 3g exceeds"},
        {R"({"conf": {"spark.driver.cores": "4"}})", "conf spark.driver.cores 4 exceeds"},
        {R"({"conf": {"spark.driver.cores": "1abc"}})",
         "conf spark.driver.cores '1abc' is not a positive whole number of cores"},
        {R"({"conf": {"spark.driver.cores": "0"}})",
         "conf spark.driver.cores '0' is not a positive whole number of cores"},
        {R"({"driverCores": 0})", "driverCores '0' is not a positive whole number of cores"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.body);
      try {
        ParseSessionRequest(c.body, kLimits);
        FAIL("accepted");
      } catch (const BadRequest& e) {
        CHECK(std::string(e.what()).find(c.message_part) != std::string::npos);
      }
    }
  }

  TEST_CASE("a full session body is read field by field") {
    const SessionRequest r = ParseSessionRequest(
        R"({"kind":"pyspark","proxyUser":"alice","name":"nb","jars":["a.jar"],"pyFiles":["b.py"],)"
        R"("files":["c"],"archives":["d.zip"],"driverMemory":"512m","driverCores":1,)"
        R"("executorMemory":"2g","executorCores":2,"numExecutors":3,"queue":"q",)"
        R"("conf":{"spark.x":"1","spark.n":5,"spark.b":true},"heartbeatTimeoutInSecond":30,)"
        R"("ttl":"5m"})",
        kLimits);
    CHECK(r.kind == Kind::kPySpark);
    CHECK(r.proxy_user == "alice");
    CHECK(r.name == "nb");
    CHECK(r.jars == std::vector<std::string>{"a.jar"});
    CHECK(r.py_files == std::vector<std::string>{"b.py"});
    CHECK(r.archives == std::vector<std::string>{"d.zip"});
    CHECK(r.driver_memory == "512m");
    CHECK(r.executor_cores == 2);
    CHECK(r.num_executors == 3);
    CHECK(r.conf == std::map<std::string, std::string>{
                        {"spark.x", "1"}, {"spark.n", "5"}, {"spark.b", "true"}});
    CHECK(r.heartbeat_timeout_s == 30);
    CHECK(r.ttl == "5m");
  }

  TEST_CASE("an empty object is a spark session with nothing asked") {
    const SessionRequest r = ParseSessionRequest("{}", kLimits);
    CHECK(r.kind == Kind::kSpark);
    CHECK(!r.proxy_user);
    CHECK(r.conf.empty());
  }

  TEST_CASE("unknown fields are refused, naming the field") {
    try {
      ParseSessionRequest(R"({"kind":"spark","knd":"x"})", kLimits);
      FAIL("accepted");
    } catch (const BadRequest& e) {
      CHECK(std::string(e.what()).find("Unrecognized field \"knd\"") == 0);
    }
    CHECK_THROWS_AS(ParseStatementRequest(R"({"code":"1","extra":1})"), BadRequest);
  }

  TEST_CASE("a batch file must be given and absolute, as Livy requires") {
    CHECK_THROWS_WITH(ParseBatchRequest(R"({"file": ""})", kLimits),
                      "requirement failed: File is required.");
    CHECK_THROWS_WITH(ParseBatchRequest(R"({"file": "rel.py"})", kLimits),
                      "requirement failed: Path 'rel.py' is not absolute.");
    CHECK_NOTHROW(ParseBatchRequest(R"({"file": "file:///jobs/a.py"})", kLimits));
  }

  TEST_CASE("a batch needs a file") {
    CHECK_THROWS_AS(ParseBatchRequest("{}", kLimits), BadRequest);
    CHECK_THROWS_AS(ParseBatchRequest(R"({"file": 1})", kLimits), BadRequest);
    CHECK_THROWS_AS(ParseBatchRequest(R"({"file": "/a.py", "args": "x"})", kLimits), BadRequest);
    const BatchRequest b = ParseBatchRequest(
        R"({"file":"/jobs/job.py","className":"Main","args":["1","2"],"driverMemory":"1g"})",
        kLimits);
    CHECK(b.file == "/jobs/job.py");
    CHECK(b.class_name == "Main");
    CHECK(b.args == std::vector<std::string>{"1", "2"});
  }

  TEST_CASE("a statement needs code and may carry its own kind") {
    CHECK_THROWS_AS(ParseStatementRequest("{}"), BadRequest);
    CHECK_THROWS_AS(ParseStatementRequest(R"({"code": 7})"), BadRequest);
    CHECK_THROWS_AS(ParseStatementRequest(R"({"code": "1", "kind": "sparkr"})"), BadRequest);
    CHECK(!ParseStatementRequest(R"({"code":"1+1"})").kind);
    CHECK(ParseStatementRequest(R"({"code":"1+1","kind":"sql"})").kind == Kind::kSql);
  }

  TEST_CASE("find-by-user reads the proxy user, none when absent or empty") {
    CHECK(ParseFindByUser(R"({"proxyUser":"alice"})") == "alice");
    CHECK(!ParseFindByUser("{}"));
    CHECK(!ParseFindByUser(R"({"proxyUser":""})"));
    CHECK(!ParseFindByUser(""));
  }
}

}  // namespace spyt::livy_server

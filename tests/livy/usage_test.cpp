#include "livy/usage.h"

#include <doctest/doctest.h>

namespace spyt::livy {

TEST_SUITE("livy usage") {
  TEST_CASE("sessions count toward the limit until they end") {
    for (const char* s :
         {"not_started", "starting", "recovering", "idle", "running", "busy", "shutting_down"}) {
      CHECK_MESSAGE(CountsTowardLimit(s), s);
    }
    for (const char* s : {"error", "dead", "killed", "success"}) {
      CHECK_MESSAGE(!CountsTowardLimit(s), s);
    }
    // A state a newer Livy adds is assumed alive: under-counting would hide a full server.
    CHECK(CountsTowardLimit("suspended"));
  }

  TEST_CASE("usage adds sessions and batches by state and counts the live ones") {
    Usage u;
    u.Add(false, "idle");
    u.Add(false, "idle");
    u.Add(false, "dead");
    u.Add(true, "running");
    u.Add(true, "success");
    CHECK(u.sessions == std::map<std::string, int>{{"dead", 1}, {"idle", 2}});
    CHECK(u.batches == std::map<std::string, int>{{"running", 1}, {"success", 1}});
    CHECK(u.in_use == 3);
  }

  TEST_CASE("a page of Livy's session list is read") {
    Page page =
        ParsePage(R"({"from":0,"total":3,"sessions":[{"id":0,"state":"idle","kind":"spark"},)"
                  R"({"id":1,"state":"busy"},{"id":2,"state":"dead","appId":null}]})");
    CHECK(page.total == 3);
    CHECK(page.states == std::vector<std::string>{"idle", "busy", "dead"});
    CHECK(ParsePage(R"({"from":0,"total":0,"sessions":[]})").states.empty());
  }

  TEST_CASE("a document that is not a session list is an error saying what is wrong") {
    CHECK_THROWS_WITH_AS(ParsePage("<html>"), doctest::Contains("not JSON"), LivyError);
    CHECK_THROWS_WITH_AS(ParsePage(R"({"sessions":[]})"), doctest::Contains("\"total\""),
                         LivyError);
    CHECK_THROWS_WITH_AS(ParsePage(R"({"total":1})"), doctest::Contains("\"sessions\" array"),
                         LivyError);
    CHECK_THROWS_WITH_AS(ParsePage(R"({"total":1,"sessions":[{"id":1}]})"),
                         doctest::Contains("\"state\""), LivyError);
    CHECK_THROWS_AS(ParsePage("[]"), LivyError);
  }

  TEST_CASE("states are described in name order") {
    CHECK(DescribeStates({}) == "none");
    CHECK(DescribeStates({{"idle", 2}, {"busy", 1}}) == "1 busy, 2 idle");
  }
}

}  // namespace spyt::livy

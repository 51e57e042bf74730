#include "common/yaml.h"

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <thread>

namespace spyt::yaml {

TEST_SUITE("yaml") {
  TEST_CASE("plain scalars resolve as YAML 1.2 core schema; quoted ones stay strings") {
    json::Value v = ParseOne("a: 1\nb: \"1\"\nc: true\nd: ~\ne: 1.5\nf: 4G\ng: 'yes'\n");
    CHECK(v.find("a")->as_int() == 1);
    CHECK(v.find("b")->as_string() == "1");
    CHECK(v.find("c")->as_bool());
    CHECK(v.find("d")->is_null());
    CHECK(v.find("e")->as_double() == 1.5);
    CHECK(v.find("f")->as_string() == "4G");
    CHECK(v.find("g")->as_string() == "yes");
  }

  TEST_CASE("reads every document of a stream and skips empty ones") {
    auto docs = ParseAll("---\na: 1\n---\n---\nb: 2\n");
    REQUIRE(docs.size() == 2);
    CHECK(docs[1].find("b")->as_int() == 2);
  }

  TEST_CASE("dump quotes strings that would read back as other types") {
    json::Value v = json::Object{{"n", "5"}, {"b", "true"}, {"s", "4G"}, {"i", 5}};
    json::Value back = ParseOne(yaml::Dump(v));
    CHECK(back == v);
  }

  TEST_CASE("syntax errors name the line") {
    CHECK_THROWS_WITH_AS(ParseAll("a: [1, 2\nb: 3\n"), doctest::Contains("line"), ParseError);
  }

  TEST_CASE("a stray comma is an error, not a parser that loops forever (found by fuzzing)") {
    for (const char* text : {",", "{},", "[],", "{a: b},c", "a: 1\n---\n,\n"}) {
      CAPTURE(text);
      // yaml-cpp 0.7's LoadAll never returns on these: the parse runs on a detached thread
      // with a deadline, so the old behaviour fails this test instead of hanging it.
      std::packaged_task<std::string()> task([text] {
        try {
          ParseAll(text);
          return std::string("parsed");
        } catch (const ParseError& e) {
          return std::string(e.what());
        }
      });
      auto parsed = task.get_future();
      std::thread(std::move(task)).detach();
      REQUIRE(parsed.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
      CHECK(parsed.get().find("invalid YAML at line") == 0);
    }
  }

  TEST_CASE("anchors and aliases read as copies; keys must be scalars") {
    json::Value v = ParseOne("base: &b {cores: 2}\nworkers: *b\nname: &n w\n*n : 1\n");
    CHECK(v.find("workers")->find("cores")->as_int() == 2);
    CHECK(v.find("w")->as_int() == 1);
    CHECK_THROWS_WITH_AS(ParseOne("? [a]\n: 1\n"),
                         doctest::Contains("mapping keys must be scalars"), ParseError);
    CHECK_THROWS_WITH_AS(ParseOne("{a: 1}: 2\n"), doctest::Contains("mapping keys"), ParseError);
  }

  TEST_CASE("ParseOne insists on exactly one document") {
    CHECK_THROWS_AS(ParseOne("a: 1\n---\nb: 2\n"), ParseError);
    CHECK_THROWS_AS(ParseOne(""), ParseError);
  }
}

}  // namespace spyt::yaml

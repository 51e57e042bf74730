#include "common/yaml.h"

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "all_strings.h"

namespace spyt::yaml {
namespace {}  // namespace

TEST_SUITE("yaml") {
  TEST_CASE("plain scalars resolve as YAML 1.2 core schema, quoted ones stay strings") {
    json::Value v = ParseOne("a: 1\nb: \"1\"\nc: true\nd: ~\ne: 1.5\nf: 4G\ng: 'yes'\n");
    CHECK(v.find("a")->as_int() == 1);
    CHECK(v.find("b")->as_string() == "1");
    CHECK(v.find("c")->as_bool());
    CHECK(v.find("d")->is_null());
    CHECK(v.find("e")->as_double() == 1.5);
    CHECK(v.find("f")->as_string() == "4G");
    CHECK(v.find("g")->as_string() == "yes");
  }

  TEST_CASE("plain scalar resolution agrees with the core schema's patterns") {
    // The patterns the hand-written matchers in yaml.cpp implement, as the oracle.
    static const std::regex kNull("^(~|null|Null|NULL)?$");
    static const std::regex kBool("^(true|True|TRUE|false|False|FALSE)$");
    static const std::regex kInt("^[-+]?[0-9]+$");
    static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
    std::vector<std::string> texts = testing::AllStrings("01.eE-+x", 5);
    for (const char* word : {"~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "tRUE",
                             "false", "False", "FALSE", "fAlse", "1e5", ".5e-3", "+.5"}) {
      texts.emplace_back(word);
    }
    int compared = 0;
    for (const std::string& text : texts) {
      CAPTURE(text);
      json::Value doc;
      try {
        doc = ParseOne("a: " + text + "\n");
      } catch (const ParseError&) {
        continue;  // not a plain scalar in this position (a stray "-", say)
      }
      const json::Value* v = doc.is_object() ? doc.find("a") : nullptr;
      if (v == nullptr) continue;
      ++compared;
      if (std::regex_match(text, kNull)) {
        CHECK(v->is_null());
      } else if (std::regex_match(text, kBool)) {
        CHECK(v->is_bool());
      } else if (std::regex_match(text, kInt)) {
        REQUIRE(v->is_int());
        CHECK(v->as_int() == std::stoll(text));
      } else if (std::regex_match(text, kFloat)) {
        REQUIRE(v->kind() == json::Value::Kind::kDouble);
        CHECK(v->as_double() == std::stod(text));
      } else {
        REQUIRE(v->is_string());
        CHECK(v->as_string() == text);
      }
    }
    CHECK(compared > 30000);
  }

  TEST_CASE(
      "a float beyond a double's range stays text, as Kubernetes reads it (found by fuzzing)") {
    // std::stod threw std::out_of_range on "6e111111" (kube_input, a kubeconfig); go-yaml
    // keeps such a scalar a string and rounds one too small to 0.
    const json::Value v = ParseOne("a: 6e111111\nb: -1e400\nc: 1e-400\nd: 1e308\ne: 4.9e-324\n");
    CHECK(v.find("a")->as_string() == "6e111111");
    CHECK(v.find("b")->as_string() == "-1e400");
    REQUIRE(v.find("c")->kind() == json::Value::Kind::kDouble);
    CHECK(v.find("c")->as_double() == 0.0);
    CHECK(v.find("d")->as_double() == 1e308);
    CHECK(v.find("e")->as_double() > 0.0);  // the smallest subnormal, not 0 and not text
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

  TEST_CASE("dump writes strings that read back as themselves, as keys and as values") {
    // Every string of up to 3 characters over YAML's indicators, blanks, breaks and the
    // characters yaml-cpp's emitter mangled (DEL, NEL, U+FEFF, U+FFFE, U+FFFF).
    std::vector<std::string> strings;
    const std::vector<std::string> alphabet = {"a",
                                               "1",
                                               " ",
                                               "-",
                                               "?",
                                               ":",
                                               "#",
                                               "'",
                                               "\"",
                                               "\\",
                                               ",",
                                               "[",
                                               "{",
                                               "&",
                                               "!",
                                               "|",
                                               "%",
                                               "\t",
                                               "\n",
                                               "\r",
                                               std::string(1, '\0'),
                                               "\x7F",
                                               "\xC2\x85",
                                               "\xC2\xA0",
                                               "\xEF\xBB\xBF",
                                               "\xEF\xBF\xBE",
                                               "\xEF\xBF\xBF",
                                               "\xEF\xB7\x90",
                                               "\xE2\x80\xA8",
                                               "\xF0\x9F\x98\x80"};
    for (const auto& a : alphabet) {
      strings.push_back(a);
      for (const auto& b : alphabet) {
        strings.push_back(a + b);
        for (const char* c : {"a", " ", ":", "#", "\x7F"}) strings.push_back(a + b + c);
      }
    }
    for (const char* s : {"", "~", "null", "true", "1", "1.5", "1e400", "---", "...", "--- a",
                          "- x", "-x", "a: b", "a:b", "a #b", "a#b", "x:", "0x1F", ".inf"}) {
      strings.push_back(s);
    }
    for (const auto& s : strings) {
      const json::Value v = json::Object{{s, s}, {"in a list", json::Array{s, json::Array{s}}}};
      const std::string text = yaml::Dump(v);
      json::Value back;
      try {
        back = ParseOne(text);
      } catch (const ParseError& e) {
        FAIL_CHECK("dump of " << json::Dump(json::Value(s)) << " does not parse: " << e.what()
                              << "\n"
                              << text);
        continue;
      }
      if (back != v)
        FAIL_CHECK("dump of " << json::Dump(json::Value(s)) << " reads back as " << json::Dump(back)
                              << "\n"
                              << text);
    }
  }

  TEST_CASE("dump writes block style, empty collections in flow style") {
    const json::Value v = json::Parse(
        R"({"m": {"e": {}, "l": [], "n": null}, "s": ["p", {"k": "v", "k2": [1, 2]}, ["x", ["y"]], {}],
            "d": 1.5, "b": false})");
    CHECK(yaml::Dump(v) ==
          "b: false\n"
          "d: 1.5\n"
          "m:\n"
          "  e: {}\n"
          "  l: []\n"
          "  n: ~\n"
          "s:\n"
          "  - p\n"
          "  - k: v\n"
          "    k2:\n"
          "      - 1\n"
          "      - 2\n"
          "  - - x\n"
          "    - - y\n"
          "  - {}\n");
    CHECK(ParseOne(yaml::Dump(v)) == v);
    CHECK(yaml::Dump(json::Value("x")) == "x\n");
    CHECK(yaml::Dump(json::Array{}) == "[]\n");
  }

  TEST_CASE("dump writes bytes that are not UTF-8 as U+FFFD") {
    CHECK(ParseOne(yaml::Dump(json::Object{{"k\x87", "v\xFF"}})) ==
          json::Value(json::Object{{"k\xEF\xBF\xBD", "v\xEF\xBF\xBD"}}));
  }

  // yaml-cpp turns \N and \_ into the bytes 0x85 and 0xA0; a later Dump wrote them as
  // U+FFFD (found by fuzzing api_spec).
  TEST_CASE("every escape of a double-quoted scalar reads as the UTF-8 of its character") {
    const std::vector<std::pair<std::string, std::string>> escapes = {
        {"\\0", std::string(1, '\0')},
        {"\\a", "\a"},
        {"\\b", "\b"},
        {"\\t", "\t"},
        {"\\\t", "\t"},
        {"\\n", "\n"},
        {"\\v", "\v"},
        {"\\f", "\f"},
        {"\\r", "\r"},
        {"\\e", "\x1B"},
        {"\\ ", " "},
        {"\\\"", "\""},
        {"\\/", "/"},
        {"\\\\", "\\"},
        {"\\N", "\xC2\x85"},
        {"\\_", "\xC2\xA0"},
        {"\\L", "\xE2\x80\xA8"},
        {"\\P", "\xE2\x80\xA9"},
        {"\\x85", "\xC2\x85"},
        {"\\u00a0", "\xC2\xA0"},
        {"\\U0001F600", "\xF0\x9F\x98\x80"},
    };
    for (const auto& [escape, text] : escapes) {
      CAPTURE(escape);
      const json::Value doc = ParseOne("\"k" + escape + "\": \"<" + escape + escape + ">\"\n");
      const json::Value want = json::Object{{"k" + text, "<" + text + text + ">"}};
      CHECK(doc == want);
      CHECK(ParseOne(yaml::Dump(doc)) == want);
    }
    CHECK(ParseOne("a: \"\\N\xC3\xA9\\_\\_\"").find("a")->as_string() ==
          "\xC2\x85\xC3\xA9\xC2\xA0\xC2\xA0");
  }

  TEST_CASE("text must be UTF-8 of YAML's printable characters, as go-yaml requires") {
    CHECK_THROWS_WITH_AS(ParseAll("a: 1\nb: x\x87y\n"),
                         "invalid YAML at line 2, column 5: byte 0x87 is not UTF-8", ParseError);
    CHECK_THROWS_WITH_AS(
        ParseAll("a: \xC3\xA9\x7F\n"),
        "invalid YAML at line 1, column 5: character U+007F is not allowed in YAML", ParseError);
    CHECK_THROWS_AS(ParseAll("a: \"\xEF\xBF\xBE\"\n"), ParseError);  // U+FFFE, even quoted
    CHECK_THROWS_AS(ParseAll("a: \x01\n"), ParseError);
    CHECK(ParseOne("a: \"\\x7f\\ufffe\"\t\r\n").find("a")->as_string() == "\x7F\xEF\xBF\xBE");
    CHECK(ParseOne("\xEF\xBB\xBF"
                   "a: \xC2\x85\xC2\xA0\n")
              .find("a") != nullptr);  // BOM, NEL
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

  TEST_CASE("anchors and aliases read as copies, keys must be scalars") {
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

#include "common/json.h"

#include <doctest/doctest.h>

namespace spyt::json {

TEST_SUITE("json") {
  TEST_CASE("parses every kind of value") {
    Value v = Parse(R"({"a": [1, -2, 3.5, true, false, null], "b": {"c": "d"}})");
    const auto& a = v.find("a")->as_array();
    CHECK(a[0].as_int() == 1);
    CHECK(a[1].as_int() == -2);
    CHECK(a[2].as_double() == 3.5);
    CHECK(a[3].as_bool());
    CHECK_FALSE(a[4].as_bool());
    CHECK(a[5].is_null());
    CHECK(v.find("b")->find("c")->as_string() == "d");
  }

  TEST_CASE("decodes escapes and surrogate pairs to UTF-8") {
    Value v = Parse(R"("a\"b\\c\n\u00e9\ud83d\ude00")");
    CHECK(v.as_string() == "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80");
  }

  TEST_CASE("dump then parse gives the same value") {
    Value v = Parse(R"({"z": 1, "a": [true, "x\ty", 2.25, {}], "m": {"k": null}})");
    CHECK(Parse(Dump(v)) == v);
    CHECK(Parse(Dump(v, 2)) == v);
  }

  TEST_CASE("objects serialise with sorted keys") {
    CHECK(Dump(Parse(R"({"b": 1, "a": 2})")) == R"({"a":2,"b":1})");
  }

  TEST_CASE("integers beyond int64 become doubles, not garbage") {
    CHECK(Parse("9223372036854775807").as_int() == INT64_MAX);
    CHECK(Parse("9223372036854775808").kind() == Value::Kind::kDouble);
  }

  TEST_CASE("reports the line and column of a syntax error") {
    try {
      Parse("{\n  \"a\": tru\n}");
      FAIL("expected a parse error");
    } catch (const ParseError& e) {
      CHECK(e.line() == 2);
      CHECK(e.column() == 8);
    }
  }

  TEST_CASE("rejects malformed documents") {
    for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "\"abc", "01x", "{} {}", "nul"}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(Parse(bad), ParseError);
    }
  }

  TEST_CASE("strings must be UTF-8 and surrogate escapes must pair, as RFC 8259 says") {
    for (const char* bad : {"\"\x87\"", "\"a\xC3\"", "\"\xC0\x80\"", "\"\xED\xA0\x80\"",
                            R"("\udc00")", R"("\ud800")", R"("\ud800x")"}) {
      CAPTURE(std::string(bad));
      CHECK_THROWS_AS(Parse(bad), ParseError);
    }
    CHECK_THROWS_WITH(Parse("{\"k\": \"ok\xFF\"}"), doctest::Contains("invalid UTF-8"));
    CHECK(Parse("\"\xEF\xBF\xBF\"").as_string() == "\xEF\xBF\xBF");  // U+FFFF is text
  }

  TEST_CASE("dump writes UTF-8 whatever a string holds") {
    // A value built in code (a process's output) may hold any bytes.
    const std::string dumped = Dump(Value("a\x87z"));
    CHECK(dumped == "\"a\xEF\xBF\xBDz\"");
    CHECK(Parse(dumped).as_string() == "a\xEF\xBF\xBDz");
  }

  TEST_CASE("accessing the wrong kind throws logic_error") {
    CHECK_THROWS_AS(Value(1).as_string(), std::logic_error);
  }
}

}  // namespace spyt::json

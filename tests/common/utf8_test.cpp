#include "common/utf8.h"

#include <doctest/doctest.h>

#include <string>

namespace spyt::utf8 {
namespace {

bool Valid(std::string_view s) { return !FirstInvalid(s).has_value(); }

}  // namespace

TEST_SUITE("utf8") {
  TEST_CASE("every code point but the surrogates encodes and decodes to itself") {
    for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      std::string s;
      Append(s, cp);
      std::size_t i = 0;
      const auto back = Next(s, i);
      if (!back || *back != cp || i != s.size()) {
        FAIL_CHECK("U+" << static_cast<unsigned>(cp) << " (decimal) does not read back");
        break;
      }
    }
  }

  TEST_CASE("refuses what is not the shortest encoding of a scalar value") {
    for (const char* bad : {
             "\x80",              // a continuation byte alone
             "\xC3",              // truncated
             "\xE2\x82",          // truncated
             "\xC0\x80",          // overlong NUL
             "\xC1\xBF",          // overlong
             "\xE0\x80\x80",      // overlong
             "\xF0\x80\x80\x80",  // overlong
             "\xED\xA0\x80",      // the surrogate U+D800 (CESU-8)
             "\xED\xBF\xBF",      // the surrogate U+DFFF
             "\xF4\x90\x80\x80",  // U+110000
             "\xF8\x88\x80\x80\x80", "\xFF",
             "\xC3\x28",  // a lead byte followed by ASCII
         }) {
      CAPTURE(std::string(bad));
      CHECK(FirstInvalid(bad) == 0u);
      std::size_t i = 0;
      CHECK_FALSE(Next(bad, i).has_value());
      CHECK(i == 0u);
    }
    CHECK(FirstInvalid("ok \xC3\xA9 then \x87") == 11u);
    CHECK(Valid("\xEF\xBF\xBF\xF4\x8F\xBF\xBF"));  // U+FFFF and U+10FFFF are scalar values
  }

  TEST_CASE("Coerce replaces each bad byte with U+FFFD and keeps the rest") {
    CHECK(Coerce("a\x87\x80z") == "a\xEF\xBF\xBD\xEF\xBF\xBDz");
    CHECK(Coerce("\xC3\xA9") == "\xC3\xA9");
    CHECK(Coerce("\xC3") == "\xEF\xBF\xBD");
    CHECK(Valid(Coerce("\xED\xA0\x80\xF0\x9F\x98")));
  }
}

}  // namespace spyt::utf8

#include "api/quantity.h"

#include <doctest/doctest.h>

namespace spyt::api {

TEST_SUITE("quantity") {
  TEST_CASE("decimal and binary suffixes are exact") {
    CHECK(Quantity::Parse("1").nanos() == Quantity::FromUnits(1).nanos());
    CHECK(Quantity::Parse("500m") == Quantity::FromMillis(500));
    CHECK(Quantity::Parse("2k").CeilUnits() == 2000);
    CHECK(Quantity::Parse("1Ki").CeilUnits() == 1024);
    CHECK(Quantity::Parse("1.5Gi").CeilUnits() == 1610612736);
    CHECK(Quantity::Parse("1E").CeilUnits() == 1000000000000000000);
    CHECK(Quantity::Parse("7Ei").CeilUnits() == 7 * (std::int64_t(1) << 60));
    CHECK(Quantity::Parse("100n").nanos() == 100);
    CHECK(Quantity::Parse("3u").nanos() == 3000);
  }

  TEST_CASE("exponent notation") {
    CHECK(Quantity::Parse("1e3").CeilUnits() == 1000);
    CHECK(Quantity::Parse("1E3").CeilUnits() == 1000);
    CHECK(Quantity::Parse("5e-3") == Quantity::FromMillis(5));
    CHECK(Quantity::Parse("12e+2").CeilUnits() == 1200);
  }

  TEST_CASE("zero at an exponent past any power of ten that fits (found by fuzzing under UBSan)") {
    CHECK(Quantity::Parse("0e30").nanos() == 0);
    CHECK(Quantity::Parse("000.000e999").nanos() == 0);
    CHECK(Quantity::Parse("-0e-999").nanos() == 0);
  }

  TEST_CASE("fractions without leading or trailing digits") {
    CHECK(Quantity::Parse(".5") == Quantity::FromMillis(500));
    CHECK(Quantity::Parse("1.") == Quantity::FromUnits(1));
    CHECK(Quantity::Parse("0.1") == Quantity::Parse("100m"));
  }

  TEST_CASE("values finer than a nano-unit round up, as Kubernetes does") {
    CHECK(Quantity::Parse("0.1n").nanos() == 1);
    CHECK(Quantity::Parse("1.5m").CeilMillis() == 2);
    CHECK(Quantity::Parse("100m").CeilUnits() == 1);
  }

  TEST_CASE("signs") {
    CHECK(Quantity::Parse("-1").nanos() < 0);
    CHECK(Quantity::Parse("+2") == Quantity::FromUnits(2));
  }

  TEST_CASE("compares by value whatever the notation") {
    CHECK(Quantity::Parse("1") == Quantity::Parse("1000m"));
    CHECK(Quantity::Parse("1Gi") > Quantity::Parse("1G"));
    CHECK(Quantity::Parse("999m") < Quantity::Parse("1"));
  }

  TEST_CASE("keeps the user's text and has a canonical one") {
    CHECK(Quantity::Parse("1.5Gi").ToString() == "1.5Gi");
    CHECK(Quantity::Parse("1.5Gi").CanonicalString() == "1536Mi");
    CHECK(Quantity::Parse("0.5").CanonicalString() == "500m");
    CHECK(Quantity::Parse("2000").CanonicalString() == "2k");
    CHECK(Quantity::FromUnits(3).ToString() == "3");
    CHECK(Quantity::FromUnits(0).ToString() == "0");
  }

  TEST_CASE("rejects what Kubernetes rejects, saying why") {
    for (const char* bad : {"", "abc", "1x", "1KI", "1 Gi", "--1", "1.2.3", "e3", "1e", "Gi"}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(Quantity::Parse(bad), InvalidQuantity);
    }
    CHECK_THROWS_WITH(Quantity::Parse("1x"), doctest::Contains("unknown suffix"));
  }

  TEST_CASE("rejects values outside Kubernetes' range instead of overflowing") {
    CHECK_THROWS_AS(Quantity::Parse("100000000000000000000000000000000"), InvalidQuantity);
    CHECK_THROWS_AS(Quantity::Parse("9Ei"), InvalidQuantity);
    CHECK_THROWS_AS(Quantity::Parse("1e999"), InvalidQuantity);
    CHECK_FALSE(Quantity::TryParse("1e999").has_value());
  }
}

}  // namespace spyt::api

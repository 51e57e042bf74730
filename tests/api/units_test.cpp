#include "api/units.h"

#include <doctest/doctest.h>

namespace spyt::api {

TEST_SUITE("units") {
  TEST_CASE("SPYT memory letters are binary, as Spark reads them") {
    CHECK(MemorySize::Parse("1G").mib() == 1024);
    CHECK(MemorySize::Parse("1g").mib() == 1024);
    CHECK(MemorySize::Parse("1024m").mib() == 1024);
    CHECK(MemorySize::Parse("1024M").mib() == 1024);
    CHECK(MemorySize::Parse("2gb").mib() == 2048);
    CHECK(MemorySize::Parse("1t").mib() == 1024 * 1024);
    CHECK(MemorySize::Parse("2048k").mib() == 2);
  }

  TEST_CASE("Kubernetes binary suffixes are accepted too") {
    CHECK(MemorySize::Parse("512Mi").mib() == 512);
    CHECK(MemorySize::Parse("6Gi") == MemorySize::Parse("6g"));
  }

  TEST_CASE("1024m is 1 GiB, not 1.024 as in a Kubernetes quantity") {
    CHECK(MemorySize::Parse("1024m").bytes() == 1073741824);
  }

  TEST_CASE("renders for Spark and for Kubernetes") {
    CHECK(MemorySize::Parse("1G").ToSparkString() == "1024m");
    CHECK(MemorySize::Parse("1G").ToQuantityString() == "1Gi");
    CHECK(MemorySize::Parse("1536m").ToQuantityString() == "1536Mi");
    CHECK(MemorySize::Parse("1G").ToString() == "1G");
  }

  TEST_CASE("arithmetic for container sizing") {
    MemorySize livy = MemorySize::FromMiB(1024) + MemorySize::Parse("1G") * 5;
    CHECK(livy.ToQuantityString() == "6Gi");
  }

  TEST_CASE("rejects sizes Spark cannot take") {
    for (const char* bad :
         {"", "G", "1", "1.5g", "1x", "1kbb", "-1g", "1 g", "1Ei", "2147483648m", "2048t"}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(MemorySize::Parse(bad), InvalidUnit);
    }
    CHECK_THROWS_WITH(MemorySize::Parse("1000k"), doctest::Contains("whole number of MiB"));
    CHECK_THROWS_WITH(MemorySize::Parse("4096"), doctest::Contains("needs a unit"));
  }

  TEST_CASE("zero is a size, positivity is validation's concern") {
    CHECK(MemorySize::Parse("0m").bytes() == 0);
  }

  TEST_CASE("huge numbers with large units do not overflow") {
    CHECK_THROWS_WITH(MemorySize::Parse("999999999p"), doctest::Contains("too large"));
    CHECK(MemorySize::Parse("999999999m").mib() == 999999999);
    CHECK_THROWS_WITH(MemorySize::Parse("1234567890123456789m"),
                      doctest::Contains("too many digits (at most 18)"));
  }

  TEST_CASE("a size's Spark form parses back to it, up to Spark's 2147483647m (found by fuzzing)") {
    const MemorySize big = MemorySize::Parse("1999999g");
    CHECK(big.ToSparkString() == "2047998976m");
    CHECK(MemorySize::Parse(big.ToSparkString()) == big);
    CHECK(MemorySize::Parse("2147483647m").mib() == 2147483647);
    CHECK_THROWS_WITH(MemorySize::Parse("9999999g"), doctest::Contains("Spark takes at most"));
  }

  TEST_CASE("a duration too long for 64 bits of milliseconds is refused") {
    CHECK_THROWS_WITH(Duration::Parse("999999999999999999h"), doctest::Contains("is too long"));
    CHECK(Duration::Parse("999999999999999999ms").millis() == 999999999999999999);
  }

  TEST_CASE("durations") {
    CHECK(Duration::Parse("10m").millis() == 600000);
    CHECK(Duration::Parse("600s") == Duration::Parse("10m"));
    CHECK(Duration::Parse("1h").millis() == 3600000);
    CHECK(Duration::Parse("250ms").millis() == 250);
    CHECK(Duration::Parse("600s").CanonicalString() == "10m");
    CHECK(Duration::Parse("90s").CanonicalString() == "90s");
    for (const char* bad : {"", "10", "10 m", "1d", "m", "1.5h", "10min"}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(Duration::Parse(bad), InvalidUnit);
    }
  }
}

}  // namespace spyt::api

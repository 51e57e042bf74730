#include "common/clock.h"

#include <doctest/doctest.h>

#include <stdexcept>

namespace spyt::runtime {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

system_clock::time_point At(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours(h) + minutes(mi) + seconds(s);
}

}  // namespace

TEST_SUITE("clock") {
  TEST_CASE("whole seconds are formatted in UTC with a Z") {
    CHECK(FormatRfc3339(At(2026, 11, 24, 1, 22, 29) + 123456us) == "2026-11-24T01:22:29Z");
  }

  TEST_CASE("the micro form always has six fractional digits") {
    CHECK(FormatRfc3339Micro(At(2026, 11, 24, 1, 22, 29) + 123456us) ==
          "2026-11-24T01:22:29.123456Z");
    CHECK(FormatRfc3339Micro(At(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05.000000Z");
  }

  TEST_CASE("a time before 1970 is formatted on the right day") {
    CHECK(FormatRfc3339Micro(At(1970, 1, 1, 0, 0, 0) - 500ms) == "1969-12-31T23:59:59.500000Z");
  }

  TEST_CASE("formatting and parsing round-trip to the microsecond") {
    auto t = At(2026, 11, 24, 1, 22, 29) + 123456us;
    CHECK(ParseRfc3339(FormatRfc3339Micro(t)) == t);
    CHECK(ParseRfc3339(FormatRfc3339(t)) == At(2026, 11, 24, 1, 22, 29));
  }

  TEST_CASE("offsets are converted to UTC") {
    CHECK(ParseRfc3339("2026-11-24T04:22:29+03:00") == At(2026, 11, 24, 1, 22, 29));
    CHECK(ParseRfc3339("2026-11-23T23:52:29-01:30") == At(2026, 11, 24, 1, 22, 29));
  }

  TEST_CASE("fractions of any length are read, beyond nanoseconds truncated") {
    auto base = At(2026, 11, 24, 1, 22, 29);
    CHECK(ParseRfc3339("2026-11-24T01:22:29.5Z") == base + 500ms);
    CHECK(ParseRfc3339("2026-11-24T01:22:29.123456789Z") ==
          base + std::chrono::duration_cast<system_clock::duration>(123456789ns));
    CHECK(ParseRfc3339("2026-11-24T01:22:29.1234567891Z") ==
          base + std::chrono::duration_cast<system_clock::duration>(123456789ns));
  }

  TEST_CASE("lower-case t and z are accepted, as RFC 3339 allows") {
    CHECK(ParseRfc3339("2026-11-24t01:22:29z") == At(2026, 11, 24, 1, 22, 29));
  }

  TEST_CASE("malformed times throw invalid_argument quoting the text") {
    for (const char* bad :
         {"", "2026-11-24", "2026-11-24T01:22:29", "2026-11-24 01:22:29Z", "26-11-24T01:22:29Z",
          "2026-13-24T01:22:29Z", "2026-02-30T01:22:29Z", "2026-11-24T24:00:00Z",
          "2026-11-24T01:60:00Z", "2026-11-24T01:22:29.Z", "2026-11-24T01:22:29+0300",
          "2026-11-24T01:22:29Zjunk", "2026-11-24T01:22:29+24:00", "x026-11-24T01:22:29Z"}) {
      CAPTURE(bad);
      try {
        ParseRfc3339(bad);
        FAIL("accepted");
      } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find(std::string("\"") + bad + "\"") != std::string::npos);
      }
    }
  }

  TEST_CASE("the real clock's WaitUntil returns false at the deadline") {
    std::mutex mutex;
    std::condition_variable cv;
    std::unique_lock lock(mutex);
    Clock& clock = RealClock();
    CHECK_FALSE(clock.WaitUntil(cv, lock, clock.Now() + 1ms, [] { return false; }));
  }

  TEST_CASE("the real clock's WaitUntil returns true at once when the predicate holds") {
    std::mutex mutex;
    std::condition_variable cv;
    std::unique_lock lock(mutex);
    Clock& clock = RealClock();
    CHECK(clock.WaitUntil(cv, lock, clock.Now() + 1h, [] { return true; }));
  }
}

}  // namespace spyt::runtime

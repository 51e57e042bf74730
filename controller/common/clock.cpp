#include "common/clock.h"

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace spyt {
namespace {

class SystemClock : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point WallNow() const override {
    return std::chrono::system_clock::now();
  }
  bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline, const std::function<bool()>& pred) override {
    return cv.wait_until(lock, deadline, pred);
  }
  void SleepFor(Duration d) override {
    if (d > Duration::zero()) std::this_thread::sleep_for(d);
  }
};

using std::chrono::system_clock;
using Micros = std::chrono::microseconds;

std::string FormatWithFraction(system_clock::time_point t, bool micro) {
  auto us = std::chrono::floor<Micros>(t);
  auto day = std::chrono::floor<std::chrono::days>(us);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss<Micros> hms{us - day};
  char buf[64];
  int n =
      std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                    static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                    static_cast<int>(hms.seconds().count()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (micro) {
    std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(hms.subseconds().count()));
    out += buf;
  }
  return out + "Z";
}

// A cursor over the text being parsed; every failure names the whole input.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  [[noreturn]] void Fail(const char* what) const {
    throw std::invalid_argument("invalid RFC 3339 time \"" + std::string(text_) + "\": " + what);
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  int Digits(int count, const char* what) {
    int value = 0;
    for (int i = 0; i < count; ++i) {
      char c = Peek();
      if (c < '0' || c > '9') {
        Fail(what);
      }
      value = value * 10 + (c - '0');
      ++pos_;
    }
    return value;
  }

  void Expect(char c, const char* what) {
    if (Peek() != c) {
      Fail(what);
    }
    ++pos_;
  }

  void ExpectOneOf(char a, char b, const char* what) {
    if (Peek() != a && Peek() != b) {
      Fail(what);
    }
    ++pos_;
  }

  // ".123456789" -> nanoseconds; digits beyond nanoseconds are truncated.
  std::int64_t Fraction() {
    ++pos_;  // '.'
    std::int64_t nanos = 0;
    int digits = 0;
    while (Peek() >= '0' && Peek() <= '9') {
      if (digits < 9) {
        nanos = nanos * 10 + (Peek() - '0');
      }
      ++digits;
      ++pos_;
    }
    if (digits == 0) {
      Fail("a '.' must be followed by digits");
    }
    for (int i = digits; i < 9; ++i) {
      nanos *= 10;
    }
    return nanos;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

void Clock::SleepFor(Duration d) {
  if (d <= Duration::zero()) return;
  std::mutex mutex;
  std::condition_variable cv;
  std::unique_lock lock(mutex);
  WaitUntil(cv, lock, Now() + d, [] { return false; });
}

Clock& RealClock() {
  static SystemClock clock;
  return clock;
}

std::string FormatRfc3339(system_clock::time_point t) { return FormatWithFraction(t, false); }

std::string FormatRfc3339Micro(system_clock::time_point t) { return FormatWithFraction(t, true); }

system_clock::time_point ParseRfc3339(const std::string& text) {
  Parser p(text);
  int year = p.Digits(4, "expected a four-digit year");
  p.Expect('-', "expected '-' after the year");
  int month = p.Digits(2, "expected a two-digit month");
  p.Expect('-', "expected '-' after the month");
  int day = p.Digits(2, "expected a two-digit day");
  p.ExpectOneOf('T', 't', "expected 'T' between date and time");
  int hour = p.Digits(2, "expected two-digit hours");
  p.Expect(':', "expected ':' after the hours");
  int minute = p.Digits(2, "expected two-digit minutes");
  p.Expect(':', "expected ':' after the minutes");
  int second = p.Digits(2, "expected two-digit seconds");
  std::int64_t nanos = p.Peek() == '.' ? p.Fraction() : 0;

  int offset_minutes = 0;
  if (p.Peek() == 'Z' || p.Peek() == 'z') {
    p.ExpectOneOf('Z', 'z', "expected a time zone");
  } else if (p.Peek() == '+' || p.Peek() == '-') {
    int sign = p.Peek() == '-' ? -1 : 1;
    p.ExpectOneOf('+', '-', "expected a time zone");
    int oh = p.Digits(2, "expected two-digit offset hours");
    p.Expect(':', "expected ':' in the offset");
    int om = p.Digits(2, "expected two-digit offset minutes");
    if (oh > 23 || om > 59) {
      p.Fail("offset out of range");
    }
    offset_minutes = sign * (oh * 60 + om);
  } else {
    p.Fail("expected 'Z' or an offset such as +03:00");
  }
  if (!p.AtEnd()) {
    p.Fail("unexpected text after the time zone");
  }

  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                  std::chrono::day(day)};
  if (!ymd.ok()) {
    p.Fail("no such date");
  }
  // Second 60 (a leap second) is accepted by RFC 3339; it folds into the next minute.
  if (hour > 23 || minute > 59 || second > 60) {
    p.Fail("time of day out of range");
  }
  auto t = std::chrono::sys_days(ymd) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
           std::chrono::seconds(second) - std::chrono::minutes(offset_minutes);
  return std::chrono::time_point_cast<system_clock::duration>(t) +
         std::chrono::duration_cast<system_clock::duration>(std::chrono::nanoseconds(nanos));
}

}  // namespace spyt

#include "api/quantity.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace spyt::api {
namespace {

using Nanos = Quantity::Nanos;

// 2^63 units in nanos: anything larger is out of Kubernetes' range too.
constexpr Nanos kMaxNanos = Nanos(INT64_MAX) * 1000000000;

Nanos Pow(Nanos base, int exp) {
  Nanos r = 1;
  for (int i = 0; i < exp; ++i) r *= base;
  return r;
}

[[noreturn]] void Fail(std::string_view text, const std::string& why) {
  throw InvalidQuantity("quantity \"" + std::string(text) + "\" " + why);
}

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

std::string ToDecimal(Nanos v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  if (negative) v = -v;
  std::string s;
  while (v > 0) {
    s += static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  if (negative) s += '-';
  std::reverse(s.begin(), s.end());
  return s;
}

}  // namespace

Quantity Quantity::Parse(std::string_view text) {
  if (text.empty()) Fail(text, "is empty");
  std::size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') {
    negative = text[i] == '-';
    ++i;
  }
  std::string int_digits, frac_digits;
  while (i < text.size() && IsDigit(text[i])) int_digits += text[i++];
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && IsDigit(text[i])) frac_digits += text[i++];
  }
  if (int_digits.empty() && frac_digits.empty()) Fail(text, "must start with a number");

  std::string_view suffix = text.substr(i);
  // Scale = 10^dec_exp * 2^bin_exp.
  int dec_exp = 0, bin_exp = 0;
  static constexpr std::array<std::pair<std::string_view, int>, 6> kBinary = {
      {{"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}, {"Ei", 60}}};
  static constexpr std::array<std::pair<std::string_view, int>, 9> kDecimal = {{{"n", -9},
                                                                                {"u", -6},
                                                                                {"m", -3},
                                                                                {"", 0},
                                                                                {"k", 3},
                                                                                {"M", 6},
                                                                                {"G", 9},
                                                                                {"T", 12},
                                                                                {"P", 15}}};
  bool matched = false;
  for (auto [s, e] : kBinary) {
    if (suffix == s) bin_exp = e, matched = true;
  }
  for (auto [s, e] : kDecimal) {
    if (suffix == s) dec_exp = e, matched = true;
  }
  if (suffix == "E") dec_exp = 18, matched = true;
  if (!matched && (suffix.front() == 'e' || suffix.front() == 'E')) {
    std::string_view exp = suffix.substr(1);
    bool exp_negative = false;
    if (!exp.empty() && (exp.front() == '+' || exp.front() == '-')) {
      exp_negative = exp.front() == '-';
      exp.remove_prefix(1);
    }
    if (exp.empty() || exp.size() > 3 ||
        !std::all_of(exp.begin(), exp.end(), [](char c) { return IsDigit(c); })) {
      Fail(text, "has a malformed exponent");
    }
    dec_exp = std::stoi(std::string(exp)) * (exp_negative ? -1 : 1);
    matched = true;
  }
  if (!matched) {
    Fail(text, "has an unknown suffix \"" + std::string(suffix) +
                   "\" (use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent)");
  }

  // mantissa = all digits as an integer; value = mantissa * 10^(dec_exp - frac) * 2^bin.
  std::string digits = int_digits + frac_digits;
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  int exp10 = dec_exp - static_cast<int>(frac_digits.size()) + 9;  // in nanos
  if (digits.size() > 30 || (!digits.empty() && static_cast<int>(digits.size()) + exp10 > 30)) {
    Fail(text, "is too large");
  }
  Nanos mantissa = 0;
  for (char c : digits) mantissa = mantissa * 10 + (c - '0');
  Nanos value;
  if (digits.empty()) {
    value = 0;  // zero at any exponent ("0e999" too): no power of ten to take
  } else if (exp10 >= 0) {
    value = mantissa * Pow(10, exp10);
  } else {
    Nanos div = exp10 < -38 ? 0 : Pow(10, -exp10);
    value = div == 0 ? (mantissa > 0 ? 1 : 0) : (mantissa + div - 1) / div;  // round up
  }
  if (value != 0 && bin_exp > 0) {
    if (value > kMaxNanos >> bin_exp) Fail(text, "is too large");
    value <<= bin_exp;
  }
  if (value > kMaxNanos) Fail(text, "is too large");
  Quantity q(negative ? -value : value);
  q.text_ = std::string(text);
  return q;
}

std::optional<Quantity> Quantity::TryParse(std::string_view text) noexcept {
  try {
    return Parse(text);
  } catch (const InvalidQuantity&) {
    return std::nullopt;
  }
}

std::int64_t Quantity::CeilUnits() const {
  Nanos q = nanos_ / kNano;
  if (nanos_ % kNano > 0) ++q;
  return static_cast<std::int64_t>(q);
}

std::int64_t Quantity::CeilMillis() const {
  Nanos q = nanos_ / 1000000;
  if (nanos_ % 1000000 > 0) ++q;
  return static_cast<std::int64_t>(q);
}

std::string Quantity::ToString() const { return text_.empty() ? CanonicalString() : text_; }

std::string Quantity::CanonicalString() const {
  Nanos v = nanos_;
  if (v == 0) return "0";
  if (v % kNano == 0) {
    Nanos units = v / kNano;
    Nanos abs_units = units < 0 ? -units : units;
    static constexpr std::array<std::pair<const char*, int>, 6> kBinary = {
        {{"Ei", 60}, {"Pi", 50}, {"Ti", 40}, {"Gi", 30}, {"Mi", 20}, {"Ki", 10}}};
    for (auto [s, e] : kBinary) {
      Nanos unit = Nanos(1) << e;
      if (abs_units >= unit && abs_units % unit == 0) return ToDecimal(units / unit) + s;
    }
  }
  static constexpr std::array<std::pair<const char*, int>, 10> kDecimal = {{{"E", 27},
                                                                            {"P", 24},
                                                                            {"T", 21},
                                                                            {"G", 18},
                                                                            {"M", 15},
                                                                            {"k", 12},
                                                                            {"", 9},
                                                                            {"m", 6},
                                                                            {"u", 3},
                                                                            {"n", 0}}};
  for (auto [s, e] : kDecimal) {
    Nanos unit = Pow(10, e);
    if (v % unit == 0) return ToDecimal(v / unit) + s;
  }
  return ToDecimal(v) + "n";
}

}  // namespace spyt::api

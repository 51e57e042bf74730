// Kubernetes quantities and SPYT's sizes and durations. Properties: bad text is
// the type's typed error; a parsed value prints to text that parses back to
// the same value, exactly (both the text it keeps and its canonical form).
// The input is one notation per line: the first byte of a line picks the
// parser (q: quantity, m: memory size, d: duration), the rest is the text.

#include <initializer_list>
#include <string>

#include "api/quantity.h"
#include "api/units.h"
#include "fuzz/fuzz_check.h"

namespace {

using spyt::fuzz::Check;

void CheckQuantity(std::string_view text, std::string_view input) {
  auto q = spyt::api::Quantity::TryParse(text);
  bool threw = false;
  try {
    spyt::api::Quantity::Parse(text);
  } catch (const spyt::api::InvalidQuantity&) {
    threw = true;
  }
  Check(threw == !q.has_value(), "Parse and TryParse disagree on \"" + std::string(text) + "\"",
        input);
  if (!q) {
    return;
  }
  for (const std::string& form : {q->ToString(), q->CanonicalString()}) {
    auto back = spyt::api::Quantity::TryParse(form);
    Check(back.has_value() && *back == *q,
          "quantity \"" + std::string(text) + "\" prints as \"" + form + "\", which differs",
          input);
  }
}

// Each printed form of `value` (a MemorySize or Duration) parses back to it.
template <typename T>
void CheckPrintsBack(const T& value, std::initializer_list<std::string> forms, const char* what,
                     std::string_view text, std::string_view input) {
  for (const std::string& form : forms) {
    T back;
    try {
      back = T::Parse(form);
    } catch (const spyt::api::InvalidUnit& e) {
      spyt::fuzz::Fail(std::string(what) + " \"" + std::string(text) + "\" prints as \"" + form +
                           "\", which does not parse: " + e.what(),
                       input);
    }
    Check(back == value,
          std::string(what) + " \"" + std::string(text) + "\" prints as \"" + form +
              "\", which differs",
          input);
  }
}

void CheckMemory(std::string_view text, std::string_view input) {
  spyt::api::MemorySize m;
  try {
    m = spyt::api::MemorySize::Parse(text);
  } catch (const spyt::api::InvalidUnit&) {
    return;
  }
  CheckPrintsBack(m, {m.ToString(), m.ToSparkString(), m.ToQuantityString()}, "size", text, input);
  auto as_quantity = spyt::api::Quantity::TryParse(m.ToQuantityString());
  Check(as_quantity && as_quantity->CeilUnits() == static_cast<std::int64_t>(m.bytes()),
        "size \"" + std::string(text) + "\" is not its bytes as a Kubernetes quantity", input);
}

void CheckDuration(std::string_view text, std::string_view input) {
  spyt::api::Duration d;
  try {
    d = spyt::api::Duration::Parse(text);
  } catch (const spyt::api::InvalidUnit&) {
    return;
  }
  CheckPrintsBack(d, {d.ToString(), d.CanonicalString()}, "duration", text, input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = spyt::fuzz::AsText(data, size);
  std::size_t start = 0;
  while (start < input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) {
      end = input.size();
    }
    std::string_view line = input.substr(start, end - start);
    start = end + 1;
    if (line.empty()) {
      continue;
    }
    std::string_view text = line.substr(1);
    switch (line[0]) {
      case 'q':
        CheckQuantity(text, input);
        break;
      case 'm':
        CheckMemory(text, input);
        break;
      case 'd':
        CheckDuration(text, input);
        break;
      default:
        break;
    }
  }
  return 0;
}

#pragma once

// Exhaustive small inputs for tests that hold a hand-written matcher against a
// reference pattern. Header-only; no state.

#include <string>
#include <string_view>
#include <vector>

namespace spyt::testing {

// Every string of up to `max_len` characters from `alphabet`, shortest first
// (the empty string included): sum of |alphabet|^k for k = 0..max_len strings.
inline std::vector<std::string> AllStrings(std::string_view alphabet, std::size_t max_len) {
  std::vector<std::string> out = {""};
  for (std::size_t from = 0, len = 1; len <= max_len; ++len) {
    const std::size_t to = out.size();
    for (std::size_t i = from; i < to; ++i) {
      for (char c : alphabet) out.push_back(out[i] + c);
    }
    from = to;
  }
  return out;
}

}  // namespace spyt::testing

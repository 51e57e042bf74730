#pragma once

// What the fuzz targets share. A target asserts properties with Check(): a
// failed one prints what broke and aborts, which libFuzzer reports as a crash
// and the corpus replay (replay_main.cpp) as a failed test. An exception that
// escapes a target is a crash too: every parser here promises typed errors, so
// a target catches exactly those types and lets anything else through.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace spyt::fuzz {

[[noreturn]] inline void Fail(const std::string& what, std::string_view input) {
  std::fprintf(stderr, "property violated: %s\ninput (%zu bytes): %.*s\n", what.c_str(),
               input.size(), static_cast<int>(input.size() > 2000 ? 2000 : input.size()),
               input.data());
  std::abort();
}

inline void Check(bool ok, const std::string& what, std::string_view input) {
  if (!ok) {
    Fail(what, input);
  }
}

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace spyt::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

#pragma once

// Golden-file comparison shared by the tests of built objects and rendered files.
// With SPYT_UPDATE_GOLDEN=1 in the environment it writes the file instead (see
// tests/golden/README.md); review the diff before committing.

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "test_files.h"

namespace spyt::testing {

// `relative` is from the repository root, e.g. "tests/golden/livy.yaml".
inline void CheckGolden(const std::string& relative, const std::string& actual) {
  const auto path = SourcePath(relative);
  const char* update = std::getenv("SPYT_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path) << actual;
    MESSAGE("wrote " << path.string());
    return;
  }
  const std::string expected = ReadText(path);
  REQUIRE_MESSAGE(!expected.empty(), path.string() << " is missing: run with SPYT_UPDATE_GOLDEN=1");
  CHECK(actual == expected);
}

}  // namespace spyt::testing

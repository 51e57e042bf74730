#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

#include "common/log.h"

// The code under test logs what it does; tests keep stderr for failures unless
// SPYT_TEST_LOG=debug|info|... asks for the operator's log too.
int main(int argc, char** argv) {
  const char* level = std::getenv("SPYT_TEST_LOG");
  spyt::log::Configure(level ? spyt::log::ParseLevel(level) : spyt::log::Level::kError,
                       spyt::log::Format::kText);
  doctest::Context context(argc, argv);
  return context.run();
}

#include "common/hash.h"

#include <doctest/doctest.h>

namespace spyt::hash {

TEST_SUITE("hash") {
  TEST_CASE("FNV-1a 64 matches the published test vectors") {
    CHECK(Fnv1a64("") == 0xcbf29ce484222325ULL);
    CHECK(Fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(Fnv1a64("foobar") == 0x85944171f73967e8ULL);
  }

  TEST_CASE("the hex form is 16 lower-case digits, zero-padded") {
    CHECK(Fnv1a64Hex("") == "cbf29ce484222325");
    CHECK(Fnv1a64Hex("foobar") == "85944171f73967e8");
    CHECK(Fnv1a64Hex("a").size() == 16);
  }
}

}  // namespace spyt::hash

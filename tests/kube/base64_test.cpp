#include "kube/base64.h"

#include <doctest/doctest.h>

namespace spyt::kube {

TEST_SUITE("kube.base64") {
  TEST_CASE("encoding pads to a multiple of four characters") {
    CHECK(EncodeBase64("") == "");
    CHECK(EncodeBase64("f") == "Zg==");
    CHECK(EncodeBase64("fo") == "Zm8=");
    CHECK(EncodeBase64("foo") == "Zm9v");
    CHECK(EncodeBase64("foobar") == "Zm9vYmFy");
  }

  TEST_CASE("decoding reverses encoding for every byte value") {
    std::string all;
    for (int i = 0; i < 256; ++i) {
      all += static_cast<char>(i);
    }
    for (size_t n = 0; n <= all.size(); n += 37) {
      CHECK(DecodeBase64(EncodeBase64(all.substr(0, n))) == all.substr(0, n));
    }
  }

  TEST_CASE("decoding skips line breaks and spaces") {
    CHECK(DecodeBase64("Zm9v\nYmFy\r\n ") == "foobar");
  }

  TEST_CASE("decoding accepts missing padding") {
    CHECK(DecodeBase64("Zg") == "f");
    CHECK(DecodeBase64("Zm8") == "fo");
  }

  TEST_CASE("decoding rejects characters outside the standard alphabet") {
    CHECK_THROWS_AS(DecodeBase64("Zm9v!"), std::invalid_argument);
    CHECK_THROWS_AS(DecodeBase64("Zm9-"), std::invalid_argument);
  }

  TEST_CASE("decoding rejects data after padding and a dangling character") {
    CHECK_THROWS_AS(DecodeBase64("Zg==Zg=="), std::invalid_argument);
    CHECK_THROWS_AS(DecodeBase64("Zm9vY"), std::invalid_argument);
    CHECK_THROWS_AS(DecodeBase64("Zg==="), std::invalid_argument);
  }
}

}  // namespace spyt::kube

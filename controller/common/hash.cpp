#include "common/hash.h"

namespace spyt::hash {

std::uint64_t Fnv1a64(std::string_view data) {
  constexpr std::uint64_t kOffsetBasis = 0xcbf29ce484222325ULL;
  constexpr std::uint64_t kPrime = 0x100000001b3ULL;
  std::uint64_t h = kOffsetBasis;
  for (unsigned char c : data) {
    h ^= c;
    h *= kPrime;
  }
  return h;
}

std::string Fnv1a64Hex(std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::uint64_t h = Fnv1a64(data);
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kDigits[h & 0xf];
    h >>= 4;
  }
  return out;
}

}  // namespace spyt::hash

#pragma once

// UTF-8 as JSON (RFC 8259) and YAML 1.2 require it: readers refuse text that is not
// UTF-8, writers coerce to it. A valid sequence is the shortest encoding of a code
// point up to U+10FFFF that is not a surrogate (no overlong forms, no CESU-8).
// Pure functions; thread-safe.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace spyt::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point that starts at text[i] and advances i past it. Returns
// nullopt and leaves i unchanged when the bytes there are not valid UTF-8.
// Precondition: i < text.size().
std::optional<char32_t> Next(std::string_view text, std::size_t& i);

// The offset of the first byte that does not start a valid sequence; nullopt when the
// whole text is UTF-8.
std::optional<std::size_t> FirstInvalid(std::string_view text);

// Appends the UTF-8 encoding of cp (a code point that is not a surrogate).
void Append(std::string& out, char32_t cp);

// The text with every byte that does not start a valid sequence replaced by U+FFFD,
// as Go's encoding/json writes strings.
std::string Coerce(std::string_view text);

}  // namespace spyt::utf8

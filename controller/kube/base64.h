#pragma once

// Standard base64 (RFC 4648, "+/" alphabet, "=" padding), as kubeconfig's *-data
// fields and Secret data use it.

#include <stdexcept>
#include <string>
#include <string_view>

namespace spyt::kube {

std::string EncodeBase64(std::string_view bytes);

// Whitespace (line breaks in pasted PEM data) is skipped; padding may be left out.
// Throws std::invalid_argument on any other character outside the alphabet, on
// misplaced padding and on a dangling last character.
std::string DecodeBase64(std::string_view text);

}  // namespace spyt::kube

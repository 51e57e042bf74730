#pragma once

// Interval flags shared by `run` and `local`: "30s", "500ms", "1m", or "0" to turn
// the thing off. Errors name the flag.

#include <chrono>
#include <string>

namespace spyt::cli {

std::chrono::milliseconds ParseInterval(const std::string& flag, const std::string& text,
                                        bool zero_turns_off);

}  // namespace spyt::cli

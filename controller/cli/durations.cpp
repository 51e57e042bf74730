#include "cli/durations.h"

#include <stdexcept>

#include "api/units.h"

namespace spyt::cli {

std::chrono::milliseconds ParseInterval(const std::string& flag, const std::string& text,
                                        bool zero_turns_off) {
  if (zero_turns_off && text == "0") return std::chrono::milliseconds(0);
  try {
    auto ms = api::Duration::Parse(text).millis();
    if (ms <= 0) throw std::invalid_argument("must be positive");
    return std::chrono::milliseconds(ms);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("--" + flag + ": " + e.what() +
                                (zero_turns_off ? " (\"0\" turns it off)" : ""));
  }
}

}  // namespace spyt::cli

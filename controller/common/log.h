#pragma once

// Structured logging to stderr, as text ("level=info msg=... key=value") or one
// JSON object per line. Thread-safe; configured once at start-up by flags.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace spyt::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kText, kJson };

// Throws std::invalid_argument for an unknown name ("debug", "info", "warn", "error"; "text",
// "json").
Level ParseLevel(std::string_view name);
Format ParseFormat(std::string_view name);

void Configure(Level level, Format format);
bool Enabled(Level level);

using Field = std::pair<std::string_view, std::string>;
using Fields = std::initializer_list<Field>;

void Write(Level level, std::string_view message, Fields fields = {});

inline void Debug(std::string_view m, Fields f = {}) { Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, Fields f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, Fields f = {}) { Write(Level::kWarn, m, f); }
inline void Error(std::string_view m, Fields f = {}) { Write(Level::kError, m, f); }

}  // namespace spyt::log

#pragma once

// Reading the logs of drivers and batches (files their processes append to).
// Thread-safe: every call opens the file afresh.

#include <cstddef>
#include <string>
#include <vector>

namespace spyt::livy_server {

// The last `max_bytes` of the file ("" when it does not exist).
std::string ReadTail(const std::string& path, std::size_t max_bytes);

// The file's lines (of its last 8 MiB), without their newlines.
std::vector<std::string> ReadLines(const std::string& path);

// Livy's paging of a log: `size` lines (default 100; negative: all) from
// `from` (absent or negative: the last `size` lines). A `from` past the end is
// echoed with no lines.
struct LogPage {
  long from = 0;
  std::size_t total = 0;
  std::vector<std::string> lines;
};
LogPage PageOf(const std::vector<std::string>& lines, long from, long size);

// The last `n` lines of the file, as a session's or batch's JSON shows them.
std::vector<std::string> LogTail(const std::string& path, std::size_t n = 10);

}  // namespace spyt::livy_server

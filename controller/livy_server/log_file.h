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

// Livy's paging of a log: `from` (default: the last `size` lines), `size`
// (default 100). Returns the first line's index and the lines.
struct LogPage {
  std::size_t from = 0;
  std::size_t total = 0;
  std::vector<std::string> lines;
};
LogPage PageOf(const std::vector<std::string>& lines, long from, long size);

}  // namespace spyt::livy_server

#include "livy_server/log_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace spyt::livy_server {

std::string ReadTail(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff start = size > static_cast<std::streamoff>(max_bytes)
                                   ? size - static_cast<std::streamoff>(max_bytes)
                                   : 0;
  in.seekg(start);
  std::string out(static_cast<std::size_t>(size - start), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::istringstream in(ReadTail(path, 8u << 20));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

LogPage PageOf(const std::vector<std::string>& lines, long from, long size) {
  LogPage page;
  page.total = lines.size();
  const long total = static_cast<long>(lines.size());
  if (size < 0) {
    from = 0;
    size = total;
  } else if (from < 0) {
    from = std::max(0L, total - size);
  }
  page.from = from;
  const long start = std::min(from, total);
  const long until = size > total - start ? total : start + size;  // size may be huge
  if (until > start) page.lines.assign(lines.begin() + start, lines.begin() + until);
  return page;
}

std::vector<std::string> LogTail(const std::string& path, std::size_t n) {
  std::vector<std::string> lines = ReadLines(path);
  if (lines.size() > n) lines.erase(lines.begin(), lines.end() - static_cast<long>(n));
  return lines;
}

}  // namespace spyt::livy_server

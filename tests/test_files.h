#pragma once

// Helpers for tests that read the repository's own files (examples, corpus, CRD).

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace spyt::testing {

inline std::filesystem::path SourcePath(const std::string& relative) {
  return std::filesystem::path(SPYT_SOURCE_DIR) / relative;
}

inline std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Sorted *.yaml files of a repository directory.
inline std::vector<std::filesystem::path> YamlFiles(const std::string& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(SourcePath(dir))) {
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace spyt::testing

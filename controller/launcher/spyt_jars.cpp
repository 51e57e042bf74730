#include "launcher/spyt_jars.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <stdexcept>

namespace spyt::launcher {
namespace {

namespace fs = std::filesystem;

// Artifact names (tech.ytsaurus.spyt-<name>-<version>.jar) left out of drivers.
constexpr std::array<const char*, 3> kClusterTooling = {"spyt-patch-agent", "spark-submit",
                                                        "spark-cluster"};

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsClusterTooling(const std::string& name) {
  return std::any_of(kClusterTooling.begin(), kClusterTooling.end(), [&](const char* artifact) {
    return name.rfind(std::string("tech.ytsaurus.spyt-") + artifact + "-", 0) == 0;
  });
}

}  // namespace

std::vector<std::string> SpytDriverJars(const std::vector<std::string>& file_names) {
  std::vector<std::string> jars;
  for (const auto& name : file_names) {
    if (EndsWith(name, ".jar") && name != ".jar" && !IsClusterTooling(name)) jars.push_back(name);
  }
  std::sort(jars.begin(), jars.end());
  return jars;
}

std::vector<std::string> ReadSpytJars(const std::string& home) {
  const fs::path dir = fs::absolute(fs::path(home) / "jars");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw std::runtime_error("--spyt-home: " + dir.string() +
                             " is not a directory (SPYT_HOME is the spyt package of a "
                             "ytsaurus-spyt wheel)");
  }
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
  }
  std::vector<std::string> paths;
  for (const auto& name : SpytDriverJars(names)) paths.push_back((dir / name).string());
  if (paths.empty()) throw std::runtime_error("--spyt-home: " + dir.string() + " holds no jar");
  return paths;
}

}  // namespace spyt::launcher

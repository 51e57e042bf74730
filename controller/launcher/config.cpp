#include "launcher/config.h"

#include <algorithm>
#include <filesystem>

namespace spyt::launcher {
namespace {

std::string_view Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\f\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\f\r");
  return s.substr(first, last - first + 1);
}

bool EndsWithOddBackslashes(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && line[line.size() - 1 - n] == '\\') ++n;
  return n % 2 == 1;
}

// Logical lines: comments and blanks dropped, continuations joined.
std::vector<std::string> LogicalLines(std::string_view text) {
  std::vector<std::string> out;
  std::string pending;
  bool continuing = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (!continuing && (line.empty() || line[0] == '#' || line[0] == '!')) continue;
    continuing = EndsWithOddBackslashes(line);
    if (continuing) line.remove_suffix(1);
    pending += line;
    if (!continuing) {
      out.push_back(std::move(pending));
      pending.clear();
    }
  }
  if (!pending.empty()) out.push_back(std::move(pending));
  return out;
}

std::pair<std::string, std::string> SplitKeyValue(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] != '=' && line[i] != ':' && line[i] != ' ' && line[i] != '\t' &&
         line[i] != '\f') {
    i += line[i] == '\\' ? 2 : 1;
  }
  i = std::min(i, line.size());
  std::string key(line.substr(0, i));
  std::string_view rest = Trim(line.substr(i));
  if (!rest.empty() && (rest[0] == '=' || rest[0] == ':')) rest = Trim(rest.substr(1));
  return {std::move(key), std::string(rest)};
}

std::string Render(const std::string& header, const Settings& settings, const char* separator) {
  std::string out = header;
  for (const auto& [key, value] : settings) out += key + separator + value + "\n";
  return out;
}

std::string Path(const std::string& dir, const char* name) {
  return (std::filesystem::path(dir) / name).string();
}

}  // namespace

Settings ParseProperties(std::string_view text) {
  Settings out;
  for (const auto& line : LogicalLines(text)) out.push_back(SplitKeyValue(line));
  return out;
}

Settings Merge(Settings base, const Settings& overrides) {
  for (const auto& [key, value] : overrides) {
    auto it =
        std::find_if(base.begin(), base.end(), [&](const auto& kv) { return kv.first == key; });
    if (it != base.end()) {
      it->second = value;
    } else {
      base.emplace_back(key, value);
    }
  }
  return base;
}

Settings RoleSparkSettings(const LaunchContext& ctx) {
  const Flags& f = ctx.flags;
  switch (f.role) {
    case Role::kMaster:
      if (!f.rest_port) return {};
      return {{"spark.master.rest.enabled", "true"},
              {"spark.master.rest.port", std::to_string(*f.rest_port)}};
    case Role::kWorker:
      return {};
    case Role::kHistory:
      return {{"spark.history.fs.logDirectory", f.log_directory},
              {"spark.history.ui.port", std::to_string(f.port)}};
    case Role::kLivy:
      // For the drivers of sessions and batches: they run in client mode inside
      // the Livy container, reachable at its address, sized as SPYT sizes them.
      return {{"spark.master", f.master.url},
              {"spark.submit.deployMode", "client"},
              {"spark.driver.host", f.host},
              {"spark.driver.cores", std::to_string(f.driver_cores)},
              {"spark.driver.memory", f.driver_memory.ToSparkString()}};
  }
  return {};
}

std::string RenderSparkDefaults(const LaunchContext& ctx) {
  const auto& f = ctx.flags;
  std::string header =
      std::string("# Written by spyt-launcher ") + RoleName(f.role) + " from " +
      (f.conf_dir.empty() ? std::string("its flags")
                          : Path(f.conf_dir, "spark-defaults.conf") + " and its flags") +
      ".\n";
  return Render(header, Merge(ParseProperties(ctx.base_spark_defaults), RoleSparkSettings(ctx)),
                " ");
}

std::vector<ConfigFile> RenderConfigFiles(const LaunchContext& ctx) {
  const Layout& l = ctx.layout;
  std::vector<ConfigFile> files = {
      {Path(l.spark_conf_dir, "spark-defaults.conf"), RenderSparkDefaults(ctx)}};
  return files;
}

}  // namespace spyt::launcher

#include "config/locator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <tuple>

#include "config/errors.hpp"
#include "config/yaml_reader.hpp"

// Both come from CMake (CMakeLists.txt): the configs/ of the source tree, and the shipped configs'
// place relative to the installed executable's folder (bin/ -> share/h2sim/configs).
#ifndef H2SIM_SOURCE_CONFIGS_DIR
#error "H2SIM_SOURCE_CONFIGS_DIR must be defined by the build"
#endif
#ifndef H2SIM_INSTALLED_CONFIGS_FROM_BIN
#error "H2SIM_INSTALLED_CONFIGS_FROM_BIN must be defined by the build"
#endif

namespace h2sim {

namespace fs = std::filesystem;

std::string config_folder(ConfigKind kind) {
  switch (kind) {
    case ConfigKind::hardware: return "hardware";
    case ConfigKind::model: return "models";
    case ConfigKind::scenario: return "scenarios";
    case ConfigKind::dram: return "dram";
    case ConfigKind::energy: return "energy";
    case ConfigKind::experiment: return "experiments";
  }
  throw InternalError("config_folder: unknown kind");
}

std::string config_noun(ConfigKind kind) {
  switch (kind) {
    case ConfigKind::hardware: return "hardware config";
    case ConfigKind::model: return "model";
    case ConfigKind::scenario: return "scenario";
    case ConfigKind::dram: return "DRAM standard";
    case ConfigKind::energy: return "energy config";
    case ConfigKind::experiment: return "experiment spec";
  }
  throw InternalError("config_noun: unknown kind");
}

std::string self_executable() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw InternalError("cannot read /proc/self/exe (the running executable): " + ec.message());
  return exe.string();
}

namespace {
bool is_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

ShippedConfigs find_shipped_configs() {
  ShippedConfigs s;
  std::vector<std::pair<std::string, fs::path>> places;
  if (const char* env = std::getenv("H2SIM_CONFIGS"); env != nullptr && *env != '\0') {
    if (!is_folder(env)) {
      throw InputError(fmt::format("H2SIM_CONFIGS: '{}' is not a folder (it should hold hardware/, models/, "
                                   "scenarios/, ...; unset it to use the shipped configs)",
                                   env));
    }
    places.emplace_back("$H2SIM_CONFIGS", env);
  } else {
    s.looked_in.push_back("$H2SIM_CONFIGS (unset)");
  }
  places.emplace_back("installed", fs::path(self_executable()).parent_path() / H2SIM_INSTALLED_CONFIGS_FROM_BIN);
  places.emplace_back("source tree", fs::path(H2SIM_SOURCE_CONFIGS_DIR));
  for (const auto& [what, dir] : places) {
    const fs::path p = dir.lexically_normal();
    s.looked_in.push_back(fmt::format("{} ({})", what, p.string()));
    if (s.root.empty() && is_folder(p)) s.root = p.string();
  }
  return s;
}

bool looks_like_path(const std::string& v) {
  auto ends_with = [&v](const std::string& tail) {
    return v.size() >= tail.size() && v.compare(v.size() - tail.size(), tail.size(), tail) == 0;
  };
  return v.find('/') != std::string::npos || ends_with(".yaml") || ends_with(".yml") || ends_with(".json");
}

// Closest first: edit distance, then a longer shared prefix, then alphabetical.
std::vector<std::string> closest_first(const std::string& word, std::vector<std::string> names) {
  auto prefix = [&word](const std::string& n) {
    size_t i = 0;
    while (i < n.size() && i < word.size() && n[i] == word[i]) ++i;
    return i;
  };
  std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return std::make_tuple(edit_distance(word, a), -int64_t(prefix(a)), a) <
           std::make_tuple(edit_distance(word, b), -int64_t(prefix(b)), b);
  });
  return names;
}
}  // namespace

const ShippedConfigs& shipped_configs() {
  static const ShippedConfigs s = find_shipped_configs();
  return s;
}

std::vector<std::string> shipped_names(ConfigKind kind) {
  std::vector<std::string> names;
  const std::string& root = shipped_configs().root;
  if (root.empty()) return names;
  std::error_code ec;
  for (fs::directory_iterator it(fs::path(root) / config_folder(kind), ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    std::error_code ec2;
    if (p.extension() == ".yaml" && fs::is_regular_file(p, ec2)) names.push_back(p.stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string shipped_config_path(ConfigKind kind, const std::string& name) {
  const std::string& root = shipped_configs().root;
  if (root.empty() || name.empty() || looks_like_path(name)) return "";
  const fs::path file = fs::path(root) / config_folder(kind) / (name + ".yaml");
  std::error_code ec;
  return fs::is_regular_file(file, ec) ? file.lexically_normal().string() : "";
}

std::string locate_config(ConfigKind kind, const std::string& value, const std::string& flag) {
  std::error_code ec;
  if (value.empty()) throw InputError(fmt::format("{}: empty; give a {} name or a file", flag, config_noun(kind)));
  if (fs::is_regular_file(value, ec)) return value;
  // A model may be a Hugging Face model folder holding its config.json (mapping/hf_model.hpp).
  if (kind == ConfigKind::model && is_folder(value) && fs::is_regular_file(fs::path(value) / "config.json", ec)) {
    return value;
  }
  if (is_folder(value)) {
    throw InputError(fmt::format("{}: '{}' is a folder; give a {} YAML file or a shipped name", flag, value,
                                 config_noun(kind)));
  }
  if (looks_like_path(value)) throw InputError(fmt::format("{}: file '{}' does not exist", flag, value));
  const ShippedConfigs& shipped = shipped_configs();
  if (shipped.root.empty()) {
    throw InputError(fmt::format("{}: '{}' is not a file, and no shipped configs were found to look it up as a "
                                 "{} name (looked in: {}); give a path, or set H2SIM_CONFIGS to a configs folder",
                                 flag, value, config_noun(kind), fmt::join(shipped.looked_in, ", ")));
  }
  if (std::string file = shipped_config_path(kind, value); !file.empty()) return file;
  const fs::path folder = fs::path(shipped.root) / config_folder(kind);
  const std::vector<std::string> names = closest_first(value, shipped_names(kind));
  throw InputError(fmt::format("{}: no {} named '{}' and no such file (shipped in {}: {})", flag, config_noun(kind),
                               value, folder.string(), names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
}

}  // namespace h2sim

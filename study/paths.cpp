#include "study/paths.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "config/errors.hpp"
#include "config/locator.hpp"
#include "config/yaml_reader.hpp"

namespace h2sim {

namespace fs = std::filesystem;

bool looks_like_path(const std::string& v) {
  const std::string ext = fs::path(v).extension().string();
  return v.find('/') != std::string::npos || ext == ".yaml" || ext == ".yml" || ext == ".json";
}

std::string absolute_normal(const std::string& p) {
  std::error_code ec;
  const fs::path a = fs::absolute(p, ec);
  return (ec ? fs::path(p) : a).lexically_normal().string();
}

std::string absolute_path(const std::string& dir, const std::string& p) {
  const fs::path path = fs::path(p).is_absolute() ? fs::path(p) : fs::path(dir) / p;
  return absolute_normal(path.string());
}

std::string point_hardware_file(const SweepPoint& p) {
  const std::string* hw = value_of(p.flags, "hw");
  return locate_config(ConfigKind::hardware, hw ? *hw : kDefaultHardware, "hw");
}

std::string point_energy_file(const SweepPoint& p) {
  if (const std::string* given = value_of(p.flags, "energy")) return locate_config(ConfigKind::energy, *given, "energy");
  const std::string shipped = shipped_config_path(ConfigKind::energy, kDefaultEnergy);
  if (shipped.empty()) {
    throw InputError(fmt::format("energy-set overrides given, but there is no energy file: set `energy` (the shipped "
                                 "'{}' was not found; looked in {})",
                                 kDefaultEnergy, fmt::join(shipped_configs().looked_in, ", ")));
  }
  return shipped;
}

std::optional<std::string> read_if_exists(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return std::nullopt;
  return read_text_file(path);
}

}  // namespace h2sim

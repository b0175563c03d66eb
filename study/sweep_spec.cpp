#include "study/sweep_spec.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "config/locator.hpp"
#include "config/yaml_reader.hpp"
#include "mapping/energy.hpp"
#include "mapping/model.hpp"
#include "mapping/report.hpp"
#include "models/dram/dram_standard.hpp"
#include "sim/cli/flags/flags.hpp"
#include "study/experiment.hpp"
#include "study/paths.hpp"

namespace h2sim {

namespace {

namespace fs = std::filesystem;
using cli::Flag;
using cli::FlagTable;
using cli::FlagType;

const std::vector<std::string> kCommands = {"run", "gemm", "analyze"};

// Points a spec may expand into (the paper's whole experiment is 576): a few lines of axes can
// multiply into billions, which would exhaust memory before anything runs.
constexpr size_t kMaxSweepPoints = 100000;

const FlagTable& table_of(const std::string& command) {
  const FlagTable* t = cli::command_flags(command);
  if (!t) throw InternalError("no flag table for command '" + command + "'");
  return *t;
}

// The product of the axis lengths, saturated at kMaxSweepPoints + 1.
size_t point_count(const std::vector<SweepAxis>& axes) {
  size_t total = 1;
  for (const auto& a : axes) total = std::min(total * a.rows.size(), kMaxSweepPoints + 1);  // no overflow: both factors are small
  return total;
}

std::string too_many_points(const std::vector<SweepAxis>& axes) {
  std::vector<size_t> sizes;
  for (const auto& a : axes) sizes.push_back(a.rows.size());
  return fmt::format("the axes give {} points, more than the {} a sweep may have (split it into several specs)",
                     fmt::join(sizes, " x "), kMaxSweepPoints);
}

bool is_managed(const Flag& f) { return f.type == FlagType::output || f.managed_by_sweep; }

// Rejects a key that names no sweepable flag of the command, naming file and key path.
void check_key(const YamlMap& m, const std::string& key, const FlagTable& table) {
  const Flag* f = table.find_sweep_key(key);
  if (f && !is_managed(*f)) return;
  if (f) m.fail(key, "is written by the sweep itself (each point has its own folder with result.json); remove it");
  const Flag* kv = table.find(key);
  if (kv && kv->type == FlagType::key_values) {
    m.fail(key, fmt::format("write --{} overrides as '{}.KEY: VALUE' (e.g. set.nmp_channels: 4)", key, kv->sweep_prefix));
  }
  const std::vector<std::string> names = table.sweep_key_names();
  const std::string hint = closest_match(key, names);
  m.fail(key, fmt::format("is not a flag of '{}' (valid: {}){}", table.command, fmt::join(names, ", "),
                          hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
}

void check_value(const YamlMap& m, const std::string& key, const FlagTable& table, const std::string& v) {
  const std::string why = cli::check_flag_value(table, *table.find_sweep_key(key), v);
  if (!why.empty()) m.fail(key, why);
}

std::string scalar(const YamlMap& m, const std::string& key, const YAML::Node& n) {
  if (!n.IsScalar()) m.fail(key, "expected a single value (a string, number or true/false)");
  return n.Scalar();
}

// A value as it goes on the command line: paths resolved against the spec's folder.
std::string resolve_value(const std::string& spec_dir, const Flag& f, const std::string& v) {
  if (f.type == FlagType::path || (f.type == FlagType::name_or_path && looks_like_path(v))) {
    return absolute_path(spec_dir, v);
  }
  return v;
}

// Part of a point id: letters, digits, '.', '+', '-' (file names; '_' separates the parts).
std::string slug(const std::string& v) {
  std::string s = looks_like_path(v) ? fs::path(v).stem().string() : v;
  for (char& c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-')) c = '-';
  }
  return s.empty() ? "-" : s;
}

SweepSpec from_experiment(const std::string& path) {
  const ExperimentSpec ex = load_experiment_spec(path);
  SweepSpec s = experiment_sweep(ex, expand_experiment(ex));
  return s;
}

// The files a point reads, loaded once per distinct input, so a bad override or file fails at
// expansion instead of in every point.
class InputChecker {
  bool seen(const std::string& key) { return !checked_.insert(key).second; }
  template <typename F>
  auto in_point(const SweepPoint& p, F load) {
    try {
      return load();
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: point {}: {}", spec_.file, p.id, e.what()));
    }
  }
 public:
  explicit InputChecker(const SweepSpec& spec) : spec_(spec) {}

  void check(const SweepPoint& p) {
    const std::string hw_file = in_point(p, [&] { return point_hardware_file(p); });
    const std::string hw_key = hw_file + "|" + fmt::format("{}", fmt::join(p.overrides, "|"));
    if (!seen(hw_key)) {
      const HardwareConfig hw = in_point(p, [&] { return load_hardware_config(hw_file, p.overrides); });
      hardware_[hw_key] = hw.dram_standard_file;
    }
    if (!p.dram_overrides.empty()) {
      const std::string& standard = hardware_[hw_key];
      if (standard.empty()) {
        throw InputError(fmt::format("{}: point {}: dram-set overrides given, but {} names no dram_standard", spec_.file,
                                     p.id, hw_file));
      }
      const std::string key = "dram|" + standard + "|" + fmt::format("{}", fmt::join(p.dram_overrides, "|"));
      if (!seen(key)) (void)in_point(p, [&] { return load_dram_standard(standard, p.dram_overrides); });
    }
    if (!p.energy_overrides.empty()) {
      const std::string energy = in_point(p, [&] { return point_energy_file(p); });
      const std::string key = "energy|" + energy + "|" + fmt::format("{}", fmt::join(p.energy_overrides, "|"));
      if (!seen(key)) (void)in_point(p, [&] { return load_energy_config(energy, p.energy_overrides); });
    }
    const std::string* model = value_of(p.flags, "model");
    const std::string* scenario = value_of(p.flags, "scenario");
    if (model && !seen("model|" + *model)) {
      const std::string file = in_point(p, [&] { return locate_config(ConfigKind::model, *model, "model"); });
      const std::string ext = fs::path(file).extension().string();
      if (ext == ".yaml" || ext == ".yml") (void)load_model_config(file);
      else (void)read_text_file(file);
    }
    if (scenario && !seen("scenario|" + *scenario)) {
      (void)in_point(p, [&] { return load_scenario(locate_config(ConfigKind::scenario, *scenario, "scenario")); });
    }
  }

 private:
  const SweepSpec& spec_;
  std::set<std::string> checked_;
  std::map<std::string, std::string> hardware_;  // hw key -> its DRAM standard file
};

}  // namespace

const std::string* value_of(const KeyValues& kv, const std::string& key) {
  for (const auto& [k, v] : kv) {
    if (k == key) return &v;
  }
  return nullptr;
}

SweepSpec load_sweep_spec(const std::string& path) {
  YAML::Node root_node = load_yaml_file(path);
  if (root_node.IsMap() && root_node["designs"]) return from_experiment(path);
  YamlMap root(root_node, path, "", {"name", "command", "base", "axes"});
  SweepSpec s;
  s.file = path;
  s.name = root.name("name");
  s.command = root.string("command");
  if (std::find(kCommands.begin(), kCommands.end(), s.command) == kCommands.end()) {
    const std::string hint = closest_match(s.command, kCommands);
    root.fail("command", fmt::format("'{}' is not one of run, gemm, analyze{}", s.command,
                                     hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  const FlagTable& table = table_of(s.command);
  std::set<std::string> keys_seen;
  auto add_key = [&](const YamlMap& m, const std::string& key) {
    check_key(m, key, table);
    if (!keys_seen.insert(key).second) m.fail(key, "is set twice (in base or another axis)");
  };
  if (root.has("base")) {
    YAML::Node b = root.raw("base");
    if (!b.IsMap()) root.fail("base", "expected a map of flags");
    YamlMap bm(b, path, "base");
    for (const auto& kv : b) {
      const std::string key = kv.first.Scalar();
      add_key(bm, key);
      const std::string v = scalar(bm, key, kv.second);
      check_value(bm, key, table, v);
      s.base.emplace_back(key, v);
    }
  }
  if (root.has("axes")) {
    YAML::Node axes = root.raw("axes");
    if (!axes.IsSequence()) root.fail("axes", "expected a list of axes (each a map of KEY: [values])");
    {
      // The number of points first, from the list lengths alone: the biggest mistake is reported
      // before any value is judged.
      std::vector<SweepAxis> shape;
      for (const auto& a : axes) {
        if (!a.IsMap() || a.size() == 0 || !a.begin()->second.IsSequence()) continue;
        shape.emplace_back().rows.resize(a.begin()->second.size());
      }
      if (point_count(shape) > kMaxSweepPoints) root.fail("axes", too_many_points(shape));
    }
    for (size_t i = 0; i < axes.size(); ++i) {
      const std::string where = fmt::format("axes[{}]", i);
      if (!axes[i].IsMap() || axes[i].size() == 0) root.fail(where, "expected a map of KEY: [values]");
      YamlMap am(axes[i], path, where);
      SweepAxis axis;
      std::vector<std::vector<std::string>> columns;
      for (const auto& kv : axes[i]) {
        const std::string key = kv.first.Scalar();
        add_key(am, key);
        if (!kv.second.IsSequence() || kv.second.size() == 0) am.fail(key, "expected a non-empty list of values");
        std::vector<std::string> col;
        for (const auto& v : kv.second) {
          col.push_back(scalar(am, key, v));
          check_value(am, key, table, col.back());
        }
        if (!columns.empty() && col.size() != columns.front().size()) {
          am.fail(key, fmt::format("has {} values but '{}' has {}: keys of one axis are zipped, so their lists "
                                   "must have the same length (use separate axes for a product)",
                                   col.size(), axis.keys.front(), columns.front().size()));
        }
        axis.keys.push_back(key);
        columns.push_back(std::move(col));
      }
      for (size_t r = 0; r < columns.front().size(); ++r) {
        std::vector<std::string> row;
        for (const auto& c : columns) row.push_back(c[r]);
        // The same step twice would run the same points twice under two ids.
        if (std::find(axis.rows.begin(), axis.rows.end(), row) != axis.rows.end()) {
          am.fail(axis.keys.front(), fmt::format("value {} is listed twice", fmt::join(row, ", ")));
        }
        axis.rows.push_back(std::move(row));
      }
      s.axes.push_back(std::move(axis));
    }
  }
  root.reject_unknown_keys();
  if (point_count(s.axes) > kMaxSweepPoints) root.fail("axes", too_many_points(s.axes));
  return s;
}

std::vector<SweepPoint> expand_sweep(const SweepSpec& spec) {
  if (!spec.points.empty()) return spec.points;
  const FlagTable& table = table_of(spec.command);
  const std::string dir = fs::path(spec.file).parent_path().string();
  const size_t total = point_count(spec.axes);
  if (total > kMaxSweepPoints) throw InputError(fmt::format("{}: {}", spec.file, too_many_points(spec.axes)));
  const size_t width = std::max<size_t>(3, std::to_string(total - 1).size());

  std::vector<SweepPoint> points;
  std::set<std::string> ids;
  InputChecker inputs(spec);
  std::vector<size_t> step(spec.axes.size(), 0);
  for (size_t n = 0; n < total; ++n) {
    // Mixed-radix counter, the last axis varying fastest.
    size_t rest = n;
    for (size_t a = spec.axes.size(); a-- > 0;) {
      step[a] = rest % spec.axes[a].rows.size();
      rest /= spec.axes[a].rows.size();
    }
    SweepPoint p;
    p.index = n;
    KeyValues all = spec.base;
    std::vector<std::string> parts;
    for (size_t a = 0; a < spec.axes.size(); ++a) {
      for (size_t k = 0; k < spec.axes[a].keys.size(); ++k) {
        const std::string& v = spec.axes[a].rows[step[a]][k];
        p.axis_values.emplace_back(spec.axes[a].keys[k], v);
        all.emplace_back(spec.axes[a].keys[k], v);
        parts.push_back(slug(v));
      }
    }
    for (const auto& [k, v] : all) {
      std::string override_key;
      const Flag& f = *table.find_sweep_key(k, &override_key);
      if (f.type != FlagType::key_values) {
        p.flags.emplace_back(k, resolve_value(dir, f, v));
      } else if (f.name == "set") {
        p.overrides.push_back(override_key + "=" + v);
      } else if (f.name == "energy-set") {
        p.energy_overrides.push_back(override_key + "=" + v);
      } else if (f.name == "dram-set") {
        p.dram_overrides.push_back(override_key + "=" + v);
      } else {
        throw InternalError(fmt::format("sweep: no point field for the KEY=VALUE flag --{}", f.name));
      }
    }
    std::string tail = parts.empty() ? "" : "_" + fmt::format("{}", fmt::join(parts, "_"));
    if (tail.size() > 100) tail.resize(100);  // the index keeps it unique; keep file names short
    p.id = fmt::format("{:0{}}", n, width) + tail;
    if (!ids.insert(p.id).second) throw InputError(fmt::format("{}: two points have the id '{}'", spec.file, p.id));
    inputs.check(p);
    points.push_back(std::move(p));
  }
  return points;
}

std::vector<std::string> sweep_point_arguments(const SweepSpec& spec, const SweepPoint& p,
                                               const std::string& result_file, const std::string& cache_dir) {
  const FlagTable& table = table_of(spec.command);
  std::vector<std::string> args = {spec.command};
  for (const auto& [k, v] : p.flags) {
    const Flag* f = table.find(k);
    if (f && f->type == FlagType::boolean) {
      if (v == "true") args.push_back("--" + k);
      continue;
    }
    args.push_back("--" + k);
    args.push_back(v);
  }
  for (const auto& [flag, list] : {std::pair{"--set", &p.overrides}, std::pair{"--energy-set", &p.energy_overrides},
                                   std::pair{"--dram-set", &p.dram_overrides}}) {
    for (const auto& o : *list) {
      args.push_back(flag);
      args.push_back(o);
    }
  }
  args.push_back("--json");
  args.push_back(result_file);
  if (spec.command == "run") {
    // The searched dataflow's cache: the point's own folder, or the sweep folder for points
    // that share one search (they run one after another).
    args.push_back("--out");
    args.push_back(cache_dir);
  }
  if (spec.command == "run") args.push_back("--quiet");
  return args;
}

std::pair<int, int> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  auto number = [&](const std::string& s) {
    char* end = nullptr;
    const long v = std::strtol(s.c_str(), &end, 10);
    return (s.empty() || *end != '\0') ? -1L : v;
  };
  if (slash != std::string::npos) {
    const long i = number(text.substr(0, slash)), n = number(text.substr(slash + 1));
    if (n >= 1 && n <= 1000000 && i >= 1 && i <= n) return {int(i), int(n)};
  }
  throw InputError(fmt::format("--shard: '{}' is not I/N with 1 <= I <= N (e.g. 2/4: the second of four shares)", text));
}

std::vector<SweepPoint> shard_points(const std::vector<SweepPoint>& points, int shard, int shards) {
  if (shards < 1 || shard < 1 || shard > shards) throw InputError(fmt::format("shard {}/{} is not valid", shard, shards));
  std::vector<SweepPoint> mine;
  for (const auto& p : points) {
    if (p.index % size_t(shards) == size_t(shard - 1)) mine.push_back(p);
  }
  return mine;
}

}  // namespace h2sim

#include "mapping/sweep.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "config/atomic_file.hpp"
#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "config/locator.hpp"
#include "config/yaml_reader.hpp"
#include "mapping/experiment.hpp"
#include "mapping/model.hpp"
#include "mapping/search.hpp"

namespace h2sim {

namespace {

namespace fs = std::filesystem;

enum class FlagKind { kText, kPath, kNameOrPath, kInteger, kSeed, kBool, kSeconds };

struct FlagInfo {
  const char* name;
  FlagKind kind;
  int64_t lo = 0, hi = 0;  // kInteger: the command's own range, so a bad value fails before anything runs
};

// The commands' ranges (their reasons are where the commands check them): --batch of run and
// analyze (sim/cli/arg_checks.hpp kMaxBatch), the GEMM dimensions (validate_gemm_shape), the
// search parameters (SearchLimits). Seeds are any unsigned 64-bit number.
constexpr int64_t kMaxBatch = 4096;
constexpr int64_t kMaxGemmDimension = int64_t(1) << 30;

// The flags a sweep may set, per command (their meaning is the command's --help).
const std::vector<FlagInfo>& command_flags(const std::string& command) {
  using K = FlagKind;
  using L = SearchLimits;
  static const std::vector<FlagInfo> run = {
      {"hw", K::kNameOrPath},    {"model", K::kNameOrPath}, {"scenario", K::kNameOrPath}, {"batch", K::kInteger, 1, kMaxBatch},
      {"dataflow", K::kNameOrPath}, {"fidelity", K::kText}, {"dram", K::kText},     {"exact", K::kBool},
      {"artifact-compat", K::kBool}, {"seed", K::kSeed},  {"energy", K::kNameOrPath}, {"max-wall-s", K::kSeconds}};
  static const std::vector<FlagInfo> gemm = {
      {"hw", K::kNameOrPath},    {"m", K::kInteger, 1, kMaxGemmDimension}, {"k", K::kInteger, 1, kMaxGemmDimension},
      {"n", K::kInteger, 1, kMaxGemmDimension}, {"batch", K::kInteger, 1, kMaxGemmDimension}, {"on", K::kText},
      {"fidelity", K::kText},    {"dram", K::kText},    {"max-wall-s", K::kSeconds}};
  static const std::vector<FlagInfo> analyze = {
      {"hw", K::kNameOrPath},    {"model", K::kNameOrPath}, {"scenario", K::kNameOrPath}, {"batch", K::kInteger, 1, kMaxBatch},
      {"dataflow", K::kNameOrPath}, {"artifact-compat", K::kBool},
      {"population", K::kInteger, L::kMinPopulation, L::kMaxPopulation},
      {"generations", K::kInteger, 1, L::kMaxGenerations}, {"seed", K::kSeed},
      {"threads", K::kInteger, 0, L::kMaxThreads}};
  if (command == "run") return run;
  if (command == "gemm") return gemm;
  return analyze;
}

const std::vector<std::string> kCommands = {"run", "gemm", "analyze"};
// Outputs belong to the sweep (one folder per point), so a spec may not redirect them.
const std::vector<std::string> kManagedFlags = {"json", "out", "quiet", "trace", "vcd"};

// Points a spec may expand into (the paper's whole experiment is 576): a few lines of axes can
// multiply into billions, which would exhaust memory before anything runs.
constexpr size_t kMaxSweepPoints = 100000;

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

const FlagInfo* find_flag(const std::string& command, const std::string& key) {
  for (const auto& f : command_flags(command)) {
    if (key == f.name) return &f;
  }
  return nullptr;
}

bool is_override(const std::string& key) { return key.rfind("set.", 0) == 0 && key.size() > 4; }

// Rejects a key that is neither a flag of the command nor set.KEY, naming file and key path.
void check_key(const YamlMap& m, const std::string& yaml_key, const std::string& command) {
  if (is_override(yaml_key) || find_flag(command, yaml_key)) return;
  if (std::find(kManagedFlags.begin(), kManagedFlags.end(), yaml_key) != kManagedFlags.end()) {
    m.fail(yaml_key, "is written by the sweep itself (each point has its own folder with result.json); remove it");
  }
  std::vector<std::string> names;
  for (const auto& f : command_flags(command)) names.push_back(f.name);
  if (yaml_key == "set") m.fail(yaml_key, "write hardware overrides as 'set.KEY: VALUE' (e.g. set.nmp_channels: 4)");
  const std::string hint = closest_match(yaml_key, names);
  m.fail(yaml_key, fmt::format("is not a flag of '{}' (valid: {}, or set.KEY for a hardware override){}", command,
                               fmt::join(names, ", "), hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
}

std::string scalar(const YamlMap& m, const std::string& key, const YAML::Node& n) {
  if (!n.IsScalar()) m.fail(key, "expected a single value (a string, number or true/false)");
  return n.Scalar();
}

bool looks_like_path(const std::string& v) {
  const std::string ext = fs::path(v).extension().string();
  return v.find('/') != std::string::npos || ext == ".yaml" || ext == ".yml" || ext == ".json";
}

// fs::absolute without exceptions (it throws if the working folder was deleted).
std::string absolute_normal(const std::string& p) {
  std::error_code ec;
  const fs::path a = fs::absolute(p, ec);
  return (ec ? fs::path(p) : a).lexically_normal().string();
}

std::string absolute_path(const std::string& spec_dir, const std::string& p) {
  const fs::path path = fs::path(p).is_absolute() ? fs::path(p) : fs::path(spec_dir) / p;
  return absolute_normal(path.string());
}

// A value as it goes on the command line: paths resolved against the spec's folder.
std::string resolve_value(const std::string& spec_dir, const FlagInfo& f, const std::string& v) {
  if (f.kind == FlagKind::kPath || (f.kind == FlagKind::kNameOrPath && looks_like_path(v))) {
    return absolute_path(spec_dir, v);
  }
  return v;
}

void check_value(const YamlMap& m, const std::string& key, const std::string& command, const std::string& v) {
  if (is_override(key)) return;  // validated with the hardware config at expansion
  const FlagInfo* f = find_flag(command, key);
  const bool digits = !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (f->kind == FlagKind::kInteger) {
    errno = 0;
    const long long x = digits ? std::strtoll(v.c_str(), nullptr, 10) : 0;
    if (!digits || errno == ERANGE || x < f->lo || x > f->hi) {
      m.fail(key, fmt::format("'{}' is not a whole number in {}..{} (the range of {} --{})", v, f->lo, f->hi, command, key));
    }
  } else if (f->kind == FlagKind::kSeed) {
    errno = 0;
    if (digits) (void)std::strtoull(v.c_str(), nullptr, 10);
    if (!digits || errno == ERANGE) m.fail(key, fmt::format("'{}' is not a seed (a whole number in 0..2^64-1)", v));
  } else if (f->kind == FlagKind::kText) {
    // The commands' word-valued flags: a typo fails here, not in every point.
    static const std::map<std::string, std::vector<std::string>> kWords = {
        {"fidelity", {"analytic", "ideal", "cycle"}}, {"on", {"nmp", "npu"}}, {"dram", {"lpddr5", "pipe"}}};
    const auto it = kWords.find(key);
    if (it != kWords.end() && std::find(it->second.begin(), it->second.end(), v) == it->second.end()) {
      const std::string hint = closest_match(v, it->second);
      m.fail(key, fmt::format("'{}' is not one of {}{}", v, fmt::join(it->second, ", "),
                              hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  } else if (f->kind == FlagKind::kSeconds) {
    // --max-wall-s of each point: seconds of wall time, 0 = no limit.
    char* end = nullptr;
    errno = 0;
    const double s = v.empty() ? -1.0 : std::strtod(v.c_str(), &end);
    if (v.empty() || end == nullptr || *end != '\0' || errno == ERANGE || !std::isfinite(s) || s < 0 || s > 1e9 ||
        v.find_first_of("xX") != std::string::npos) {
      m.fail(key, fmt::format("'{}' is not a number of seconds in [0, 1e9] (0: no limit)", v));
    }
  } else if (f->kind == FlagKind::kBool && v != "true" && v != "false") {
    m.fail(key, fmt::format("'{}' is not true or false", v));
  }
}

// Part of a point id: letters, digits, '.', '+', '-' (file names; '_' separates the parts).
std::string slug(const std::string& v) {
  std::string s = looks_like_path(v) ? fs::path(v).stem().string() : v;
  for (char& c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-')) c = '-';
  }
  return s.empty() ? "-" : s;
}

std::string yaml_quote(const std::string& s) {
  YAML::Emitter e;
  e << YAML::DoubleQuoted << s;
  return e.c_str();
}

SweepSpec from_experiment(const std::string& path) {
  const ExperimentSpec ex = load_experiment_spec(path);
  SweepSpec s;
  s.file = path;
  s.name = ex.name;
  s.command = "run";
  const std::vector<ExperimentPoint> points = expand_experiment(ex);
  for (size_t i = 0; i < points.size(); ++i) {
    const ExperimentPoint& e = points[i];
    SweepPoint p;
    p.index = i;
    p.id = e.id;
    p.axis_values = {{"fidelity", e.fidelity}, {"design", e.design},   {"dataflow", e.dataflow_name},
                     {"model", e.model},       {"scenario", e.scenario}, {"batch", std::to_string(e.batch)}};
    const auto abs = [](const std::string& f) { return absolute_normal(f); };
    p.flags = {{"hw", abs(e.hardware_file)},
               {"model", abs(e.model_file)},
               {"scenario", looks_like_path(e.scenario_arg) ? abs(e.scenario_arg) : e.scenario_arg},
               {"batch", std::to_string(e.batch)},
               {"dataflow", looks_like_path(e.dataflow) ? abs(e.dataflow) : e.dataflow},
               {"fidelity", e.fidelity}};
    s.points.push_back(std::move(p));
  }
  return s;
}

const std::string* flag_value(const KeyValues& kv, const std::string& key) {
  for (const auto& [k, v] : kv) {
    if (k == key) return &v;
  }
  return nullptr;
}

// The hardware file a point uses (the commands' default design when it sets none).
std::string hardware_file(const SweepPoint& p) {
  const std::string* hw = flag_value(p.flags, "hw");
  return locate_config(ConfigKind::hardware, hw ? *hw : kDefaultHardware, "hw");
}

}  // namespace

SweepSpec load_sweep_spec(const std::string& path) {
  YAML::Node root_node = load_yaml_file(path);
  if (root_node.IsMap() && root_node["designs"]) return from_experiment(path);
  YamlMap root(root_node, path, "", {"name", "command", "base", "axes"});
  const std::string dir = fs::path(path).parent_path().string();
  SweepSpec s;
  s.file = path;
  s.name = root.name("name");
  s.command = root.string("command");
  if (std::find(kCommands.begin(), kCommands.end(), s.command) == kCommands.end()) {
    const std::string hint = closest_match(s.command, kCommands);
    root.fail("command", fmt::format("'{}' is not one of run, gemm, analyze{}", s.command,
                                     hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  std::set<std::string> keys_seen;
  auto add_key = [&](const YamlMap& m, const std::string& key) {
    check_key(m, key, s.command);
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
      check_value(bm, key, s.command, v);
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
          check_value(am, key, s.command, col.back());
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
  (void)dir;
  return s;
}

std::vector<SweepPoint> expand_sweep(const SweepSpec& spec) {
  if (!spec.points.empty()) return spec.points;
  const std::string dir = fs::path(spec.file).parent_path().string();
  const size_t total = point_count(spec.axes);
  if (total > kMaxSweepPoints) throw InputError(fmt::format("{}: {}", spec.file, too_many_points(spec.axes)));
  const size_t width = std::max<size_t>(3, std::to_string(total - 1).size());

  std::vector<SweepPoint> points;
  std::set<std::string> ids;
  std::map<std::string, bool> checked;  // hardware + overrides, model + scenario already loaded
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
      if (is_override(k)) p.overrides.push_back(k.substr(4) + "=" + v);
      else p.flags.emplace_back(k, resolve_value(dir, *find_flag(spec.command, k), v));
    }
    std::string tail = parts.empty() ? "" : "_" + fmt::format("{}", fmt::join(parts, "_"));
    if (tail.size() > 100) tail.resize(100);  // the index keeps it unique; keep file names short
    p.id = fmt::format("{:0{}}", n, width) + tail;
    if (!ids.insert(p.id).second) throw InputError(fmt::format("{}: two points have the id '{}'", spec.file, p.id));

    // Load what the point reads, once per distinct input, so a bad override or file fails now.
    const std::string hw = hardware_file(p);
    const std::string hw_key = hw + "|" + fmt::format("{}", fmt::join(p.overrides, "|"));
    if (!checked.count(hw_key)) {
      try {
        (void)load_hardware_config(hw, p.overrides);
      } catch (const InputError& e) {
        throw InputError(fmt::format("{}: point {}: {}", spec.file, p.id, e.what()));
      }
      checked[hw_key] = true;
    }
    const std::string* model = flag_value(p.flags, "model");
    const std::string* scenario = flag_value(p.flags, "scenario");
    if (model && !checked.count("model|" + *model)) {
      const std::string file = locate_config(ConfigKind::model, *model, "model");
      const std::string ext = fs::path(file).extension().string();
      if (ext == ".yaml" || ext == ".yml") (void)load_model_config(file);
      else (void)read_text_file(file);
      checked["model|" + *model] = true;
    }
    if (scenario && !checked.count("scenario|" + *scenario)) {
      (void)load_scenario(locate_config(ConfigKind::scenario, *scenario, "scenario"));
      checked["scenario|" + *scenario] = true;
    }
    points.push_back(std::move(p));
  }
  return points;
}

std::vector<std::string> sweep_point_arguments(const SweepSpec& spec, const SweepPoint& p,
                                               const std::string& result_file, const std::string& point_dir) {
  std::vector<std::string> args = {spec.command};
  for (const auto& [k, v] : p.flags) {
    const FlagInfo* f = find_flag(spec.command, k);
    if (f && f->kind == FlagKind::kBool) {
      if (v == "true") args.push_back("--" + k);
      continue;
    }
    args.push_back("--" + k);
    args.push_back(v);
  }
  for (const auto& o : p.overrides) {
    args.push_back("--set");
    args.push_back(o);
  }
  args.push_back("--json");
  args.push_back(result_file);
  if (spec.command == "run") {
    // Each point caches its own searched dataflow: no two processes (or nodes) share a file.
    args.push_back("--out");
    args.push_back(point_dir);
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

std::string sweep_point_dir(const std::string& out_dir, const SweepPoint& p) {
  return (fs::path(out_dir) / "points" / p.id).string();
}

std::string sweep_result_file(const std::string& out_dir, const SweepPoint& p) {
  return (fs::path(sweep_point_dir(out_dir, p)) / "result.json").string();
}

std::string sweep_manifest(const SweepSpec& spec, const std::vector<SweepPoint>& points) {
  nlohmann::ordered_json m;
  m["name"] = spec.name;
  m["command"] = spec.command;
  m["points"] = nlohmann::ordered_json::array();
  for (const auto& p : points) {
    nlohmann::ordered_json e;
    e["id"] = p.id;
    e["axes"] = nlohmann::ordered_json::object();
    for (const auto& [k, v] : p.axis_values) e["axes"][k] = v;
    m["points"].push_back(e);
  }
  return m.dump(1) + "\n";
}

std::string sweep_point_config(const SweepSpec& spec, const SweepPoint& p) {
  std::ostringstream o;
  o << "# Resolved config of one sweep point (written by h2sim sweep).\n";
  o << "id: " << yaml_quote(p.id) << "\ncommand: " << spec.command << "\n";
  o << "axes:" << (p.axis_values.empty() ? " {}" : "") << "\n";
  for (const auto& [k, v] : p.axis_values) o << "  " << k << ": " << yaml_quote(v) << "\n";
  o << "flags:" << (p.flags.empty() ? " {}" : "") << "\n";
  for (const auto& [k, v] : p.flags) o << "  " << k << ": " << yaml_quote(v) << "\n";
  o << "overrides: [";
  for (size_t i = 0; i < p.overrides.size(); ++i) o << (i ? ", " : "") << yaml_quote(p.overrides[i]);
  o << "]\ncommand_line: [";
  const auto args = sweep_point_arguments(spec, p, "result.json", ".");
  for (size_t i = 0; i < args.size(); ++i) o << (i ? ", " : "") << yaml_quote(args[i]);
  o << "]\n";
  // The hardware as this point sees it: the file with the overrides applied.
  YAML::Node hw = YAML::Clone(load_yaml_file(hardware_file(p)));
  apply_overrides(hw, p.overrides, hardware_file(p));
  YAML::Emitter e;
  e << hw;
  std::istringstream lines(e.c_str());
  o << "hardware:\n";
  for (std::string l; std::getline(lines, l);) o << "  " << l << "\n";
  return o.str();
}


namespace {

// The file's content, or nothing if there is no file. Anything else at the path (a folder, a
// FIFO, a device, a file over 64 MiB) is an InputError: reading it could block or never end.
std::optional<std::string> read_if_exists(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path, ec);
  if (!fs::exists(st)) return std::nullopt;
  return read_text_file(path);
}

// Writes a file every shard derives from the spec, unless it already has these bytes; other
// bytes mean the folder holds another sweep (or this one's spec changed).
void write_same_or_fail(const std::string& path, const std::string& content, const std::string& out_dir) {
  const auto old = read_if_exists(path);
  if (old && *old == content) return;
  if (old) {
    throw InputError(fmt::format("{}: differs from what this spec gives: the folder {} holds another sweep or the spec "
                                 "changed since; use a new --out (or delete the folder)",
                                 path, out_dir));
  }
  write_file_atomically(path, content);
}

}  // namespace

SweepRunResult run_sweep(const SweepSpec& spec, const std::vector<SweepPoint>& all, const std::vector<SweepPoint>& mine,
                         const std::string& out_dir, const SweepPointRunner& runner) {
  write_same_or_fail((fs::path(out_dir) / "sweep.json").string(), sweep_manifest(spec, all), out_dir);
  SweepRunResult r;
  r.points = mine.size();
  std::vector<SweepPoint> pending;
  for (const auto& p : mine) {
    write_same_or_fail((fs::path(sweep_point_dir(out_dir, p)) / "config.yaml").string(), sweep_point_config(spec, p),
                       out_dir);
    std::error_code ec;
    if (fs::exists(sweep_result_file(out_dir, p), ec)) ++r.already_done;
    else pending.push_back(p);
  }
  r.ran = pending.size();
  if (!pending.empty()) r.failed = runner(pending);
  return r;
}

namespace {

// Shortest round-trip text of a JSON scalar (nlohmann's dump), strings unquoted for the CSV.
std::string scalar_text(const nlohmann::ordered_json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

bool is_wall_key(const std::string& key) {
  const auto dot = key.rfind('.');
  return key.compare(dot == std::string::npos ? 0 : dot + 1, 4, "wall") == 0;
}

void flatten(const nlohmann::ordered_json& j, const std::string& prefix, KeyValues& out,
             std::map<std::string, double>& numbers) {
  for (const auto& [k, v] : j.items()) {
    const std::string key = prefix.empty() ? k : prefix + "." + k;
    if (is_wall_key(key) || v.is_array() || v.is_null()) continue;  // wall time differs run to run
    if (v.is_object()) {
      flatten(v, key, out, numbers);
      continue;
    }
    out.emplace_back(key, scalar_text(v));
    if (v.is_number()) numbers[key] = v.get<double>();
  }
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

SweepMergeResult merge_sweep(const std::string& out_dir) {
  const std::string manifest_file = (fs::path(out_dir) / "sweep.json").string();
  nlohmann::ordered_json manifest;
  try {
    manifest = nlohmann::ordered_json::parse(read_text_file(manifest_file));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not a sweep manifest: {}", manifest_file, e.what()));
  }
  struct Row {
    std::string id;
    KeyValues axes;
    bool ok = false;
    KeyValues values;
  };
  std::vector<Row> rows;
  std::vector<std::string> axis_keys, value_keys;
  std::map<std::string, std::vector<double>> numbers;  // per column, over the points that have it
  std::string name, command;
  try {
    name = manifest.is_object() ? manifest.value("name", "") : "";
    command = manifest.is_object() ? manifest.value("command", "") : "";
    for (const auto& e : manifest.at("points")) {
      Row r;
      r.id = e.at("id").get<std::string>();
      // Ids name folders under points/: one plain file name, never a path out of the sweep.
      if (r.id.empty() || r.id == "." || r.id == ".." || r.id.find('/') != std::string::npos || r.id.size() > 200) {
        throw InputError(fmt::format("{}: not a sweep manifest: point id '{}' is not a plain file name", manifest_file,
                                     r.id.substr(0, 200)));
      }
      for (const auto& [k, v] : e.at("axes").items()) {
        r.axes.emplace_back(k, v.get<std::string>());
        if (std::find(axis_keys.begin(), axis_keys.end(), k) == axis_keys.end()) axis_keys.push_back(k);
      }
      rows.push_back(std::move(r));
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not a sweep manifest: {}", manifest_file, e.what()));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.id < b.id; });

  SweepMergeResult m;
  m.points = rows.size();
  for (auto& r : rows) {
    const auto text = read_if_exists((fs::path(out_dir) / "points" / r.id / "result.json").string());
    if (text) {
      try {
        std::map<std::string, double> nums;
        flatten(nlohmann::ordered_json::parse(*text), "", r.values, nums);
        r.ok = true;
        for (const auto& [k, v] : nums) numbers[k].push_back(v);
      } catch (const nlohmann::json::exception&) {
        r.values.clear();
      }
    }
    if (!r.ok) {
      m.missing.push_back(r.id);
      continue;
    }
    ++m.ok;
    for (const auto& [k, v] : r.values) {
      if (std::find(value_keys.begin(), value_keys.end(), k) == value_keys.end()) value_keys.push_back(k);
    }
  }

  std::ostringstream csv;
  csv << "id,status";
  for (const auto& k : axis_keys) csv << ',' << csv_cell(k);
  for (const auto& k : value_keys) {
    // An axis key that is also a result field (fidelity, batch) gets one column, the axis'.
    if (std::find(axis_keys.begin(), axis_keys.end(), k) == axis_keys.end()) csv << ',' << csv_cell(k);
  }
  csv << '\n';
  for (const auto& r : rows) {
    csv << csv_cell(r.id) << ',' << (r.ok ? "ok" : "missing");
    for (const auto& k : axis_keys) {
      const std::string* v = flag_value(r.axes, k);
      csv << ',' << (v ? csv_cell(*v) : "");
    }
    for (const auto& k : value_keys) {
      if (std::find(axis_keys.begin(), axis_keys.end(), k) != axis_keys.end()) continue;
      const std::string* v = flag_value(r.values, k);
      csv << ',' << (v ? csv_cell(*v) : "");
    }
    csv << '\n';
  }
  m.csv = csv.str();

  nlohmann::ordered_json s;
  s["name"] = name;
  s["command"] = command;
  s["points"] = m.points;
  s["points_ok"] = m.ok;
  s["missing"] = m.missing;
  s["columns"] = nlohmann::ordered_json::object();
  for (const auto& k : value_keys) {
    const auto it = numbers.find(k);
    if (it == numbers.end()) continue;
    const auto& v = it->second;
    nlohmann::ordered_json c;
    c["points"] = v.size();
    c["min"] = *std::min_element(v.begin(), v.end());
    c["max"] = *std::max_element(v.begin(), v.end());
    if (std::all_of(v.begin(), v.end(), [](double x) { return x > 0; })) {
      double logs = 0;
      for (double x : v) logs += std::log(x);
      c["geomean"] = std::exp(logs / double(v.size()));
    }
    s["columns"][k] = c;
  }
  m.summary = s.dump(2) + "\n";
  return m;
}

}  // namespace h2sim

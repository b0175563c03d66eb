#include "study/experiment.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "config/locator.hpp"
#include "config/yaml_reader.hpp"
#include "mapping/baselines.hpp"
#include "models/dram/dram_standard.hpp"
#include "mapping/model.hpp"
#include "mapping/report.hpp"
#include "sim/cli/flags/flags.hpp"
#include "study/paths.hpp"

namespace h2sim {

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kFidelities = {"analytic", "ideal", "cycle"};

// Ids become file names and are joined with '_', so they may not contain it.
bool valid_id(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-';
  });
}

std::string resolve_path(const std::string& spec_dir, const std::string& p) {
  if (fs::path(p).is_absolute()) return p;
  return (fs::path(spec_dir) / p).lexically_normal().string();
}

std::string stem(const std::string& path) { return fs::path(path).stem().string(); }

bool is_dataflow_name(const std::string& s) { return is_fixed_baseline(s) || is_searched_baseline(s); }

// A list of scalars under `key`; each element goes through `check` with its index.
std::vector<std::string> string_list(YamlMap& m, const std::string& key) {
  YAML::Node n = m.raw(key);
  if (!n) m.fail(key, "missing (expected a list)");
  if (!n.IsSequence() || n.size() == 0) m.fail(key, "expected a non-empty list");
  std::vector<std::string> out;
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) m.fail(key, fmt::format("element {} is not a string", i));
    out.push_back(n[i].Scalar());
  }
  std::set<std::string> seen;
  for (const auto& s : out) {
    if (!seen.insert(s).second) m.fail(key, fmt::format("'{}' is listed twice", s));
  }
  return out;
}

std::string dataflow_arg(YamlMap& m, const std::string& key, const std::string& value, const std::string& dir) {
  if (is_dataflow_name(value)) return value;
  const std::string file = resolve_path(dir, value);
  std::error_code ec;  // a symlink loop or an unreadable folder is "not a file", not an exception
  if (fs::is_regular_file(file, ec)) return file;
  std::string hint = closest_match(value, baseline_names());
  m.fail(key, fmt::format("'{}' is neither a dataflow name ({}) nor a file{}", value,
                          fmt::join(baseline_names(), ", "), hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
}


// Runs `load` (loading a file the spec names); its InputError is reported at `key` of the spec.
template <class F>
void at_key(YamlMap& m, const std::string& key, F load) {
  try {
    load();
  } catch (const InputError& e) {
    m.fail(key, e.what());
  }
}

}  // namespace

ExperimentSpec load_experiment_spec(const std::string& path) {
  YamlMap root(load_yaml_file(path), path, "",
               {"name", "designs", "reference_design", "models", "scenarios", "batches", "fidelities",
                "dataflow_comparison", "paper"});
  const std::string dir = fs::path(path).parent_path().string();
  ExperimentSpec s;
  s.file = path;
  s.name = root.name("name");

  YAML::Node designs = root.raw("designs");
  if (!designs || !designs.IsSequence() || designs.size() == 0) root.fail("designs", "expected a non-empty list of designs");
  for (size_t i = 0; i < designs.size(); ++i) {
    if (!designs[i].IsMap()) root.fail("designs", fmt::format("element {} is not a map", i));
    YamlMap d(designs[i], path, fmt::format("designs[{}]", i), {"name", "label", "hardware", "dataflow", "set", "dram_set"});
    ExperimentDesign e;
    e.name = d.name("name");
    if (!valid_id(e.name)) d.fail("name", fmt::format("'{}' must be letters, digits, '.', '+' or '-'", e.name));
    e.label = d.optional_name("label").value_or(e.name);
    e.hardware_file = resolve_path(dir, d.string("hardware"));
    if (d.has("set")) e.set = string_list(d, "set");
    if (d.has("dram_set")) e.dram_set = string_list(d, "dram_set");
    // Fail now, not in every point: the design with its overrides, and its DRAM standard with its own.
    HardwareConfig hw;
    at_key(d, d.has("set") ? "set" : "hardware", [&] { hw = load_hardware_config(e.hardware_file, e.set); });
    if (!e.dram_set.empty()) {
      at_key(d, "dram_set", [&] {
        if (hw.dram_standard_file.empty()) throw InputError("needs a design with a dram_standard");
        (void)load_dram_standard(hw.dram_standard_file, e.dram_set);
      });
    }
    e.dataflow = dataflow_arg(d, "dataflow", d.string("dataflow"), dir);
    d.reject_unknown_keys();
    for (const auto& other : s.designs) {
      if (other.name == e.name) d.fail("name", fmt::format("design '{}' is listed twice", e.name));
    }
    s.designs.push_back(e);
  }
  auto design_names = [&s]() {
    std::vector<std::string> v;
    for (const auto& d : s.designs) v.push_back(d.name);
    return v;
  };
  auto check_design = [&](YamlMap& m, const std::string& key, const std::string& name) {
    if (std::none_of(s.designs.begin(), s.designs.end(), [&](const auto& d) { return d.name == name; })) {
      std::string hint = closest_match(name, design_names());
      m.fail(key, fmt::format("'{}' is not one of the designs ({}){}", name, fmt::join(design_names(), ", "),
                              hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  };
  s.reference_design = root.optional_string("reference_design").value_or(s.designs.front().name);
  check_design(root, "reference_design", s.reference_design);

  std::set<std::string> model_ids;
  for (const auto& m : string_list(root, "models")) {
    const std::string file = resolve_path(dir, m);
    at_key(root, "models", [&] { (void)load_model_config(file); });  // YAML, or the artifact's operator_graph.json
    if (!valid_id(stem(file))) root.fail("models", fmt::format("model file name '{}' must be letters, digits, '.', '+' or '-'", stem(file)));
    if (!model_ids.insert(stem(file)).second) root.fail("models", fmt::format("two models named '{}'", stem(file)));
    s.model_files.push_back(file);
  }
  for (const auto& sc : string_list(root, "scenarios")) {
    // A name is looked up by `run` itself; a path (has a '/' or ends in .yaml) is resolved here.
    const bool is_file = sc.find('/') != std::string::npos || fs::path(sc).extension() == ".yaml";
    const std::string arg = is_file ? resolve_path(dir, sc) : sc;
    at_key(root, "scenarios", [&] { (void)load_scenario(locate_config(ConfigKind::scenario, arg, "scenarios")); });  // fail now on a typo
    if (!valid_id(stem(arg))) root.fail("scenarios", fmt::format("scenario '{}' must be letters, digits, '.', '+' or '-'", stem(arg)));
    s.scenarios.push_back(arg);
  }
  const cli::Flag& kBatch = *cli::run_flags().find("batch");  // run --batch's range
  for (const auto& b : string_list(root, "batches")) {
    char* end = nullptr;
    const long long v = std::strtoll(b.c_str(), &end, 10);
    if (b.empty() || *end != '\0' || v < kBatch.min_whole || v > kBatch.max_whole) {
      root.fail("batches", fmt::format("'{}' is not a batch size in {}..{}", b, kBatch.min_whole, kBatch.max_whole));
    }
    s.batches.push_back(v);
  }
  for (const auto& f : string_list(root, "fidelities")) {
    if (std::find(kFidelities.begin(), kFidelities.end(), f) == kFidelities.end()) {
      std::string hint = closest_match(f, kFidelities);
      root.fail("fidelities", fmt::format("'{}' is not a fidelity (valid: analytic, ideal, cycle){}", f,
                                          hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    s.fidelities.push_back(f);
  }

  if (auto c = root.optional_map("dataflow_comparison", {"design", "dataflows", "reference"})) {
    s.comparison_design = c->string("design");
    check_design(*c, "design", s.comparison_design);
    for (const auto& df : string_list(*c, "dataflows")) s.comparison_dataflows.push_back(dataflow_arg(*c, "dataflows", df, dir));
    s.comparison_reference = c->optional_string("reference").value_or(s.comparison_dataflows.back());
    s.comparison_reference = dataflow_arg(*c, "reference", s.comparison_reference, dir);
    if (std::find(s.comparison_dataflows.begin(), s.comparison_dataflows.end(), s.comparison_reference) ==
        s.comparison_dataflows.end()) {
      c->fail("reference", fmt::format("'{}' is not one of the compared dataflows", s.comparison_reference));
    }
    c->reject_unknown_keys();
  }
  if (auto p = root.optional_map("paper", {"geomean_speedup", "geomean_energy_efficiency"})) {
    if (p->has("geomean_speedup")) s.paper_speedup = p->positive_number("geomean_speedup");
    if (p->has("geomean_energy_efficiency")) s.paper_energy_efficiency = p->positive_number("geomean_energy_efficiency");
    p->reject_unknown_keys();
  }
  root.reject_unknown_keys();
  return s;
}

// Each point is a process of its own (0.1 s to minutes) with two or three files: 100,000
// points are hours of CPU and 300,000 files; more is a mistake in the spec (or a sweep's job).
constexpr size_t kMaxPoints = 100000;
// Point ids are folder names (points/ID/): under the usual 255-byte limit.
constexpr size_t kMaxPointIdBytes = 200;

std::vector<ExperimentPoint> expand_experiment(const ExperimentSpec& spec, const std::vector<std::string>& fidelities) {
  const std::vector<std::string>& fids = fidelities.empty() ? spec.fidelities : fidelities;
  for (const auto& f : fids) {
    if (std::find(kFidelities.begin(), kFidelities.end(), f) == kFidelities.end()) {
      throw InputError(fmt::format("fidelity '{}' is not one of analytic, ideal, cycle", f));
    }
  }
  // (design, dataflow) pairs in order: the designs, then the comparison's extra dataflows.
  std::vector<std::pair<const ExperimentDesign*, std::string>> runs;
  for (const auto& d : spec.designs) runs.emplace_back(&d, d.dataflow);
  for (const auto& df : spec.comparison_dataflows) {
    const auto it = std::find_if(spec.designs.begin(), spec.designs.end(),
                                 [&](const auto& d) { return d.name == spec.comparison_design; });
    if (it == spec.designs.end()) throw InputError("dataflow_comparison.design '" + spec.comparison_design + "' is not a design");
    if (std::none_of(runs.begin(), runs.end(), [&](const auto& r) { return r.first == &*it && r.second == df; })) {
      runs.emplace_back(&*it, df);
    }
  }
  std::vector<ExperimentPoint> points;
  std::set<std::string> ids;
  // Workload-major inside a fidelity: an interrupted or partial run already has complete
  // design comparisons for the workloads it reached.
  for (const auto& fid : fids) {
    for (const auto& model_file : spec.model_files) {
      for (const auto& sc : spec.scenarios) {
        for (int64_t batch : spec.batches) {
          for (const auto& [design, df] : runs) {
            ExperimentPoint p;
            p.design = design->name;
            p.hardware_file = design->hardware_file;
            p.set = design->set;
            p.dram_set = design->dram_set;
            p.dataflow = df;
            p.dataflow_name = dataflow_short_name(df);
            p.model = stem(model_file);
            p.model_file = model_file;
            p.scenario = stem(sc);
            p.scenario_arg = sc;
            p.batch = batch;
            p.fidelity = fid;
            p.id = fmt::format("{}_{}_{}_{}_{}_b{}", fid, p.design, p.dataflow_name, p.model, p.scenario, batch);
            if (is_searched_baseline(df)) {
              p.search_key = fmt::format("{}|{}|{}|{}|{}|{}", design->hardware_file, fmt::join(design->set, ","), df,
                                         model_file, sc, batch);
            }
            // The id names the point's folder (points/ID/): keep it under the 255-byte file name limit.
            if (p.id.size() > kMaxPointIdBytes) {
              throw InputError(fmt::format("{}: the point id '{}...' is {} bytes, more than the {} a file name may take; "
                                           "shorten the design, dataflow, model or scenario names",
                                           spec.file, p.id.substr(0, 60), p.id.size(), kMaxPointIdBytes));
            }
            if (!ids.insert(p.id).second) throw InputError(fmt::format("{}: two points have the id '{}'", spec.file, p.id));
            points.push_back(std::move(p));
            if (points.size() > kMaxPoints) {
              throw InputError(fmt::format("{}: more than {} points (each a process of its own); split the spec",
                                           spec.file, kMaxPoints));
            }
          }
        }
      }
    }
  }
  return points;
}

std::string dataflow_short_name(const std::string& df) { return is_dataflow_name(df) ? df : stem(df); }

SweepSpec experiment_sweep(const ExperimentSpec& ex, const std::vector<ExperimentPoint>& points) {
  SweepSpec s;
  s.file = ex.file;
  s.name = ex.name;
  s.command = "run";
  s.experiment_file = ex.file;
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
    p.overrides = e.set;
    p.dram_overrides = e.dram_set;
    p.serial_key = e.search_key;
    s.points.push_back(std::move(p));
  }
  return s;
}

}  // namespace h2sim

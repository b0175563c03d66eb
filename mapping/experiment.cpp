#include "mapping/experiment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "config/locator.hpp"
#include "config/yaml_reader.hpp"
#include "mapping/baselines.hpp"
#include "mapping/model.hpp"
#include "mapping/report.hpp"

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

std::string dataflow_short_name(const std::string& df) { return is_dataflow_name(df) ? df : stem(df); }

// Runs `load` (loading a file the spec names); its InputError is reported at `key` of the spec.
template <class F>
void at_key(YamlMap& m, const std::string& key, F load) {
  try {
    load();
  } catch (const InputError& e) {
    m.fail(key, e.what());
  }
}

double geomean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double s = 0;
  for (double x : v) s += std::log(x);
  return std::exp(s / double(v.size()));
}

std::string num(double v) { return fmt::format("{:.9g}", v); }

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
    YamlMap d(designs[i], path, fmt::format("designs[{}]", i), {"name", "label", "hardware", "dataflow"});
    ExperimentDesign e;
    e.name = d.name("name");
    if (!valid_id(e.name)) d.fail("name", fmt::format("'{}' must be letters, digits, '.', '+' or '-'", e.name));
    e.label = d.optional_name("label").value_or(e.name);
    e.hardware_file = resolve_path(dir, d.string("hardware"));
    at_key(d, "hardware", [&] { (void)load_hardware_config(e.hardware_file, {}); });  // fail now, not in every point
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
  for (const auto& b : string_list(root, "batches")) {
    char* end = nullptr;
    const long long v = std::strtoll(b.c_str(), &end, 10);
    if (b.empty() || *end != '\0' || v < 1 || v > 4096) root.fail("batches", fmt::format("'{}' is not a batch size in 1..4096", b));
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
// Point ids are file names (ID.json, ID.log, ID.infeasible): under the usual 255-byte limit.
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
              p.search_key = fmt::format("{}|{}|{}|{}|{}", design->hardware_file, df, model_file, sc, batch);
            }
            // The id names the point's files (ID.json, ID.log): keep it under the 255-byte file name limit.
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

std::vector<std::string> run_arguments(const ExperimentPoint& p, const std::string& json_file,
                                       const std::string& out_dir) {
  return {"run",          "--hw",       p.hardware_file, "--model",    p.model_file, "--scenario",
          p.scenario_arg, "--batch",    std::to_string(p.batch),       "--dataflow", p.dataflow,
          "--fidelity",   p.fidelity,   "--json",        json_file,    "--quiet",    "--out",
          out_dir};
}

PointResult read_point_result(const ExperimentPoint& p, const std::string& json_file) {
  PointResult r;
  r.point = p;
  std::ifstream in(json_file);
  if (!in) return r;
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    r.latency_s = j.at("latency_s").get<double>();
    r.prefill_s = j.at("prefill_s").get<double>();
    r.decode_s = j.at("decode_s").get<double>();
    r.ttft_s = j.at("ttft_s").get<double>();
    r.tpot_s = j.at("tpot_s").get<double>();
    r.wall_s = j.value("wall_s", 0.0);
    if (j.contains("energy_j") && j["energy_j"].is_number()) r.energy_j = j["energy_j"].get<double>();
    if (j.contains("tokens_per_joule") && j["tokens_per_joule"].is_number()) {
      r.tokens_per_joule = j["tokens_per_joule"].get<double>();
    }
    r.ok = r.latency_s > 0;
  } catch (const nlohmann::json::exception&) {
    r.ok = false;
  }
  return r;
}

std::string results_csv(const std::vector<PointResult>& results) {
  std::ostringstream o;
  o << "design,dataflow,model,scenario,batch,fidelity,latency_s,prefill_s,decode_s,ttft_s,tpot_s,energy_j,"
       "tokens_per_joule,wall_s,status\n";
  for (const auto& r : results) {
    const auto& p = r.point;
    o << p.design << ',' << p.dataflow_name << ',' << p.model << ',' << p.scenario << ',' << p.batch << ','
      << p.fidelity;
    if (r.ok) {
      o << ',' << num(r.latency_s) << ',' << num(r.prefill_s) << ',' << num(r.decode_s) << ',' << num(r.ttft_s)
        << ',' << num(r.tpot_s) << ',' << (r.energy_j ? num(*r.energy_j) : "") << ','
        << (r.tokens_per_joule ? num(*r.tokens_per_joule) : "") << ',' << fmt::format("{:.3f}", r.wall_s) << ",ok";
    } else {
      o << ",,,,,,,," << (r.infeasible.empty() ? ",failed" : ",infeasible");
    }
    o << '\n';
  }
  return o.str();
}

namespace {

// Results indexed by (fidelity, design, dataflow, model, scenario, batch).
using Key = std::tuple<std::string, std::string, std::string, std::string, std::string, int64_t>;

std::map<Key, const PointResult*> index_results(const std::vector<PointResult>& results) {
  std::map<Key, const PointResult*> m;
  for (const auto& r : results) {
    if (!r.ok) continue;
    const auto& p = r.point;
    m[{p.fidelity, p.design, p.dataflow, p.model, p.scenario, p.batch}] = &r;
  }
  return m;
}

struct Workload {
  std::string model, scenario;
  int64_t batch;
};

std::vector<Workload> workloads(const ExperimentSpec& spec) {
  std::vector<Workload> w;
  for (const auto& m : spec.model_files) {
    for (const auto& s : spec.scenarios) {
      for (int64_t b : spec.batches) w.push_back({stem(m), stem(s), b});
    }
  }
  return w;
}

const ExperimentDesign& design_of(const ExperimentSpec& spec, const std::string& name) {
  for (const auto& d : spec.designs) {
    if (d.name == name) return d;
  }
  throw InternalError("unknown design " + name);
}

// Geomean of other/ref latency (speedup of ref) and of ref/other tokens per joule over the
// workloads where both points succeeded (`batch` 0 = all batches).
nlohmann::json ratio_entry(const std::map<Key, const PointResult*>& idx, const std::vector<Workload>& wl,
                           const std::string& fid, const std::string& ref_design, const std::string& ref_df,
                           const std::string& other_design, const std::string& other_df, int64_t batch) {
  std::vector<double> speedups, effs;
  int64_t expected = 0;
  for (const auto& w : wl) {
    if (batch != 0 && w.batch != batch) continue;
    ++expected;
    auto a = idx.find({fid, ref_design, ref_df, w.model, w.scenario, w.batch});
    auto b = idx.find({fid, other_design, other_df, w.model, w.scenario, w.batch});
    if (a == idx.end() || b == idx.end()) continue;
    speedups.push_back(b->second->latency_s / a->second->latency_s);
    if (a->second->tokens_per_joule && b->second->tokens_per_joule && *b->second->tokens_per_joule > 0) {
      effs.push_back(*a->second->tokens_per_joule / *b->second->tokens_per_joule);
    }
  }
  nlohmann::json e;
  e["points"] = speedups.size();
  e["expected_points"] = expected;
  e["geomean_speedup"] = speedups.empty() ? nlohmann::json(nullptr) : nlohmann::json(geomean(speedups));
  if (!speedups.empty()) {
    e["min_speedup"] = *std::min_element(speedups.begin(), speedups.end());
    e["max_speedup"] = *std::max_element(speedups.begin(), speedups.end());
  }
  e["geomean_energy_efficiency"] =
      effs.empty() || effs.size() != speedups.size() ? nlohmann::json(nullptr) : nlohmann::json(geomean(effs));
  return e;
}

std::string cell(const nlohmann::json& v, const char* fmtstr = "{:.2f}x") {
  if (v.is_null()) return "n/a";
  return fmt::format(fmt::runtime(fmtstr), v.get<double>());
}

std::vector<std::string> fidelities_present(const ExperimentSpec& spec, const std::vector<PointResult>& results) {
  std::vector<std::string> f;
  for (const auto& fid : spec.fidelities) {
    if (std::any_of(results.begin(), results.end(), [&](const auto& r) { return r.point.fidelity == fid; })) {
      f.push_back(fid);
    }
  }
  return f;
}

}  // namespace

nlohmann::json experiment_summary(const ExperimentSpec& spec, const std::vector<PointResult>& results) {
  const auto idx = index_results(results);
  const auto wl = workloads(spec);
  const auto fids = fidelities_present(spec, results);
  nlohmann::json s;
  s["spec"] = spec.name;
  s["fidelities"] = fids;
  s["points"] = results.size();
  s["points_ok"] = std::count_if(results.begin(), results.end(), [](const auto& r) { return r.ok; });
  auto& inf = s["infeasible"];
  inf = nlohmann::json::array();
  for (const auto& r : results) {
    if (!r.ok && !r.infeasible.empty()) inf.push_back({{"point", r.point.id}, {"reason", r.infeasible}});
  }
  s["failed"] = std::count_if(results.begin(), results.end(), [](const auto& r) { return !r.ok && r.infeasible.empty(); });
  s["energy_reported"] = std::any_of(results.begin(), results.end(), [](const auto& r) { return r.ok && r.energy_j; });
  s["paper"] = {{"geomean_speedup", spec.paper_speedup}, {"geomean_energy_efficiency", spec.paper_energy_efficiency}};
  s["batches"] = spec.batches;
  const ExperimentDesign& ref = design_of(spec, spec.reference_design);
  s["reference"] = {{"design", ref.name}, {"label", ref.label}, {"dataflow", dataflow_short_name(ref.dataflow)}};
  auto& designs = s["designs"];
  designs = nlohmann::json::array();
  for (const auto& d : spec.designs) {
    if (d.name == ref.name) continue;
    nlohmann::json e{{"design", d.name}, {"label", d.label}, {"dataflow", dataflow_short_name(d.dataflow)}};
    for (const auto& fid : fids) {
      e[fid]["all"] = ratio_entry(idx, wl, fid, ref.name, ref.dataflow, d.name, d.dataflow, 0);
      for (int64_t b : spec.batches) {
        e[fid]["batch"][std::to_string(b)] = ratio_entry(idx, wl, fid, ref.name, ref.dataflow, d.name, d.dataflow, b);
      }
    }
    designs.push_back(e);
  }
  if (!spec.comparison_design.empty()) {
    auto& c = s["dataflow_comparison"];
    c["design"] = spec.comparison_design;
    c["reference"] = dataflow_short_name(spec.comparison_reference);
    c["dataflows"] = nlohmann::json::array();
    for (const auto& df : spec.comparison_dataflows) {
      nlohmann::json e{{"dataflow", dataflow_short_name(df)}};
      for (const auto& fid : fids) {
        e[fid] = ratio_entry(idx, wl, fid, spec.comparison_design, spec.comparison_reference, spec.comparison_design, df, 0);
      }
      c["dataflows"].push_back(e);
    }
  }
  return s;
}

std::string experiment_summary_markdown(const nlohmann::json& s) {
  std::ostringstream o;
  const auto fids = s["fidelities"].get<std::vector<std::string>>();
  const std::string ref = s["reference"]["label"].get<std::string>();
  const bool energy = s["energy_reported"].get<bool>();
  o << "# Experiment `" << s["spec"].get<std::string>() << "`\n\n";
  o << fmt::format("{} of {} points succeeded. Speedup = latency of the other design / latency of {} (geomean over "
                   "models x scenarios x batches where both ran); energy efficiency = tokens per joule of {} / "
                   "tokens per joule of the other.\n\n",
                   s["points_ok"].get<int64_t>(), s["points"].get<int64_t>(), ref, ref);
  if (!s["infeasible"].empty()) {
    o << s["infeasible"].size() << " points are infeasible (the design cannot hold the dataflow's data; they are left "
      << "out of the geomeans, whose point counts are in summary.json):\n\n";
    for (const auto& i : s["infeasible"]) o << "- `" << i["point"].get<std::string>() << "`\n";
    o << "\n";
  }
  if (s["failed"].get<int64_t>() > 0) o << s["failed"].get<int64_t>() << " points failed (see their logs in points/).\n\n";
  if (!energy) o << "Energy: the point results carry no `energy_j`/`tokens_per_joule`, so energy columns are empty.\n\n";

  o << "## Geomean speedup of " << ref << " (dataflow `" << s["reference"]["dataflow"].get<std::string>()
    << "`)\n\n| over | dataflow |";
  for (const auto& f : fids) o << " " << f << " speedup | " << f << " energy eff. |";
  o << " paper speedup | paper energy eff. |\n|---|---|";
  for (size_t i = 0; i < fids.size(); ++i) o << "---|---|";
  o << "---|---|\n";
  const double paper_s = s["paper"]["geomean_speedup"].get<double>();
  const double paper_e = s["paper"]["geomean_energy_efficiency"].get<double>();
  for (const auto& d : s["designs"]) {
    o << "| " << d["label"].get<std::string>() << " | " << d["dataflow"].get<std::string>() << " |";
    for (const auto& f : fids) {
      // A partial run says over how many workloads its geomean is.
      const auto& a = d[f]["all"];
      const int64_t n = a["points"].get<int64_t>(), expected = a["expected_points"].get<int64_t>();
      const std::string of = n < expected ? fmt::format(" ({}/{})", n, expected) : "";
      o << " " << cell(a["geomean_speedup"]) << of << " | " << cell(a["geomean_energy_efficiency"]) << " |";
    }
    // The paper's headline is against the in-die NMP designs (the designs with NMP in every die).
    const std::string name = d["design"].get<std::string>();
    const bool in_die = name.rfind("id-nmp", 0) == 0;
    o << " " << (in_die && paper_s > 0 ? fmt::format("{:.2f}x", paper_s) : "-") << " | "
      << (in_die && paper_e > 0 ? fmt::format("{:.2f}x", paper_e) : "-") << " |\n";
  }
  o << "\nThe paper reports " << fmt::format("{:.2f}x", paper_s) << " geomean speedup and "
    << fmt::format("{:.2f}x", paper_e) << " geomean energy efficiency against in-die NMP designs.\n";

  o << "\n### Per batch size (geomean speedup)\n\n| over | batch |";
  for (const auto& f : fids) o << " " << f << " |";
  o << "\n|---|---|";
  for (size_t i = 0; i < fids.size(); ++i) o << "---|";
  o << "\n";
  for (const auto& d : s["designs"]) {
    for (const auto& b : s["batches"]) {
      const std::string bs = std::to_string(b.get<int64_t>());
      o << "| " << d["label"].get<std::string>() << " | " << bs << " |";
      for (const auto& f : fids) o << " " << cell(d[f]["batch"][bs]["geomean_speedup"]) << " |";
      o << "\n";
    }
  }

  if (s.contains("dataflow_comparison")) {
    const auto& c = s["dataflow_comparison"];
    o << "\n## Dataflow comparison on " << c["design"].get<std::string>()
      << " hardware\n\nGeomean latency normalized to `" << c["reference"].get<std::string>()
      << "` (higher = slower; 1.00 = the reference).\n\n| dataflow |";
    for (const auto& f : fids) o << " " << f << " | " << f << " range |";
    o << "\n|---|";
    for (size_t i = 0; i < fids.size(); ++i) o << "---|---|";
    o << "\n";
    for (const auto& d : c["dataflows"]) {
      o << "| " << d["dataflow"].get<std::string>() << " |";
      for (const auto& f : fids) {
        const auto& e = d[f];
        o << " " << cell(e["geomean_speedup"], "{:.2f}") << " | "
          << (e.contains("min_speedup")
                  ? fmt::format("{:.2f}..{:.2f}", e["min_speedup"].get<double>(), e["max_speedup"].get<double>())
                  : "n/a")
          << " |";
      }
      o << "\n";
    }
  }
  return o.str();
}

namespace {

std::string scenario_abbrev(const std::string& s) {
  if (s == "humaneval") return "HE";
  if (s == "sharegpt") return "SG";
  if (s == "longbench") return "LB";
  if (s == "loogle") return "LG";
  return s;
}

// One clustered-histogram chart: a row per workload (plus a geomean row), a column per series,
// a panel per fidelity, each series' latency divided by the reference series' latency.
PlotSpec normalized_chart(const std::string& name, const std::string& title, const std::vector<std::string>& fids,
                          const std::vector<std::pair<std::string, std::string>>& series,  // (design, dataflow)
                          const std::vector<std::string>& labels, size_t ref_series, const std::vector<Workload>& wl,
                          const std::map<Key, const PointResult*>& idx, const std::string& plot_dir,
                          const std::string& png_path) {
  PlotSpec p;
  p.name = name;
  std::ostringstream data;
  for (size_t f = 0; f < fids.size(); ++f) {
    data << "# fidelity " << fids[f] << "\nworkload";
    for (const auto& l : labels) data << " \"" << l << "\"";
    data << "\n";
    std::vector<std::vector<double>> ratios(series.size());
    for (const auto& w : wl) {
      const auto ref = idx.find({fids[f], series[ref_series].first, series[ref_series].second, w.model, w.scenario, w.batch});
      data << '"' << w.model << ' ' << scenario_abbrev(w.scenario) << " b" << w.batch << '"';
      for (size_t i = 0; i < series.size(); ++i) {
        const auto it = idx.find({fids[f], series[i].first, series[i].second, w.model, w.scenario, w.batch});
        if (ref == idx.end() || it == idx.end()) {
          data << " NaN";
          continue;
        }
        const double r = it->second->latency_s / ref->second->latency_s;
        ratios[i].push_back(r);
        data << ' ' << num(r);
      }
      data << '\n';
    }
    data << "\"geomean\"";
    for (const auto& r : ratios) data << ' ' << (r.empty() ? std::string("NaN") : num(geomean(r)));
    data << "\n\n\n";  // two blank lines: the next gnuplot index
  }
  p.data = data.str();
  const std::string data_path = (fs::path(plot_dir) / (name + ".dat")).string();
  std::ostringstream g;
  // Log scale: 10x slower and 2x faster read equally well; the floor keeps the reference's 1.0
  // bars visible.
  g << "# " << title << " (generated by h2sim experiment)\n"
    << "set terminal png size 1800," << 420 * fids.size() << " font \",10\"\n"
    << "set output '" << png_path << "'\n"
    << "set multiplot layout " << fids.size() << ",1\n"
    << "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.9 border -1\n"
    << "set boxwidth 0.9\nset logscale y 2\nset yrange [0.25:*]\nset grid ytics\nset key outside right top\n"
    << "set xtics rotate by -60 font \",8\" nomirror\nset ylabel 'latency / " << labels[ref_series] << "'\n"
    << "set datafile missing 'NaN'\n";
  for (size_t f = 0; f < fids.size(); ++f) {
    g << "set title '" << title << " (" << fids[f] << ")'\n"
      << "plot '" << data_path << "' index " << f << " using 2:xtic(1) title columnheader(2)";
    for (size_t i = 1; i < series.size(); ++i) g << ", '' index " << f << " using " << i + 2 << " title columnheader(" << i + 2 << ")";
    g << "\n";
  }
  g << "unset multiplot\n";
  p.script = g.str();
  return p;
}

}  // namespace

std::vector<PlotSpec> experiment_plots(const ExperimentSpec& spec, const std::vector<PointResult>& results,
                                       const std::string& plot_dir, const std::string& png_suffix) {
  const auto idx = index_results(results);
  const auto wl = workloads(spec);
  const auto fids = fidelities_present(spec, results);
  std::vector<PlotSpec> plots;
  if (fids.empty()) return plots;
  std::vector<std::pair<std::string, std::string>> series;
  std::vector<std::string> labels;
  size_t ref = 0;
  for (const auto& d : spec.designs) {
    if (d.name == spec.reference_design) ref = series.size();
    series.emplace_back(d.name, d.dataflow);
    labels.push_back(d.label);
  }
  const auto png = [&](const std::string& n) { return (fs::path(plot_dir) / (n + ".png" + png_suffix)).string(); };
  plots.push_back(normalized_chart("designs", "Latency normalized to " + design_of(spec, spec.reference_design).label,
                                   fids, series, labels, ref, wl, idx, plot_dir, png("designs")));
  if (!spec.comparison_design.empty()) {
    series.clear();
    labels.clear();
    for (const auto& df : spec.comparison_dataflows) {
      if (df == spec.comparison_reference) ref = series.size();
      series.emplace_back(spec.comparison_design, df);
      labels.push_back(dataflow_short_name(df));
    }
    plots.push_back(normalized_chart("dataflows",
                                     "Dataflows on " + design_of(spec, spec.comparison_design).label +
                                         ": latency normalized to " + dataflow_short_name(spec.comparison_reference),
                                     fids, series, labels, ref, wl, idx, plot_dir, png("dataflows")));
  }
  return plots;
}

}  // namespace h2sim

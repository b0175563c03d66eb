#include "study/experiment_summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

#include "config/errors.hpp"

namespace h2sim {

namespace {


std::string stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

}  // namespace

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

double geomean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double s = 0;
  for (double x : v) s += std::log(x);
  return std::exp(s / double(v.size()));
}

std::map<ResultKey, const PointResult*> index_results(const std::vector<PointResult>& results) {
  std::map<ResultKey, const PointResult*> m;
  for (const auto& r : results) {
    if (!r.ok) continue;
    const auto& p = r.point;
    m[{p.fidelity, p.design, p.dataflow, p.model, p.scenario, p.batch}] = &r;
  }
  return m;
}

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

std::vector<std::string> fidelities_present(const ExperimentSpec& spec, const std::vector<PointResult>& results) {
  std::vector<std::string> f;
  for (const auto& fid : spec.fidelities) {
    if (std::any_of(results.begin(), results.end(), [&](const auto& r) { return r.point.fidelity == fid; })) {
      f.push_back(fid);
    }
  }
  return f;
}


namespace {






// Geomean of other/ref latency (speedup of ref) and of ref/other tokens per joule over the
// workloads where both points succeeded (`batch` 0 = all batches).
nlohmann::json ratio_entry(const std::map<ResultKey, const PointResult*>& idx, const std::vector<Workload>& wl,
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

}  // namespace h2sim

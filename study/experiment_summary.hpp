#pragma once
// An experiment's results: each point's `run --json` read back, the summary (geomean speedups of
// the reference design, energy-efficiency ratios, the dataflow comparison) as JSON and Markdown.
// Plain C++ (no SystemC).
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <tuple>
#include <string>
#include <vector>

#include "study/experiment.hpp"

namespace h2sim {

struct PointResult {
  ExperimentPoint point;
  bool ok = false;  // false: no (valid) JSON, the point failed or did not run
  double latency_s = 0, prefill_s = 0, decode_s = 0, ttft_s = 0, tpot_s = 0, wall_s = 0;
  std::optional<double> energy_j, tokens_per_joule;  // absent when run reports no energy
  std::string infeasible;  // why the design cannot run the point's dataflow ("" = not known so)
};

// Reads a point's JSON (as written by `run --json`); a missing or malformed file gives ok=false.
PointResult read_point_result(const ExperimentPoint& p, const std::string& json_file);

// Shared by the summary and the charts (study/plots.cpp):
double geomean(const std::vector<double>& v);  // 0 for no values
// Results indexed by (fidelity, design, dataflow, model, scenario, batch); successful points only.
using ResultKey = std::tuple<std::string, std::string, std::string, std::string, std::string, int64_t>;
std::map<ResultKey, const PointResult*> index_results(const std::vector<PointResult>& results);
struct Workload {
  std::string model, scenario;
  int64_t batch;
};
// Every (model, scenario, batch) of the spec, in spec order.
std::vector<Workload> workloads(const ExperimentSpec& spec);
// The design named `name` (InternalError if none).
const ExperimentDesign& design_of(const ExperimentSpec& spec, const std::string& name);
// The spec's fidelities that have at least one result, in spec order.
std::vector<std::string> fidelities_present(const ExperimentSpec& spec, const std::vector<PointResult>& results);

// Geomean speedups and energy-efficiency ratios of the reference design over each other design,
// per fidelity and per batch; the dataflow comparison normalized to its reference dataflow.
nlohmann::json experiment_summary(const ExperimentSpec& spec, const std::vector<PointResult>& results);
std::string experiment_summary_markdown(const nlohmann::json& summary);

}  // namespace h2sim

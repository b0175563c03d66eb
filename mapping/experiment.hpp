#pragma once
// The paper's experiments as data: a spec (configs/experiments/*.yaml) names designs (hardware +
// dataflow), models, scenarios, batches and fidelities, plus a dataflow comparison on one design.
// It expands into points, each one `h2sim run`; this file also turns the points' JSON results
// into the tables (CSV), the summary (geomean speedups, energy ratios) and gnuplot charts.
// Plain C++ (no SystemC, no processes): `h2sim experiment` (sim/cli/cmd_experiment.cpp) runs the
// points.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace h2sim {

struct ExperimentDesign {
  std::string name;           // id in point ids and tables: [A-Za-z0-9.+-]
  std::string label;          // shown in tables and charts (defaults to name)
  std::string hardware_file;  // resolved against the spec's folder
  std::string dataflow;       // dataflow name, or a dataflow YAML resolved against the spec's folder
};

struct ExperimentSpec {
  std::string file;
  std::string name;
  std::vector<ExperimentDesign> designs;
  std::string reference_design;          // the design whose speedup over the others is reported
  std::vector<std::string> model_files;  // resolved
  std::vector<std::string> scenarios;    // names (humaneval, ...) or resolved files
  std::vector<int64_t> batches;
  std::vector<std::string> fidelities;   // analytic, ideal, cycle; in run order
  // Dataflow comparison: every listed dataflow on one design, same models/scenarios/batches.
  std::string comparison_design;         // "" = no comparison
  std::vector<std::string> comparison_dataflows;
  std::string comparison_reference;      // the dataflow the others are normalized to
  double paper_speedup = 0;              // the paper's headline numbers, printed beside ours
  double paper_energy_efficiency = 0;
};

// Strict: unknown keys rejected with a suggestion; errors name the file and key. Hardware and
// model files are loaded (validated) once here, so a typo fails before any point runs.
ExperimentSpec load_experiment_spec(const std::string& path);

struct ExperimentPoint {
  std::string id;             // unique, deterministic, a valid file name
  std::string design;         // design name
  std::string hardware_file;
  std::string dataflow;       // as passed to `run --dataflow`
  std::string dataflow_name;  // short name for tables (file stem for dataflow files)
  std::string model;          // model id (file stem)
  std::string model_file;
  std::string scenario;       // scenario id (name or file stem)
  std::string scenario_arg;   // as passed to `run --scenario`
  int64_t batch = 1;
  std::string fidelity;
  // Non-empty for searched dataflows (cc-nmp, h2llm): points with the same key share one GA
  // search through the dataflow cache, so they must never run at the same time.
  std::string search_key;
};

// All points of the spec for the given fidelities (empty = the spec's), deduplicated (the
// comparison's run of the design's own dataflow is the design's point), in run order:
// fidelity, model, scenario, batch, then the designs and the comparison's dataflows in spec order.
// InputError if ids collide.
std::vector<ExperimentPoint> expand_experiment(const ExperimentSpec& spec,
                                               const std::vector<std::string>& fidelities = {});

// The `h2sim run` arguments of a point (without the executable).
std::vector<std::string> run_arguments(const ExperimentPoint& p, const std::string& json_file,
                                       const std::string& out_dir);

struct PointResult {
  ExperimentPoint point;
  bool ok = false;  // false: no (valid) JSON, the point failed or did not run
  double latency_s = 0, prefill_s = 0, decode_s = 0, ttft_s = 0, tpot_s = 0, wall_s = 0;
  std::optional<double> energy_j, tokens_per_joule;  // absent when run reports no energy
  std::string infeasible;  // why the design cannot run the point's dataflow ("" = not known so)
};

// Reads a point's JSON (as written by `run --json`); a missing or malformed file gives ok=false.
PointResult read_point_result(const ExperimentPoint& p, const std::string& json_file);

// One row per point in `results` order (empty cells for failed or infeasible points and absent
// energy); the last column, status, is ok, infeasible or failed.
std::string results_csv(const std::vector<PointResult>& results);

// Geomean speedups and energy-efficiency ratios of the reference design over each other design,
// per fidelity and per batch; the dataflow comparison normalized to its reference dataflow.
nlohmann::json experiment_summary(const ExperimentSpec& spec, const std::vector<PointResult>& results);
std::string experiment_summary_markdown(const nlohmann::json& summary);

// A gnuplot chart: its data file content and a script reading `data_path`, writing `png_path`.
struct PlotSpec {
  std::string name;  // designs, dataflows
  std::string data;
  std::string script;
};
// Charts of latency normalized to the reference, per model/scenario/batch, one panel per
// fidelity. `plot_dir` is where the data file and the PNG go (paths are embedded in the script).
std::vector<PlotSpec> experiment_plots(const ExperimentSpec& spec, const std::vector<PointResult>& results,
                                       const std::string& plot_dir, const std::string& png_suffix);

}  // namespace h2sim

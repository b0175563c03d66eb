#pragma once
// The paper's experiments as data: a spec (configs/experiments/*.yaml) names designs (hardware +
// dataflow), models, scenarios, batches and fidelities, plus a dataflow comparison on one design.
// It expands into points, each one `h2sim run`, which become the points of a sweep
// (experiment_sweep): `h2sim experiment` runs them with the sweep runner, merges them, then
// summarizes (study/experiment_summary.hpp) and plots (study/plots.hpp); study/experiment_run.hpp.
// Plain C++ (no SystemC).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "study/sweep_spec.hpp"

namespace h2sim {

struct ExperimentDesign {
  std::string name;           // id in point ids and tables: [A-Za-z0-9.+-]
  std::string label;          // shown in tables and charts (defaults to name)
  std::string hardware_file;  // resolved against the spec's folder
  std::string dataflow;       // dataflow name, or a dataflow YAML resolved against the spec's folder
  // Variants of a shipped design (a sensitivity study): KEY=VALUE overrides passed to every run of
  // this design as --set (hardware config) and --dram-set (its DRAM standard).
  std::vector<std::string> set, dram_set;
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
  std::vector<std::string> set, dram_set;  // the design's overrides
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

// A dataflow as tables name it: the name, or a dataflow file's stem.
std::string dataflow_short_name(const std::string& dataflow);

// The sweep of an experiment: its points (`points`, in expansion order) as `h2sim run` points
// with axes fidelity, design, dataflow, model, scenario, batch; points of a searched dataflow
// share their search (SweepPoint::serial_key).
SweepSpec experiment_sweep(const ExperimentSpec& spec, const std::vector<ExperimentPoint>& points);

}  // namespace h2sim

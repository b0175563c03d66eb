#pragma once
// The experiment's charts: gnuplot data and scripts (latency normalized to the reference, per
// model/scenario/batch, one panel per fidelity), drawn with gnuplot when it is installed.
// Plain C++ (no SystemC).
#include <string>
#include <vector>

#include "study/experiment_summary.hpp"

namespace h2sim {

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

// Writes each chart's data and script into `plot_dir` and draws the PNGs with gnuplot if it is on
// PATH (a PNG appears only complete: drawn to a temporary name, then renamed); without gnuplot a
// warning says how to install it. Returns nothing; a gnuplot failure is a warning with its log.
void write_plots(const ExperimentSpec& spec, const std::vector<PointResult>& results, const std::string& plot_dir);

}  // namespace h2sim

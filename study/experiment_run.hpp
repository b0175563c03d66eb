#pragma once
// `h2sim experiment` as one function: expand the spec into points, run them through the sweep
// runner (study/sweep.hpp: one process per point, N at a time, resumable, searches shared by
// serial key, infeasible points classified), merge them into results.csv (study/merge.hpp),
// then summarize (summary.json, summary.md) and plot (plots/). Plain C++ (no SystemC).
#include <set>
#include <string>
#include <vector>

#include "study/experiment.hpp"

namespace h2sim {

struct ExperimentRunOptions {
  std::string spec_file;
  std::string out_dir;
  int jobs = 2;
  std::vector<std::string> fidelities;  // run only these (empty: the spec's)
  double max_wall_s = 0;                // per point, passed to each `run` (0: none)
  std::string exe;                      // the h2sim that runs the points
};

struct ExperimentRunReport {
  size_t points = 0;        // to run (the selected fidelities)
  size_t already_done = 0;  // skipped: a result or infeasible.txt existed
  size_t ran = 0;
  std::set<std::string> failed;
  double wall_s = 0;
  std::string summary_markdown;
};

// Checks the output folder first; InputError for a bad spec or folder, before anything runs.
ExperimentRunReport run_experiment(const ExperimentRunOptions& options);

// Writes DIR/results.csv (the merged sweep CSV), summary.json, summary.md and the charts of an
// experiment folder from the points' results there (every fidelity found, so analytic and cycle
// sit side by side); returns summary.md. `h2sim merge` of an experiment folder runs this too.
std::string summarize_experiment(const ExperimentSpec& spec, const std::string& out_dir);

}  // namespace h2sim

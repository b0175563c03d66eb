#pragma once
// Merging a sweep folder (study/sweep.hpp): every point's result.json gathered into one CSV and
// a summary of its numeric columns. The one CSV format of `h2sim merge` and `h2sim experiment`.
// Plain C++ (no SystemC).
#include <string>
#include <vector>

namespace h2sim {

struct SweepMergeResult {
  size_t points = 0;
  size_t ok = 0;
  size_t infeasible = 0;
  std::vector<std::string> missing;  // ids with neither a (valid) result.json nor infeasible.txt
  std::string csv;                   // results.csv
  std::string summary;               // summary.json
  std::string experiment_file;       // the manifest's experiment spec ("" for a sweep)
};

// Gathers every point's result.json (in the manifest's order, the expansion order) into one CSV
// (id, status, axis values, then every scalar of the results, nested objects flattened with '.',
// lists and wall_* fields left out, numbers printed in shortest round-trip form) and a summary
// (counts, missing ids, min/max/geomean of each numeric column). status is ok, infeasible (the
// point cannot run: infeasible.txt), failed (it ran, log.txt, but gave no result) or missing
// (not run). Same bytes whatever the shard count or order.
SweepMergeResult merge_sweep(const std::string& out_dir);

}  // namespace h2sim

#pragma once
// Running a sweep: the folder layout, the files every shard derives from the spec, and the
// points run through the process pool (study/process_pool.hpp), resumable. `h2sim sweep` and
// `h2sim experiment` both run here, with one folder layout:
//
//   DIR/sweep.json                  manifest: name, command, every point's id and axis values
//   DIR/points/<id>/config.yaml     the point's resolved flags, overrides, command line, hardware
//   DIR/points/<id>/result.json     its result (written atomically: existence means complete)
//   DIR/points/<id>/log.txt         its output
//   DIR/points/<id>/infeasible.txt  instead of a result: why the point cannot run (not retried)
//   DIR/dataflows/                  searches shared by points with a serial key
//
// Plain C++ (no SystemC).
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "study/process_pool.hpp"
#include "study/sweep_spec.hpp"

namespace h2sim {

// Files of a sweep folder.
std::string sweep_point_dir(const std::string& out_dir, const SweepPoint& p);
std::string sweep_result_file(const std::string& out_dir, const SweepPoint& p);
std::string sweep_infeasible_file(const std::string& out_dir, const SweepPoint& p);
// The folder whose dataflows/ caches the point's searched dataflow: its own folder, or the sweep
// folder for points that share a search (a serial key).
std::string sweep_cache_dir(const std::string& out_dir, const SweepPoint& p);

// The manifest (DIR/sweep.json): command and every point's id and axis values (and the
// experiment spec, for an experiment), so `merge` needs only the folder. Every shard writes the
// same bytes.
std::string sweep_manifest(const SweepSpec& spec, const std::vector<SweepPoint>& points);
// A point's config.yaml: id, command, axis values, flags, overrides, the command line, and the
// resolved hardware config (the file with the overrides applied).
std::string sweep_point_config(const SweepSpec& spec, const SweepPoint& p);

// Runs the pending points of a set (all of them pending: no result, not infeasible). The real
// one spawns processes (process_point_runner); tests pass a fake.
using SweepPointRunner = std::function<ProcessPoolResult(const std::vector<SweepPoint>& pending)>;

struct SweepRunResult {
  size_t points = 0;        // in this shard
  size_t already_done = 0;  // skipped: result.json or infeasible.txt existed
  size_t ran = 0;
  std::set<std::string> failed;
  std::map<std::string, std::string> infeasible;  // found now: id -> reason
};

// Writes the manifest and each point's config.yaml (InputError if the folder holds a different
// sweep: the spec changed, so its results would not match), then runs the points of `mine` that
// have no result.json and no infeasible.txt yet, and records the infeasible ones' reasons.
SweepRunResult run_sweep(const SweepSpec& spec, const std::vector<SweepPoint>& all, const std::vector<SweepPoint>& mine,
                         const std::string& out_dir, const SweepPointRunner& runner);

struct PointRunnerOptions {
  std::string exe;                      // the h2sim to run (self_executable())
  int jobs = 1;
  size_t total = 0;                     // points of the shard, for the progress lines
  std::vector<std::string> extra_args;  // appended to every point's command line (--max-wall-s S)
  JobClassifier classify = classify_by_exit;
};
// The runner that runs each point as its own process, `jobs` at a time, points with the same
// serial key one after another.
SweepPointRunner process_point_runner(const SweepSpec& spec, const std::string& out_dir, const PointRunnerOptions& o);

// The classification of `run` points: ok with a result; infeasible if run rejected the point's
// dataflow as illegal for the design (exit 2, "illegal dataflow" in its log: e.g. a fixed
// baseline whose KV cache overfills its channels at batch 16); failed otherwise.
JobVerdict classify_run_point(const ProcessJob& job, const JobExit& exit);

}  // namespace h2sim

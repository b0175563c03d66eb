#pragma once
// Sweeps: a spec (YAML) names one h2sim command (run, gemm, analyze), the flags every point
// shares (`base:`) and the axes it varies (`axes:`); it expands into independent points, each
// one process of that command with its own folder DIR/points/<id>/ (config.yaml, result.json,
// log). Plain C++ (no SystemC, no processes): `h2sim sweep` / `h2sim merge`
// (sim/cli/cmd_sweep.cpp) run the points through sim/process_pool.hpp.
//
//   name: tiny
//   command: run
//   base: {model: ../e2e/tiny-llama.yaml, dataflow: fc-nmp}
//   axes:
//     - fidelity: [analytic, cycle]          # one key: a dimension of the cartesian product
//     - {batch: [1, 2], set.nmp_channels: [6, 4]}   # several keys: zipped (same length)
//
// Keys are the command's flags without `--` (hw, model, scenario, batch, ...), boolean flags
// (exact) as true/false, and `set.KEY` for a hardware override (`--set KEY=VALUE`). Paths are
// resolved against the spec's folder. An experiment spec (configs/experiments/*.yaml, with
// `designs:`) is accepted too and expands exactly like `h2sim experiment` (mapping/experiment.hpp).
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace h2sim {

using KeyValues = std::vector<std::pair<std::string, std::string>>;  // ordered, as in the spec

// One dimension of the product: several keys advancing together (a zip); rows[i][k] is the
// value of keys[k] in step i.
struct SweepAxis {
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> rows;
};

struct SweepPoint {
  size_t index = 0;          // position in expansion order
  std::string id;            // unique, deterministic, a file name; sorting ids = expansion order
  KeyValues axis_values;     // as written in the spec (the CSV's leading columns)
  KeyValues flags;           // resolved flags without `--` (paths absolute), base then axes
  std::vector<std::string> overrides;  // KEY=VALUE for --set, base then axes
};

struct SweepSpec {
  std::string file;
  std::string name;
  std::string command;  // run, gemm, analyze
  KeyValues base;
  std::vector<SweepAxis> axes;
  std::vector<SweepPoint> points;  // set when loaded from an experiment spec (already expanded)
};

// Strict: unknown top-level keys, unknown flags (with a suggestion), flags the sweep manages
// itself (json, out, quiet, trace, vcd), zipped lists of unequal length and duplicate axis keys
// are InputErrors naming the file and key.
SweepSpec load_sweep_spec(const std::string& path);

// Every point in expansion order (the first axis varies slowest). Each point's hardware config
// (with its overrides), model and scenario are loaded, so a bad key or file fails here, before
// anything runs. InputError if two points get the same id.
std::vector<SweepPoint> expand_sweep(const SweepSpec& spec);

// The command line of a point (without the executable): the command, its flags, the overrides,
// and the outputs the sweep manages (--json result_file, --out point_dir for `run`, --quiet).
std::vector<std::string> sweep_point_arguments(const SweepSpec& spec, const SweepPoint& p,
                                               const std::string& result_file, const std::string& point_dir);

// Shard `shard` of `shards` (1-based): points whose index % shards == shard - 1, so every point
// lands in exactly one shard and neighbouring (similar-cost) points spread over shards.
std::vector<SweepPoint> shard_points(const std::vector<SweepPoint>& points, int shard, int shards);
// Parses "I/N" (1 <= I <= N); InputError otherwise.
std::pair<int, int> parse_shard(const std::string& text);

// Files of a sweep folder.
std::string sweep_point_dir(const std::string& out_dir, const SweepPoint& p);
std::string sweep_result_file(const std::string& out_dir, const SweepPoint& p);

// The manifest (DIR/sweep.json): command and every point's id and axis values, so `merge`
// needs only the folder. Every shard writes the same bytes.
std::string sweep_manifest(const SweepSpec& spec, const std::vector<SweepPoint>& points);
// A point's config.yaml: id, command, axis values, flags, overrides, the command line, and the
// resolved hardware config (the file with the overrides applied).
std::string sweep_point_config(const SweepSpec& spec, const SweepPoint& p);

// Runs the pending points of a set and returns the ids that failed. The real one spawns
// processes (sim/process_pool.hpp); tests pass a fake.
using SweepPointRunner = std::function<std::set<std::string>(const std::vector<SweepPoint>& pending)>;

struct SweepRunResult {
  size_t points = 0;        // in this shard
  size_t already_done = 0;  // skipped: result.json existed
  size_t ran = 0;
  std::set<std::string> failed;
};

// Writes the manifest and each point's config.yaml (InputError if the folder holds a different
// sweep: the spec changed, so its results would not match), then runs the points of `mine` that
// have no result.json yet. A result.json is written atomically, so its existence means complete.
SweepRunResult run_sweep(const SweepSpec& spec, const std::vector<SweepPoint>& all, const std::vector<SweepPoint>& mine,
                         const std::string& out_dir, const SweepPointRunner& runner);

struct SweepMergeResult {
  size_t points = 0;
  size_t ok = 0;
  std::vector<std::string> missing;  // ids without a (valid) result.json
  std::string csv;                   // results.csv
  std::string summary;               // summary.json
};

// Gathers every point's result.json (sorted by id) into one CSV (id, status, axis values, then
// every scalar of the results, nested objects flattened with '.', lists and wall_* fields left
// out, numbers printed in shortest round-trip form) and a summary (counts, missing ids,
// min/max/geomean of each numeric column). Same bytes whatever the shard count or order.
SweepMergeResult merge_sweep(const std::string& out_dir);


}  // namespace h2sim

#pragma once
// Sweep specs: a spec (YAML) names one h2sim command (run, gemm, analyze), the flags every point
// shares (`base:`) and the axes it varies (`axes:`); it expands into independent points, each
// one process of that command (study/sweep.hpp runs them). Plain C++ (no SystemC).
//
//   name: tiny
//   command: run
//   base: {model: ../e2e/tiny-llama.yaml, dataflow: fc-nmp}
//   axes:
//     - fidelity: [analytic, cycle]          # one key: a dimension of the cartesian product
//     - {batch: [1, 2], set.nmp_channels: [6, 4]}   # several keys: zipped (same length)
//
// Keys are the command's flags without `--` (every flag in its table, sim/cli/flags/: hw, model,
// scenario, batch, context-stride, ...), boolean flags (exact) as true/false, and PREFIX.KEY for
// a KEY=VALUE flag: `set.KEY` (--set KEY=VALUE, hardware), `energy-set.KEY` (--energy-set) and
// `dram-set.KEY` (--dram-set). Outputs (json, out, trace, vcd, quiet) belong to the sweep. Paths
// are resolved against the spec's folder. An experiment spec (with `designs:`) is accepted too
// and expands exactly like `h2sim experiment` (study/experiment.hpp).
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
  std::string id;            // unique, deterministic, a file name
  KeyValues axis_values;     // as written in the spec (the CSV's leading columns)
  KeyValues flags;           // resolved flags without `--` (paths absolute), base then axes
  std::vector<std::string> overrides;         // KEY=VALUE for --set (hardware), base then axes
  std::vector<std::string> energy_overrides;  // KEY=VALUE for --energy-set
  std::vector<std::string> dram_overrides;    // KEY=VALUE for --dram-set
  // Points with the same non-empty key share one dataflow search through the sweep folder's
  // cache (DIR/dataflows): they run one after another (ProcessJob::serial_key), the first one
  // searches, the next ones read the cached result. Empty: the point has its own cache.
  std::string serial_key;
};

struct SweepSpec {
  std::string file;
  std::string name;
  std::string command;  // run, gemm, analyze
  KeyValues base;
  std::vector<SweepAxis> axes;
  std::vector<SweepPoint> points;  // set when made from an experiment spec (already expanded)
  std::string experiment_file;     // the experiment spec it was made from ("" for a sweep spec)
};

// Strict: unknown top-level keys, unknown flags (with a suggestion), flags the sweep manages
// itself (outputs, quiet), values outside the command's range, zipped lists of unequal length and
// duplicate axis keys are InputErrors naming the file and key.
SweepSpec load_sweep_spec(const std::string& path);

// Every point in expansion order (the first axis varies slowest). Each point's hardware config
// (with its overrides), DRAM standard (with --dram-set overrides), energy prices (with
// --energy-set overrides), model and scenario are loaded, so a bad key or file fails here, before
// anything runs. InputError if two points get the same id.
std::vector<SweepPoint> expand_sweep(const SweepSpec& spec);

// The command line of a point (without the executable): the command, its flags, the overrides,
// and the outputs the sweep manages (--json result_file, --out cache_dir for `run`, --quiet).
std::vector<std::string> sweep_point_arguments(const SweepSpec& spec, const SweepPoint& p,
                                               const std::string& result_file, const std::string& cache_dir);

// Shard `shard` of `shards` (1-based): points whose index % shards == shard - 1, so every point
// lands in exactly one shard and neighbouring (similar-cost) points spread over shards.
std::vector<SweepPoint> shard_points(const std::vector<SweepPoint>& points, int shard, int shards);
// Parses "I/N" (1 <= I <= N); InputError otherwise.
std::pair<int, int> parse_shard(const std::string& text);

// The value of `key` in `kv`, or nullptr.
const std::string* value_of(const KeyValues& kv, const std::string& key);

}  // namespace h2sim

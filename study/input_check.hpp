#pragma once
// Validating any h2sim input file without running anything (`h2sim check`, the bad-input
// table test, the fuzz targets): detect what kind of file it is, load it with its strict
// loader, and describe the resolved values with their units. It reads every kind of input
// (configs, DRAM standards, models, dataflows, experiment and sweep specs), so it sits in study/,
// above the loaders it calls.
//
// Plain C++ (no SystemC), so the unit tests and the fuzz targets link it without a kernel.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/locator.hpp"

namespace h2sim {

enum class InputKind { hardware, dram, energy, model, artifact_graph, artifact_shape, scenario, dataflow, experiment, sweep };

const char* to_string(InputKind kind);
// Parses "hardware", "dram", "energy", "model", "artifact-graph", "artifact-shape", "scenario", "dataflow", "experiment",
// "sweep".
std::optional<InputKind> parse_input_kind(const std::string& name);
std::vector<std::string> input_kind_names();

// What a file is, from its content: a JSON object with `node` is an artifact graph, one with
// `layer_num`/`type` an artifact shape; a YAML map is scored by how many of its top-level keys
// (or near misses of them, so a typo does not change the verdict) belong to each format; a
// leading comment `# kind: NAME` decides when present. Throws InputError (naming the file) for
// an unreadable or malformed file, or when no kind fits.
InputKind detect_input_kind(const std::string& path);

struct CheckOptions {
  // A dataflow is only meaningful for a model on a design: these are the files it is checked
  // against. Empty: the `model:`/`hardware:` names in the dataflow if they are shipped configs,
  // else llama3-8b on h2llm.
  std::string hw_file;
  std::string model_file;
  // The path of a shipped config by name, "" if there is none (the CLI passes config/locator's
  // shipped_config_path; unset: no shipped configs, --hw and --model are needed for dataflows).
  std::function<std::string(ConfigKind, const std::string&)> shipped_config;
  int64_t batch = 1;                  // dataflow capacity check: sequences decoded together
  int64_t max_context_tokens = 2048;  // dataflow capacity check: KV cache context
};

// Loads `path` as `kind` with every check its loader (and the cross-file checks: a hardware
// config's DRAM standard, an artifact graph's shape.json) makes, and returns the resolved
// values as text, one `key: value unit` per line. Throws InputError on the first problem.
std::string check_input_file(const std::string& path, InputKind kind, const CheckOptions& options);

}  // namespace h2sim

#pragma once
// Turning a `--dataflow NAME|FILE` into a checked Dataflow: the fixed baselines by name, the
// searched spaces (cc-nmp, h2llm) as the best dataflow the GA finds (cached as YAML in a folder
// when one is given), or a dataflow YAML file. Shared by `analyze` and `run`.
#include <string>

#include "config/hardware_config.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/evaluator.hpp"
#include "mapping/model.hpp"
#include "mapping/search.hpp"

namespace h2sim {

struct DataflowChoice {
  std::string name_or_file;
  bool artifact_compat = false;
  SearchParams search;       // for the searched spaces
  std::string cache_dir;     // "" = no cache; else searched dataflows are kept here as YAML
  bool progress = true;      // say on stderr when searching or reusing a cached search
};

// The default for a design: npu-only without NMP channels, else the searched h2llm space.
std::string default_dataflow_name(const HardwareConfig& hw);

Dataflow choose_dataflow(const DataflowChoice& choice, const HardwareConfig& hw, const ModelConfig& model,
                         const Scenario& scenario, int64_t batch);

// A searched space's leaders: its best dataflows by the analytic model (the search's distinct
// top-k, best first, at most `n`), each checked, with their analytic per-layer latencies. Runs
// the search (its cache holds the best only). For a selection at cycle fidelity.
struct SearchLeaders {
  std::vector<Dataflow> dataflows;
  std::vector<double> latency_per_layer_s;
};
SearchLeaders search_leaders(const DataflowChoice& choice, const HardwareConfig& hw, const ModelConfig& model,
                             const Scenario& scenario, int64_t batch, int64_t n);

// A cache key: FNV-1a (64 bit) of `text` as 16 hex digits, the same across runs and machines.
std::string cache_key_hash(const std::string& text);

// The file a searched dataflow is cached in ("" without a cache folder or for other dataflows);
// its name carries a hash of every input of the search.
std::string searched_dataflow_cache_file(const DataflowChoice& choice, const HardwareConfig& hw,
                                         const ModelConfig& model, const Scenario& scenario, int64_t batch);

}  // namespace h2sim

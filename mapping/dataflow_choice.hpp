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

}  // namespace h2sim

#pragma once
// Shared front-end helpers of `h2sim analyze` and `h2sim explore`: finding configs by name and
// rendering an analytic evaluation as a table and as JSON.
#include <nlohmann/json.hpp>

#include <string>

#include "config/hardware_config.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/evaluator.hpp"
#include "mapping/model.hpp"

namespace h2sim {

// A scenario given as a file, or as a name looked up as NAME.yaml in: ../scenarios next to the
// model file, ./configs/scenarios, and configs/scenarios above the running executable.
Scenario resolve_scenario(const std::string& name_or_file, const std::string& model_file);

struct AnalysisContext {
  const HardwareConfig* hw = nullptr;
  const ModelConfig* model = nullptr;
  const Scenario* scenario = nullptr;
  int64_t batch = 1;
  bool artifact_compat = false;
};

std::string timing_table(const AnalysisContext& ctx, const Dataflow& df, const DataflowTiming& t);
nlohmann::json timing_json(const AnalysisContext& ctx, const Dataflow& df, const DataflowTiming& t);

}  // namespace h2sim

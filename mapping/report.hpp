#pragma once
// Shared front-end helpers of `h2sim analyze` and `h2sim explore`: an analytic evaluation
// rendered as a table and as JSON.
#include <nlohmann/json.hpp>

#include <string>

#include "config/hardware_config.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/evaluator.hpp"
#include "mapping/model.hpp"

namespace h2sim {

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

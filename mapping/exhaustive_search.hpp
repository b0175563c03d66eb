#pragma once
// Role: exhaustive search of the GA's dataflow space, as ground truth for small graphs (tests
// compare the GA's answer with it). Enumerates with the sampler's MIX ratio candidates
// (mapping/dataflow_sampler.hpp).
#include <cstdint>

#include "config/hardware_config.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/dataflow_sampler.hpp"
#include "mapping/evaluator.hpp"
#include "mapping/model.hpp"

namespace h2sim {

// Exhaustive search of the same space (small graphs only): every ordered MAG partition, and for
// each MAG every GCMap, tiering and OCMap (with the same MIX ratio candidates). Latency is a sum
// over MAGs, so each MAG is optimised independently. Throws InputError if the space exceeds
// `max_mappings_per_mag` mappings for one MAG, or if the optimum overfills a channel.
struct ExhaustiveResult {
  Dataflow best;
  double latency_per_layer_s = 0;
  int64_t mag_partitions = 0;
  int64_t mappings_evaluated = 0;
};
ExhaustiveResult exhaustive_search(const HardwareConfig& hw, const ModelConfig& model, const Scenario& scenario,
                                   int64_t batch, const EvaluatorOptions& options, DataflowSpace space, int ratio_steps,
                                   int64_t max_mappings_per_mag = 5'000'000);

}  // namespace h2sim

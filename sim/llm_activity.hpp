#pragma once
// Role: activity accounting of an inference (what the energy model prices): counted from the
// simulated chip's components (ideal, cycle), or derived from the workload (analytic, which has
// no simulation to count).
#include <cstdint>

#include "config/hardware_config.hpp"
#include "mapping/activity.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/model.hpp"
#include "models/chip.hpp"

namespace h2sim {

// Everything the chip's links, DRAM ports, PEs and NPU have done since it was built. Differences
// of two readings give the activity of what ran in between.
ActivityCounts chip_activity(Chip& chip, const HardwareConfig& hw);
ActivityCounts activity_difference(const ActivityCounts& after, const ActivityCounts& before);

// The analytic fidelity's activity of the whole inference (prefill and every decode step, all
// layers): each NMP part streams its weights once through the HB ports and moves its inputs and
// partial sums over the links; each NPU part (and all of prefill) streams its DRAM operand once,
// opening each DRAM row of `row_bytes` (the standard's organisation.row_bytes) once.
ActivityCounts workload_activity(const HardwareConfig& hw, const ModelConfig& model, const Scenario& scenario,
                                 int64_t batch, const Dataflow& df, bool artifact_compat, int64_t row_bytes);

}  // namespace h2sim

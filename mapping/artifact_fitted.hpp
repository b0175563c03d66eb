#pragma once
// The artifact's fitted in-die "utilization" (reproduced under --artifact-compat only).
//
// The H2-LLM artifact (github leesou/H2-LLM-ISCA-2025, dse/nmp_evaluator.py, NMPRoofline::
// set_utilization, commit c5708b5) divides the whole latency of every NMP GEMM (input transfer +
// compute + output transfer, times the GEMMs per channel) by a constant chosen by the PE tuple
// and the batch: for (1 FPU, 1000 MHz, 6.4 GB/s), i.e. ID-NMP+, 0.71 / 0.45 / 0.52 at batch
// 1 / 4 / 16; for (1 FPU, 200 MHz, 6.4 GB/s), i.e. ID-NMP, 0.46 / 0.71 / 0.83. Every other PE
// tuple or batch keeps 1.0. The values are presumably fitted to the authors' private simulator;
// no mechanism is given. h2sim's default never applies them: its in-die efficiency comes from
// the PIM command stream at cycle fidelity (docs/fidelity.md). With --artifact-compat the
// analytic evaluator applies them so its numbers match the artifact's, and the reports say so.
#include <cstdint>

#include "config/hardware_config.hpp"

namespace h2sim {

// 1.0 unless the design's PE tuple and the batch are ones the artifact fitted.
double artifact_fitted_nmp_utilization(const PeConfig& pe, int64_t batch);

}  // namespace h2sim

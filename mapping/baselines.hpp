#pragma once
// The named dataflows h2sim compares (reference §6 "Baselines"), built for a model and a design.
//
// Fixed baselines (each operator its own MAG, in topological order, so operators run one after
// another as in the artifact's fixed-mapping evaluator):
//   npu-only        CP: everything on the NPU, reading every channel.
//   fc-nmp          decode FC on the NMP channels; attention on the NPU, KV cache on all channels.
//   attn-nmp        decode attention on the NMP channels; FC on the NPU, weights on all channels.
//   attn-nmp-split  attn-nmp, plus the FFN (f1, f2, f3) split between NMP and NPU (MIX) with
//                   NMP share r/(r+1), r = floor(nmp * per-PE HB bandwidth / (normal * 12.8 GB/s)).
//                   The artifact inverts it (NPU gets r/(r+1)); reproduced only with artifact_compat.
// Searched spaces (see mapping/search.hpp): cc-nmp (compute-centric: an operator uses only NMP
// or only normal channels) and h2llm (the unconstrained data-centric space).
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/model.hpp"

namespace h2sim {

std::vector<std::string> baseline_names();        // all six
bool is_fixed_baseline(const std::string& name);  // npu-only, fc-nmp, attn-nmp, attn-nmp-split
bool is_searched_baseline(const std::string& name);  // cc-nmp, h2llm

// Builds a fixed baseline; InputError if the name is unknown or the design cannot host it.
Dataflow make_fixed_baseline(const std::string& name, const ModelConfig& model, const HardwareConfig& hw,
                             bool artifact_compat = false);

}  // namespace h2sim

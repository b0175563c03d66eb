#pragma once
// The data-centric dataflow of one decoder layer (reference §6, paper §5) and its legality.
//
//   Dataflow = ordered MAGs (memory access groups; run one after another)
//   MAG      = MPGs (memory partition groups: the weakly connected components of the MAG's
//              subgraph; run in parallel on disjoint channel sets = the coarse binding, GCMap)
//   MPG      = tiers (antichains in topological order; run one after another)
//   tier     = operator bindings (fine binding, OCMap): each operator's data lives on a disjoint
//              subset of the MPG's NMP channels and/or on the normal pool.
// Channels 0..nmp-1 of the hardware are NMP channels (bound one by one, bitmask `nmp_mask`);
// the normal channels nmp..C-1 form one indivisible pool (the NPU reads all of them).
// Execution follows the data: pool only -> NPU, NMP only -> NMP, both -> MIX (operator fission
// by `nmp_ratio`: FC split along N, attention along B; along N when B = 1).
#include <cstdint>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/gemm.hpp"
#include "mapping/model.hpp"

namespace h2sim {

enum class ExecKind { npu, nmp, mix };
const char* to_string(ExecKind kind);

struct OperatorBinding {
  int op = -1;               // index in the model's operator graph
  uint32_t nmp_mask = 0;     // NMP channels holding (part of) the operator's data
  bool normal_pool = false;  // the normal pool holds (part of) it
  double nmp_ratio = 1.0;    // MIX: fraction of the data (and work) on the NMP channels
  // Compute-centric baselines only (fc-nmp, attn-nmp, npu-only): the NPU executes the operator,
  // reading its data even from NMP channels over their external interface. Never set by the
  // data-centric search.
  bool npu_reads_nmp = false;

  ExecKind exec() const {
    if (npu_reads_nmp || nmp_mask == 0) return ExecKind::npu;
    return normal_pool ? ExecKind::mix : ExecKind::nmp;
  }
  bool operator==(const OperatorBinding& o) const {
    return op == o.op && nmp_mask == o.nmp_mask && normal_pool == o.normal_pool && nmp_ratio == o.nmp_ratio &&
           npu_reads_nmp == o.npu_reads_nmp;
  }
};

struct Tier {
  std::vector<OperatorBinding> ops;
  bool operator==(const Tier& o) const { return ops == o.ops; }
};

struct Mpg {
  uint32_t nmp_mask = 0;
  bool normal_pool = false;
  std::vector<Tier> tiers;
  bool operator==(const Mpg& o) const {
    return nmp_mask == o.nmp_mask && normal_pool == o.normal_pool && tiers == o.tiers;
  }
};

struct Mag {
  std::vector<Mpg> mpgs;
  bool operator==(const Mag& o) const { return mpgs == o.mpgs; }
};

struct Dataflow {
  std::string name;
  std::vector<Mag> mags;
  bool operator==(const Dataflow& o) const { return mags == o.mags; }
};

std::vector<int> mask_to_channels(uint32_t mask);
inline int popcount(uint32_t m) { return __builtin_popcount(m); }
inline int popcount64(uint64_t m) { return __builtin_popcountll(m); }

// Which of an operator's split units (B if B > 1, else N) go to NMP under `nmp_ratio`.
// `artifact_compat` truncates like the artifact (int(units * ratio)); otherwise the ratio is
// rounded to the nearest unit, so a ratio written as i/units gives exactly i.
int64_t mix_nmp_units(const GemmShape& shape, double nmp_ratio, bool artifact_compat);
// The NMP and NPU parts of a MIX operator (a part with 0 units has batch = 0).
void split_mix(const GemmShape& shape, double nmp_ratio, bool artifact_compat, GemmShape* nmp_part,
               GemmShape* npu_part);

// One operator of a dataflow in execution order, with what a chip model needs to run it.
struct LoweredOperator {
  int op = -1;
  std::string name;
  OpKind kind = OpKind::q;
  int mag = 0, mpg = 0, tier = 0;
  ExecKind exec = ExecKind::npu;
  std::vector<int> nmp_channels;     // hardware channel ids
  std::vector<int> normal_channels;  // the whole pool, or empty
  double nmp_ratio = 0;              // share on NMP (1 for NMP, 0 for NPU)
  GemmShape shape;                   // the whole operator in this pass
  GemmShape nmp_part, npu_part;      // decode work split (batch 0 = no part)
};

// Flattens a dataflow in execution order (MAG, MPG, tier, operator) for one pass. In prefill
// everything runs on the NPU (npu_part = shape).
std::vector<LoweredOperator> lower_dataflow(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw,
                                            const PassShape& pass, bool artifact_compat = false);

struct CapacityContext {
  int64_t batch = 1;
  int64_t max_context_tokens = 2048;
};

// Every violated rule, each a message naming the MAG / MPG / tier and the operator or channel.
// Empty if legal. Checks: every operator exactly once; MAG order respects the graph; MPGs are
// the weakly connected components of their MAG; MPGs of a MAG use disjoint channels; channels
// exist on `hw`; tiers are antichains in topological order and each covers its MPG's channels;
// operators of a tier use disjoint NMP channels within their MPG; MIX ratios in (0, 1);
// capacity (all layers' weights + KV cache at max context fit the channels holding them).
std::vector<std::string> dataflow_violations(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw,
                                             const CapacityContext& cap);
// Structure only (no capacity): cheaper, used by the search's property checks.
std::vector<std::string> dataflow_structure_violations(const Dataflow& df, const ModelConfig& model,
                                                       const HardwareConfig& hw);
// Capacity only; returns the first overfilled channel's message or "".
std::string dataflow_capacity_violation(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw,
                                        const CapacityContext& cap);
// Whether the model fits the design at all, whatever the dataflow: all layers' weights plus the
// KV cache of `cap.batch` sequences at `cap.max_context_tokens` against the DRAM of every channel.
// Returns "" if it fits, else a message with the numbers (GiB needed, by part, and available).
std::string model_capacity_violation(const ModelConfig& model, const HardwareConfig& hw, const CapacityContext& cap);
// The same check without the message: true iff dataflow_capacity_violation would return "".
bool dataflow_fits_capacity(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw,
                            const CapacityContext& cap);
// Throws InputError listing the violations (prefixed by `origin`) if any.
void check_dataflow(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw, const CapacityContext& cap,
                    const std::string& origin);

// YAML: see docs/mapping.md for the schema.
std::string dataflow_to_yaml(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw);
// Loads (strictly) a dataflow written for `model` and `hw`; structure is checked by the caller
// with check_dataflow.
Dataflow load_dataflow(const std::string& path, const ModelConfig& model, const HardwareConfig& hw);

// A one-line-per-tier human summary.
std::string describe_dataflow(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw);

}  // namespace h2sim

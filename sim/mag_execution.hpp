#pragma once
// Role: MAG execution. Plays one MAG of a lowered layer on the elaborated chip, from the current
// simulated time: its MPGs concurrently, their tiers one after another, a tier's operators
// concurrently. An NMP operator is tiled over its NMP channels (scatter, PE weight streams, load,
// NPU reduction); an NPU operator streams its data from the channels holding it; a MIX operator
// runs both parts at once. Also appends the new token's k and v to the KV cache after a decode
// layer. Calls must come from a SystemC thread. The pass loop and memoization that decide which
// MAGs are played live in sim/llm_passes.hpp.
#include <systemc>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/activity.hpp"
#include "mapping/channel_plan.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/gemm.hpp"
#include "mapping/model.hpp"
#include "models/chip.hpp"
#include "models/span_log.hpp"
#include "sim/run_timeline.hpp"

namespace h2sim {

// A MAG of a lowered layer: mpg -> tier -> operators.
struct MagGroup {
  std::vector<std::vector<std::vector<const LoweredOperator*>>> mpgs;
  std::vector<const LoweredOperator*> ops;  // in execution order
};

// The MAGs of a lowered layer, pointing into `ops` (which must outlive them).
std::vector<MagGroup> group_mags(const std::vector<LoweredOperator>& ops);

// "BxMxKxN": a GEMM shape as a key.
std::string shape_key(const GemmShape& s);

// What one play of a MAG took: its time, the chip's activity during it, each operator's time.
struct MagMeasurement {
  double ns = 0;
  ActivityCounts activity;
  std::vector<double> op_ns;  // per operator of the MAG, in order
  TimelineMag timeline;       // with --trace: operators and chip spans, relative to the MAG's start
};

class MagExecutor {
 public:
  // `ideal`: the ideal fidelity (roofline channel plans, no reduction or KV-cache traffic).
  // `artifact_compat`: a MIX operator's NPU part also reads over its NMP channels' links.
  MagExecutor(Chip& chip, const HardwareConfig& hw, const ModelConfig& model, int64_t batch, bool ideal,
              bool artifact_compat);

  // Plays `mag` (of a prefill pass if `prefill`: every operator on the NPU) and measures it.
  MagMeasurement play(bool prefill, const MagGroup& mag);
  // The k and v of the new token go to the channels that hold the cache (qk's and sv's data).
  // Returns the time taken in ns; `activity` receives the chip's activity meanwhile.
  double append_kv_cache(const std::vector<LoweredOperator>& ops, ActivityCounts& activity);

  SpanLog* span_log = nullptr;          // with --trace: the chip's spans while a MAG is simulated
  RunTimeline* timeline = nullptr;      // with --trace: each measurement records its timeline
  std::vector<int> refresh_tracks;      // per channel with an LPDDR5 model: its "chN refresh" track, else -1
  std::string current_work;             // what is playing (for the watchdog's stall report)
  std::vector<std::string> violations;  // operators that did not complete exactly once

 private:
  void play_operator(const LoweredOperator& op, int queue, bool prefill);
  void play_nmp(const GemmShape& shape, const std::vector<int>& channels, int queue);
  const ChannelPlan& plan_for(const GemmShape& tile, double charged_bytes_per_mac);
  // The MAG's chip spans (relative to its start t0) and the DRAM refresh windows that fell in it.
  void record_timeline(MagMeasurement& m, const MagGroup& mag, const sc_core::sc_time& t0);

  Chip& chip_;
  const HardwareConfig& hw_;
  const ModelConfig& model_;
  int64_t batch_;
  bool ideal_;
  bool artifact_compat_;
  std::map<std::string, ChannelPlan> plans_;  // node-based: plans stay put while channels play them
};

}  // namespace h2sim

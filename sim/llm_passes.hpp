#pragma once
// Role: the pass loop of an inference and its memoization. Plays prefill, then every decode step
// with the context growing one token per step (mapping/model.hpp: decode_context_tokens), each
// pass over all layers, MAG after MAG (sim/mag_execution.hpp plays one MAG).
//
// Memoization: layers are identical and FC operators repeat every decode step, so a MAG whose
// operators, shapes and placements have been measured before reuses that measurement (time and
// activity); attention MAGs, whose shapes grow with the context, are measured every
// `context_stride` contexts and interpolated in between. `exact` simulates every MAG of every
// layer of every step instead.
#include <systemc>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>

#include "config/hardware_config.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/model.hpp"
#include "models/chip.hpp"
#include "models/dram/dram_command_trace.hpp"
#include "models/dram_wave.hpp"
#include "models/waveform.hpp"
#include "sim/llm_runner.hpp"
#include "sim/mag_execution.hpp"

namespace h2sim {

class LlmDriver : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(LlmDriver);
  // Fills `result`'s times, per-operator times, activity and MAG counts as it plays.
  LlmDriver(sc_core::sc_module_name name, Chip& chip, const HardwareConfig& hw, const ModelConfig& model,
            const Scenario& scenario, int64_t batch, const Dataflow& df, const LlmRunOptions& opt,
            LlmRunResult& result);

  MagExecutor executor;          // trace, current work and violations of the MAGs played
  Waveform* wave = nullptr;      // records the window only
  DramCommandTraceFile* command_trace = nullptr;  // records the window (and what leads into it)
  DramWaveRecorder::Gate* dram_wave_gate = nullptr;  // open during the waveform window
  int64_t window_step = -1;      // 0: prefill layer 0; N: decode step N layer 0
  bool done = false;             // the whole inference has been played

 private:
  void run();
  // One pass over all layers; returns its latency in ns. Layers are identical, so unless
  // `exact`, one layer is played and counted `layers` times.
  double play_pass(const PassShape& pass, int64_t layers, int64_t step);
  // The decode contexts attention MAGs are simulated at: the first, every context_stride-th after
  // it, and the last. Returns {lo, hi} around `ctx` (lo == hi when ctx is one of them).
  std::pair<int64_t, int64_t> context_grid(int64_t ctx) const;
  // The measurement of `mag`: from the memo, or played now (always when `force`).
  const MagMeasurement& measure(bool prefill, const MagGroup& mag, bool force);
  LlmOperatorTime& op_time(const LoweredOperator& op);

  const HardwareConfig& hw_;
  const ModelConfig& model_;
  const Scenario& scenario_;
  int64_t batch_;
  const Dataflow& df_;
  const LlmRunOptions& opt_;
  LlmRunResult& r_;
  bool ideal_;
  std::unordered_map<std::string, MagMeasurement> memo_;
  MagMeasurement scratch_;
};

}  // namespace h2sim

#pragma once
// End-to-end LLM inference on the simulated chip: prefill, then every decode step with the
// context growing one token per step, for all layers, under one dataflow.
//
// A dataflow is lowered per pass into operators with their shapes and placements
// (mapping/dataflow.hpp); each MAG is played on the elaborated chip: its MPGs concurrently, their
// tiers one after another, a tier's operators concurrently. An NMP operator is tiled over its NMP
// channels (scatter, PE weight streams, load, NPU reduction); an NPU operator streams its data from
// the channels holding it; a MIX operator runs both parts at once. Channels shared by the NPU and
// NMP in the same interval contend on their links and banks.
//
// Memoization: layers are identical and FC operators repeat every decode step, so a MAG whose
// operators, shapes and placements have been measured before reuses that measurement (time and
// activity). `exact` simulates every MAG of every layer of every step instead.
//
// Files by role: sim/llm_runner.cpp (this entry), sim/llm_passes (pass loop and memoization),
// sim/mag_execution (one MAG on the chip), sim/llm_activity (activity accounting), and
// sim/chip_setup (the chip and its DRAM, shared with sim/gemm_runner).
#include <cstdint>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/activity.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/energy.hpp"
#include "mapping/model.hpp"
#include "mapping/model_parameters.hpp"
#include "sim/fidelity.hpp"
#include "sim/chip_setup.hpp"

namespace h2sim {

struct LlmRunOptions {
  Fidelity fidelity = Fidelity::cycle;
  DramModel dram = DramModel::lpddr5;
  std::vector<std::string> dram_overrides;
  bool exact = false;              // no memoization, every context simulated
  // Attention MAGs (their shapes grow with the context) are simulated at every Nth context of the
  // decode and interpolated linearly in between; 1 simulates every context. Ignored with exact.
  int64_t context_stride = 16;
  bool artifact_compat = false;    // analytic: the artifact's conventions
  bool progress = false;           // progress lines on stderr
  std::string vcd_path;            // waveform of one window (cycle/ideal)
  std::string vcd_window = "decode:1";  // "prefill" (layer 0) or "decode:N" (layer 0 of step N, 1-based)
  std::string trace_path;          // Chrome/Perfetto JSON timeline of the whole run (sim/run_timeline.hpp)
  int64_t trace_detail_steps = 1;  // decode steps shown layer by layer with the chip's work; later ones aggregated
  // DRAM command trace of the vcd_window (cycle fidelity, lpddr5 DRAM; docs/dram.md): with
  // all-bank refresh from the last PREab before the window, else from time 0, to its end.
  std::string command_trace_path;
  const EnergyConfig* energy = nullptr;  // prices the activity; nullptr = no energy report
  double max_wall_s = 0;           // watchdog wall-time limit of the simulation (0: none)
  bool exit_process_on_stop = false;  // the CLI's way out of a stopped simulation (sim/watchdog.hpp)
  ChannelDramFactory dram_factory; // replaces every channel's DRAM (tests only: fault injection)
};

struct LlmOperatorTime {
  std::string name;
  std::string exec;             // npu, nmp, mix (decode placement)
  int mag = 0, mpg = 0, tier = 0;
  std::vector<int> nmp_channels;
  bool normal_pool = false;
  double nmp_ratio = 0;
  double prefill_s = 0;         // whole model (all layers)
  double decode_s = 0;          // whole model, all decode steps
};

struct LlmRunResult {
  std::string design, model, scenario, dataflow;
  ModelParameters parameters;  // of the model (mapping/model_parameters.hpp)
  Fidelity fidelity = Fidelity::cycle;
  std::string dram_model;
  int64_t command_trace_commands = -1;  // lines written to command_trace_path (-1: no trace)
  int64_t batch = 1, layers = 0, prompt_tokens = 0, decode_tokens = 0;

  double prefill_s = 0, decode_s = 0, latency_s = 0;
  double ttft_s = 0;            // time to first token: the prefill
  double tpot_s = 0;            // time per output token: decode / decode steps
  double prefill_per_layer_s = 0, decode_per_layer_s = 0;
  std::vector<LlmOperatorTime> operators;

  ActivityCounts activity;        // simulated (ideal/cycle) or derived from the workload (analytic)
  bool has_energy = false;
  EnergyBreakdown energy;
  double energy_per_token_j = 0;  // total / (batch x decode tokens)
  double tokens_per_joule = 0;
  double pe_utilization = 0;          // PE MACs / (peak of all NMP PEs x latency)
  double npu_utilization = 0;
  double external_bandwidth_gbps = 0; // all channels, averaged over the run
  double external_peak_bandwidth_gbps = 0;

  int64_t mags_simulated = 0, mags_memoized = 0;
  double simulated_ns = 0;            // SystemC time actually simulated
  double wall_s = 0;
  double wall_peak_rss_mib = 0;       // host: peak resident memory of the process (not deterministic)
};

// Checks a --vcd-window value against the scenario; InputError naming the flag if invalid.
void validate_vcd_window(const std::string& window, int64_t decode_tokens);

// Runs the whole inference. Elaborates SystemC (once per process) unless fidelity is analytic.
LlmRunResult run_llm(const HardwareConfig& hw, const ModelConfig& model, const Scenario& scenario, int64_t batch,
                     const Dataflow& dataflow, const LlmRunOptions& options);

}  // namespace h2sim

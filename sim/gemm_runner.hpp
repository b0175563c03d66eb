#pragma once
// One GEMM, end to end: tiled over the NMP channels (or streamed to the NPU), lowered into
// per-channel plans, played on the elaborated chip, and measured.
#include <cstdint>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/gemm.hpp"
#include "mapping/roofline.hpp"
#include "models/chip.hpp"
#include "sim/chip_setup.hpp"
#include "sim/fidelity.hpp"

namespace h2sim {

enum class GemmTarget { nmp, npu };

struct GemmRunOptions {
  Fidelity fidelity = Fidelity::cycle;
  GemmTarget target = GemmTarget::nmp;
  DramModel dram = DramModel::lpddr5;
  std::vector<std::string> dram_overrides;  // KEY=VALUE for the DRAM standard
  std::string vcd_path;  // "" = no waveform
  std::string command_trace_path;  // "" = none; else every DRAM command (cycle fidelity, lpddr5 DRAM)
  double max_wall_s = 0;   // watchdog wall-time limit (0: none); see sim/watchdog.hpp
  bool progress = false;   // progress lines on stderr during long simulations
  bool exit_process_on_stop = false;  // the CLI's way out of a stopped simulation (sim/watchdog.hpp)
  // Replaces every channel's DRAM (tests only: fault injection for the watchdog and invariants).
  ChannelDramFactory dram_factory;
};

struct GemmBreakdownNs {
  double scatter = 0, compute = 0, load = 0, reduce = 0;
};

struct GemmRunResult {
  std::string design;
  GemmShape shape;
  GemmTarget target = GemmTarget::nmp;
  Fidelity fidelity = Fidelity::cycle;
  std::string dram_model;         // "lpddr5", "pipe" or "" (analytic)
  int64_t command_trace_commands = -1;  // lines written to command_trace_path (-1: no trace)

  double latency_ns = 0;
  double analytic_latency_ns = 0;
  double physical_bound_ns = 0;   // no design can beat it: bytes / peak bandwidth, MACs / peak compute
  double pe_cycle_ns = 0;         // 0 on the NPU

  // NMP mapping.
  InterChannelTiling tiling;
  int64_t pe_split_k = 0, pe_split_n = 0;
  int64_t blocks_per_channel_max = 0;
  int64_t channels_used = 0;

  GemmBreakdownNs breakdown_ns;   // busy time per stage on the channel that finished last
  int64_t bytes_scattered = 0;
  int64_t bytes_loaded = 0;
  int64_t bytes_hb = 0;           // through hybrid-bonded ports (ideal: the artifact's charge)
  int64_t bytes_npu_read = 0;
  double macs = 0;

  double pe_utilization = 0;      // MACs / (peak PE MACs of the channels used x latency)
  double npu_utilization = 0;     // NPU MACs / (peak x latency)
  double external_bandwidth_gbps = 0;       // achieved over the links used
  double external_peak_bandwidth_gbps = 0;
  double hb_bandwidth_gbps = 0;
  double hb_peak_bandwidth_gbps = 0;
  int64_t max_input_buffer_bytes = 0;
  int64_t max_output_buffer_bytes_per_pe = 0;
  // LPDDR5 command counts over all channels (cycle fidelity with the LPDDR5 model).
  int64_t dram_activates = 0, dram_reads = 0, dram_precharges = 0, dram_refreshes = 0;
  double dram_row_hit_rate = 0;
  // In-die PIM designs (nmp_kind in_die) at cycle fidelity with the LPDDR5 model: the host's
  // lockstep command stream, summed over the NMP channels (times: mean per NMP channel used).
  std::string nmp_kind;            // "hybrid_bonded" or "in_die"
  bool has_pim_stats = false;
  int64_t pim_mac_commands = 0, pim_act_commands = 0, pim_pre_commands = 0, pim_rows_opened = 0;
  double pim_command_bus_utilization = 0;   // mean over the NMP channels used: busy CK / stream span
  double pim_act_window_stall_ns = 0;       // ACTs held by nRRD / nFAW beyond bank readiness
  double pim_row_switch_ns = 0;             // exposed: last MAC of a row to the first of the next
  double pim_refresh_stall_ns = 0;
  double pim_compute_paced_ns = 0;          // MAC spacing stretched because the PEs compute slower
  double pim_mac_interval_ns = 0;           // in_die.mac_interval_ck
  double wall_s = 0;
  double wall_peak_rss_mib = 0;   // host: peak resident memory of the process (not deterministic)
};

// Runs one GEMM. At `ideal`/`cycle` fidelity this elaborates SystemC, which a process may do once.
GemmRunResult run_gemm(const HardwareConfig& hw, const GemmShape& shape, const GemmRunOptions& options);

// The per-channel tile of channel `index` of a GEMM group under `tiling` (exact edges, so the
// last K or N tile may be smaller; empty if the rounding leaves it nothing).
GemmShape channel_tile(const GemmShape& shape, const InterChannelTiling& tiling, int64_t channel);

}  // namespace h2sim

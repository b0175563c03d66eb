#pragma once
// The energy model: prices the actions of a run (ActivityCounts) with energies per action from a
// config table (configs/energy/*.yaml), plus background and static power over the elapsed time.
// Plain C++, no SystemC. The model, its defaults and their sources: docs/energy.md.
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/activity.hpp"

namespace h2sim {

// Energy per action, in the units its name says (pJ, pJ per bit, pJ per byte, mW).
struct EnergyConfig {
  std::string name;
  std::string source_file;

  double dram_activate_pj = 0;               // one ACT+PRE pair (2 KiB LPDDR5 row)
  double dram_read_pj_per_bit = 0;           // array + internal datapath, external and HB reads
  double dram_write_pj_per_bit = 0;
  double dram_refresh_pj = 0;                // one all-bank REF command
  double dram_background_mw_per_channel = 0; // every channel, for the whole run
  double external_io_pj_per_bit = 0;         // LPDDR5 x16 PHYs + package channel
  double hybrid_bonding_pj_per_bit = 0;      // bank <-> PE bond on NMP channels
  double pe_mac_pj = 0;                      // one FP16 MAC at a PE
  double input_buffer_pj_per_byte = 0;       // SRAM access, per byte written or read
  double weight_buffer_pj_per_byte = 0;
  double output_buffer_pj_per_byte = 0;
  double npu_mac_pj = 0;
  double npu_add_pj = 0;
  double nmp_die_static_mw = 0;              // per NMP channel (its logic die), whole run
  double npu_static_mw = 0;                  // the SoC's NPU, whole run
};

// Loads and validates an energy config. `overrides` are `KEY=VALUE` strings (--energy-set),
// applied before validation so they are checked exactly like the file. Every value must be a
// finite number >= 0 (0 switches a component off); `sram_pj_per_byte` is one number for all
// buffers or a map of input_buffer, weight_buffer, output_buffer. Errors are InputErrors naming
// the file, the line and the key.
EnergyConfig load_energy_config(const std::string& path, const std::vector<std::string>& overrides = {});

// Joules per component of one run.
struct EnergyBreakdown {
  double elapsed_s = 0;
  double dram_activate_j = 0;
  double dram_read_write_j = 0;   // external bursts and hybrid-bonded reads
  double dram_refresh_j = 0;
  double dram_background_j = 0;   // all channels x elapsed time
  double external_io_j = 0;
  double hybrid_bonding_j = 0;
  double pe_compute_j = 0;
  double buffers_j = 0;           // input + weight + output buffers
  double npu_compute_j = 0;       // MACs + reduction adds
  double static_j = 0;            // NMP logic dies + NPU, x elapsed time
  double total_j = 0;

  // Everything that scales with the counts (summed directly: total minus the time-based parts
  // would lose digits when static energy dominates).
  double dynamic_j() const {
    return dram_activate_j + dram_read_write_j + dram_refresh_j + external_io_j + hybrid_bonding_j + pe_compute_j +
           buffers_j + npu_compute_j;
  }
};

// Prices `counts` (totals over all channels) for a run of `elapsed_s` seconds on `hw`.
// DRAM reads are the external read bursts (hw.burst_bytes each) plus the bytes read through the
// hybrid-bonded ports; background scales with hw.channels, NMP-die static power with
// hw.nmp_channels. Negative or non-finite counts or time are an InternalError (a simulator bug).
EnergyBreakdown compute_energy(const EnergyConfig& cfg, const ActivityCounts& counts, double elapsed_s,
                               const HardwareConfig& hw);

// (component name, joules) in report order, without the total: the one list the JSON and the
// table are built from.
std::vector<std::pair<std::string, double>> energy_components(const EnergyBreakdown& e);

// {"total_j", "dynamic_j", "elapsed_s", "average_power_w", "components_j": {name: joules, ...}}.
nlohmann::ordered_json energy_json(const EnergyBreakdown& e);

// The parameters used, with their units in the keys, for recording next to results.
nlohmann::ordered_json energy_config_json(const EnergyConfig& cfg);

// A short text table: one line per component (joules, share of the total) and the total.
std::string energy_table(const EnergyBreakdown& e);

}  // namespace h2sim

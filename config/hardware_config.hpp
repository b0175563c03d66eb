#pragma once
// The hardware description of one accelerator design (H2-LLM, ID-NMP, ID-NMP+, NPU-only).
//
// Three layers, as in DRAMSys: the YAML file (schema in configs/hardware/*.yaml), this loader
// (the one place that applies defaults, converts units and validates, naming file and key),
// and the runtime object below, whose fields are in base units (bytes, bytes per second, Hz)
// so no model converts units again.
#include <cstdint>
#include <string>
#include <vector>

#include "config/area_config.hpp"

namespace h2sim {

struct PeConfig {
  int64_t fpus_per_pe = 0;            // FPUs in one bank-PE
  int64_t macs_per_fpu_per_cycle = 0;  // SIMD width: FP16 MACs per FPU per cycle
  double frequency_hz = 0;            // PE clock
  double hb_bandwidth_bytes_per_s = 0;  // hybrid-bonding port of one bank to its PE

  double macs_per_s() const { return double(fpus_per_pe * macs_per_fpu_per_cycle) * frequency_hz; }
  double cycle_ns() const { return 1e9 / frequency_hz; }
};

// What kind of NMP die a design has (`nmp_kind` in the hardware config).
//  - hybrid_bonded: H2-LLM. The PEs sit on a logic die bonded face to face to the DRAM die, one
//    port per bank; the logic die's own controller drives each bank independently (ACT, column
//    reads, PRE per bank), so a PE streams its bank ahead of compute into its weight buffer.
//  - in_die: in-die PIM as published (Samsung HBM-PIM / LPDDR5-PIM, SK hynix GDDR6-AiM, AttAcc's
//    HBM3-PIM): the PEs are in the DRAM die, in the DRAM process, and the host's memory controller
//    drives all of them in lockstep with commands on the channel's command bus: ACT on every bank,
//    all-bank MAC commands (each reads one burst of every bank into its PE, where it meets the
//    operand held in registers), PRE. Row switches are exposed, activations obey the device's
//    power rules, and a MAC can only run once its operand (the input) is in the registers.
//    Sources and the derivation of each timing: ../shared/reference/in-die-pim.md, docs/fidelity.md.
enum class NmpKind { hybrid_bonded, in_die };

// How the host opens the same row in every bank of an in-die PIM channel.
//  - per_bank: one ACT per bank on the command bus, each under nRRD and the activate window
//    (nFAW, activates_per_faw): LPDDR5 has no all-bank ACT (JESD209-5 command set; Ramulator 2's
//    LPDDR5 model has ACT-1/ACT-2 per bank only).
//  - all_bank: one ganged ACT opens every bank (AttAcc's ACTAB, GDDR6-AiM's ACT16), bounded by
//    nRC/nRP of the banks but not by nFAW: an ASSUMPTION that the device's power delivery allows
//    it (AttAcc's HBM3-PIM model, pim_ramulator_src/HBM3-PIM.cpp, applies no tFAW to ACTAB).
enum class InDieActivation { per_bank, all_bank };

struct InDieConfig {
  InDieActivation activation = InDieActivation::per_bank;
  // Memory-clock (CK) cycles between consecutive all-bank MAC commands. An all-bank column command
  // reads every bank group, so it cannot come sooner than nCCD_L (HBM-PIM: one all-bank op per
  // tCCD_L, in-die-pim.md 1.1); a device may stretch it to cap power (AttAcc's nCCDAB).
  int64_t mac_interval_ck = 0;
};

struct BufferConfig {
  int64_t input_buffer_bytes = 0;       // per NMP channel: the scattered activation slice
  int64_t weight_buffer_bytes = 0;      // per PE: weights streamed from its bank
  int64_t output_buffer_bytes = 0;      // per NMP channel: partial sums, split evenly over PEs
};

struct NpuConfig {
  double peak_macs_per_s = 0;
  double compute_efficiency = 0;    // fraction of peak the NPU sustains on GEMMs
  double bandwidth_efficiency = 0;  // fraction of external bandwidth, used by analytic/ideal only
  double reduce_ops_per_s = 0;      // vector adds per second for partial-sum reduction
};

// The DRAM row size of a design that names no `dram_standard`: the LPDDR5 x16 page, 2 KiB
// (JESD209-5; organisation.row_bytes in configs/dram/lpddr5-6400.yaml). It only numbers the rows
// PEs read (the bandwidth pipe ignores rows) and counts row activates at analytic fidelity.
inline constexpr int64_t kRowBytesWithoutStandard = 2048;

struct HardwareConfig {
  std::string name;
  std::string source_file;

  int64_t channels = 0;
  int64_t nmp_channels = 0;         // channels 0..nmp_channels-1 carry NMP dies
  int64_t banks_per_channel = 0;    // also the PEs per NMP channel (one PE per bank)
  int64_t bank_capacity_bytes = 0;
  double external_bandwidth_bytes_per_s = 0;  // per channel, shared by scatter and load
  int64_t element_bytes = 0;        // FP16 = 2, INT8 = 1
  std::string precision;            // "fp16", "int8"
  int64_t burst_bytes = 0;          // smallest DRAM transfer (BL16 x16 = 32 B)

  NmpKind nmp_kind = NmpKind::hybrid_bonded;
  InDieConfig in_die;               // nmp_kind == in_die only
  PeConfig pe;
  BufferConfig buffers;
  NpuConfig npu;
  AreaConfig area;                 // area coefficients (`area:` section; mapping/area.hpp)

  std::string dram_standard_file;   // resolved path of the DRAM timing standard, "" if none

  int64_t normal_channels() const { return channels - nmp_channels; }
  int64_t pes_per_channel() const { return banks_per_channel; }
  int64_t channel_capacity_bytes() const { return bank_capacity_bytes * banks_per_channel; }
  int64_t output_buffer_bytes_per_pe() const { return buffers.output_buffer_bytes / banks_per_channel; }
};

// Loads and validates a hardware config. `overrides` are `KEY=VALUE` strings (from --set),
// applied to the YAML before validation so they are checked exactly like the file.
const char* to_string(NmpKind k);           // "hybrid_bonded", "in_die"
const char* to_string(InDieActivation a);   // "per_bank", "all_bank"

HardwareConfig load_hardware_config(const std::string& path,
                                    const std::vector<std::string>& overrides = {});

}  // namespace h2sim

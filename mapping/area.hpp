#pragma once
// Chip area: the silicon a design needs, in mm^2, from its hardware config.
//
// Concept. An H2-LLM NMP channel is a DRAM die hybrid-bonded face to face to a logic die that
// carries one PE per bank (its MACs and weight buffer), the channel's input and output buffers,
// the bond pads of each bank's port, and the DRAM controller that drives the banks. The logic die
// must fit under the DRAM die it bonds to. An in-die design (ID-NMP, ID-NMP+) puts the same PEs
// inside the DRAM die, in the DRAM process, where they take area from the die. The NPU sits on the
// SoC. Plain C++, no SystemC; the model, its sources and the numbers of the shipped designs are in
// docs/area.md.
//
// How each part is computed (sources at the constants in area.cpp):
//  - MACs: a MAC's area at 45 nm (Horowitz, ISSCC 2014: multiplier + adder of the precision),
//    scaled to the node with Stillmaker & Baas's area table (logic_area_scale).
//  - SRAM: per array, bits x area per bit at the node / the array's efficiency for its size
//    (LLMCompass's CACTI-derived table: small arrays are mostly periphery).
//  - Hybrid-bond pads: per bank, ceil(port bandwidth / per-pad data rate) data pads, times pads
//    per data pad, each taking pitch^2.
//  - Controller: one DRAM controller per NMP die, LLMCompass's DDR5 controller transistor count at
//    7 nm density (Khan & Mann), scaled to the node.
//  - NPU: peak operations per second / the area density of a published NPU.
//  - DRAM die: the channel's capacity / the DRAM's density, or a given die area.
//  - Node scaling: one method everywhere, Stillmaker & Baas's table, from each coefficient's own
//    node (45 nm for the MACs, 7 nm for SRAM and the controller) to the design's node.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "config/hardware_config.hpp"

namespace h2sim {

// Area of logic at `to_nm` relative to the same logic at `from_nm` (both in kAreaNodesNm):
// Stillmaker & Baas, Integration 58 (2017), area table. InternalError for another node (the
// loader only accepts the table's nodes).
double logic_area_scale(int64_t from_nm, int64_t to_nm);

// One MAC (multiplier + adder) of `precision` at 45 nm, um^2. InputError for a precision without a
// sourced area (fp32).
double mac_area_um2_at_45nm(const std::string& precision);

// Area efficiency (bit cells / array) of one SRAM array of `bytes`: LLMCompass's table by size,
// 4 KiB to 1 MiB, the next power of two's entry; below 4 KiB an array costs as much as 4 KiB.
double sram_array_efficiency(int64_t bytes);
// Area of one SRAM array of `bytes`, mm^2, at `um2_per_bit` (bit cell before the array's
// efficiency). Arrays above 512 KiB are built from 512 KiB arrays (as LLMCompass does).
double sram_array_mm2(int64_t bytes, double um2_per_bit);

// Data pads of one hybrid-bonded port moving `bytes_per_s` at `pad_mbps` per pad (rounded up).
int64_t hb_data_pads(double bytes_per_s, double pad_mbps);

struct SramArea {
  int64_t bytes_each = 0;
  int64_t arrays = 0;        // per NMP channel
  double mm2_each = 0;
  double mm2 = 0;            // all arrays
  double mm2_per_mib = 0;    // effective density of one array
};

// The NMP logic die of one channel (hybrid_bonded), or the PIM units inside one channel's DRAM die
// (in_die: no bond pads, no controller: the host's controller drives the banks).
struct NmpDieArea {
  std::string process;       // "logic 7 nm", "DRAM (20 nm logic x 2)"
  int64_t macs = 0;          // MAC lanes per channel: banks x FPUs x MACs per FPU
  double mac_um2 = 0;        // one MAC at the process
  double macs_mm2 = 0;
  double sram_um2_per_bit = 0;  // at the process, before array efficiency
  SramArea weight_buffers, input_buffer, output_buffer;
  double sram_mm2 = 0;
  int64_t hb_data_pads_per_bank = 0;
  int64_t hb_pads_per_bank = 0;
  double hb_pads_mm2 = 0;    // all banks
  double controller_mm2 = 0;
  double total_mm2 = 0;
};

struct AreaReport {
  std::string design;
  NmpKind kind = NmpKind::hybrid_bonded;
  int64_t channels = 0, nmp_channels = 0;
  bool has_nmp = false;          // nmp_channels > 0
  NmpDieArea nmp;                // per NMP channel
  double dram_die_mm2 = 0;       // one channel's DRAM die (from density, or given)
  bool dram_die_given = false;
  double channel_gbit = 0;       // the channel's capacity, Gbit (2^30 bit)
  // hybrid_bonded: does the logic die fit under its DRAM die, and by how much.
  bool fits = true;
  double fit_slack_mm2 = 0;      // DRAM die - logic die (negative: does not fit)
  // in_die: the DRAM die with its PIM units, and their share of it.
  double dram_die_with_pim_mm2 = 0;
  double pim_share = 0;
  double npu_mm2 = 0;
  double nmp_total_mm2 = 0;      // all NMP dies (or PIM units)
  double dram_total_mm2 = 0;     // all channels' DRAM dies (with PIM units for in_die)
  AreaConfig coefficients;
};

// The area of `hw`. InputErrors for what the model has no source for (fp32 MACs, an NPU density
// of 0), naming the hardware config and key.
AreaReport compute_area(const HardwareConfig& hw);

// A human-readable breakdown (mm^2 per component) with the fit verdict.
std::string area_table(const AreaReport& a);

// The `area_mm2` report: every key carries its unit.
nlohmann::ordered_json area_json(const AreaReport& a);

}  // namespace h2sim

#include "mapping/area.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <sstream>

#include "config/errors.hpp"

namespace h2sim {

namespace {

// Stillmaker & Baas, "Scaling equations for the accurate prediction of CMOS device performance
// from 180 nm to 7 nm", Integration 58 (2017): area of the same logic at node Y relative to node
// X is kStillmakerArea[X][Y], X and Y indexing kAreaNodesNm (130, 90, 65, 45, 32, 20, 16, 14, 10,
// 7 nm). Read as tabulated in Accelergy-Project/hwcomponents hwcomponents/scaling/techscaling.py
// (AREA_SCALING). The table is not exactly reciprocal (45->7 is 0.059, 7->45 is 17): we read the
// row of the node a coefficient was published at, as that file does.
constexpr double kStillmakerArea[10][10] = {
    {1, 0.44, 0.23, 0.16, 0.072, 0.033, 0.03, 0.027, 0.016, 0.0092},
    {2.3, 1, 0.53, 0.35, 0.16, 0.075, 0.067, 0.061, 0.036, 0.021},
    {4.3, 1.9, 1, 0.66, 0.31, 0.14, 0.13, 0.12, 0.068, 0.039},
    {6.4, 2.8, 1.5, 1, 0.46, 0.21, 0.19, 0.17, 0.1, 0.059},
    {14, 6.1, 3.3, 2.2, 1, 0.46, 0.41, 0.38, 0.22, 0.13},
    {30, 13, 7.1, 4.7, 2.2, 1, 0.89, 0.82, 0.48, 0.28},
    {34, 15, 7.9, 5.3, 2.4, 1.1, 1, 0.91, 0.54, 0.31},
    {37, 16, 8.7, 5.8, 2.7, 1.2, 1.1, 1, 0.59, 0.34},
    {63, 28, 15, 9.8, 4.5, 2.1, 1.9, 1.7, 1, 0.58},
    {110, 48, 25, 17, 7.8, 3.6, 3.2, 2.9, 1.7, 1},
};

// MAC areas at 45 nm, um^2: Horowitz, "Computing's energy problem", ISSCC 2014, area table:
// FP16 multiply 1640 + FP16 add 1360; INT8 multiply 282 + INT8 add 36. Read as quoted in public
// simulator code (a Tech_param class listing "FP16-ADD: 0.4 pJ; 1360 um^2, FP16-MULT: 1.1 pJ;
// 1640 um^2", "INT8-ADD: 0.03 pJ; 36 um^2, INT8-MULT: 0.2 pJ; 282 um^2" at 45 nm); the slide
// itself was not read (secondary source). Its energies match the ones configs/energy/default.yaml
// takes from the same table. Cross-check: LLMCompass's FP16 FPU (685,300 x (10/52)^2
// transistors / 96.3 MTr/mm^2) is 263 um^2 at 7 nm; 3000 um^2 x 0.059 = 177 um^2 here.
constexpr double kFp16MacUm2At45nm = 1640 + 1360;
constexpr double kInt8MacUm2At45nm = 282 + 36;
constexpr int64_t kMacAnchorNm = 45;

// SRAM array efficiency (bit-cell area / array area) by array size, 4 KiB, 8 KiB, ..., 1 MiB:
// PrincetonUniversity/LLMCompass cost_model/cost_model.py, cache_area_efficiency_arr ("derived
// from cacti"). Used with the bit area at 7 nm of AreaConfig::sram_um2_per_bit_at_7nm.
constexpr double kSramEfficiency[] = {0.076, 0.142, 0.247, 0.393, 0.559, 0.704, 0.526, 0.602, 0.561};
constexpr int64_t kSramMinArrayBytes = 4096;
constexpr int64_t kSramMaxArrayBytes = int64_t(1) << 19;  // LLMCompass's max_cache_unit_bytes
constexpr int64_t kSramAnchorNm = 7;

// One DRAM controller per NMP logic die: LLMCompass's DDR5 controller, 90,446,400 transistors per
// 32-bit link unit (cost_model.py, ddr5_ctrl_transistors_per_link_unit), at TSMC 7 nm's 96.3
// million transistors per mm^2 (cost_model/supply_chain/supply_chain_model.py, from Khan & Mann,
// "AI Chips", CSET 2020). The logic die's controller drives its 16 banks independently (an
// FR-FCFS-class scheduler); a full DDR5 controller is taken as its size. Per-bank sequencers have
// no published area; they are assumed to be inside this figure.
constexpr double kControllerMm2At7nm = 90446400.0 / 96.3e6;
constexpr int64_t kControllerAnchorNm = 7;

constexpr double kUm2PerMm2 = 1e6;
constexpr double kBitsPerGbit = double(int64_t(1) << 30);

int node_index(int64_t nm) {
  auto it = std::find(std::begin(kAreaNodesNm), std::end(kAreaNodesNm), nm);
  if (it == std::end(kAreaNodesNm)) throw InternalError(fmt::format("logic_area_scale: no scaling for {} nm", nm));
  return int(it - std::begin(kAreaNodesNm));
}

SramArea sram(int64_t bytes, int64_t arrays, double um2_per_bit) {
  SramArea s;
  s.bytes_each = bytes;
  s.arrays = arrays;
  s.mm2_each = sram_array_mm2(bytes, um2_per_bit);
  s.mm2 = s.mm2_each * double(arrays);
  s.mm2_per_mib = s.mm2_each / (double(bytes) / double(1 << 20));
  return s;
}

}  // namespace

double logic_area_scale(int64_t from_nm, int64_t to_nm) { return kStillmakerArea[node_index(from_nm)][node_index(to_nm)]; }

double mac_area_um2_at_45nm(const std::string& precision) {
  // bf16's multiplier is narrower than fp16's (8-bit against 11-bit significand): fp16's area is
  // an upper bound for it (assumption; no published bf16 MAC area at 45 nm was found).
  if (precision == "fp16" || precision == "bf16") return kFp16MacUm2At45nm;
  // An INT8 MAC usually accumulates in 32 bits; Horowitz's 8-bit adder makes this a lower bound.
  if (precision == "int8") return kInt8MacUm2At45nm;
  throw InputError(fmt::format("precision '{}': the area model has no sourced MAC area for it (valid: fp16, bf16, int8)",
                               precision));
}

double sram_array_efficiency(int64_t bytes) {
  if (bytes <= 0) throw InternalError(fmt::format("sram_array_efficiency: {} bytes", bytes));
  const int64_t b = std::max(bytes, kSramMinArrayBytes);
  int idx = 0;
  while ((kSramMinArrayBytes << idx) < b) ++idx;  // the next power of two at or above b
  const int last = int(std::size(kSramEfficiency)) - 1;
  return kSramEfficiency[std::min(idx, last)];
}

double sram_array_mm2(int64_t bytes, double um2_per_bit) {
  if (bytes <= 0 || !(um2_per_bit > 0)) throw InternalError("sram_array_mm2: non-positive size or bit area");
  const auto one = [&](int64_t b) {
    const int64_t costed = std::max(b, kSramMinArrayBytes);  // an array below 4 KiB costs 4 KiB
    return double(costed) * 8 * um2_per_bit / sram_array_efficiency(costed) / kUm2PerMm2;
  };
  if (bytes <= kSramMaxArrayBytes) return one(bytes);
  const int64_t units = (bytes + kSramMaxArrayBytes - 1) / kSramMaxArrayBytes;
  return double(units) * one(kSramMaxArrayBytes);
}

int64_t hb_data_pads(double bytes_per_s, double pad_mbps) {
  if (!(bytes_per_s > 0) || !(pad_mbps > 0)) throw InternalError("hb_data_pads: non-positive rate");
  const double pads = bytes_per_s * 8 / (pad_mbps * 1e6);
  // A rate a hair above a whole number of pads (from decimal GB/s) must not add a pad.
  return int64_t(std::ceil(pads - 1e-9));
}

AreaReport compute_area(const HardwareConfig& hw) {
  const AreaConfig& c = hw.area;
  AreaReport a;
  a.design = hw.name;
  a.kind = hw.nmp_kind;
  a.channels = hw.channels;
  a.nmp_channels = hw.nmp_channels;
  a.has_nmp = hw.nmp_channels > 0;
  a.coefficients = c;

  if (!(c.npu_tops_per_mm2 > 0)) {
    throw InputError(fmt::format("{}: key 'area.npu_tops_per_mm2': required for precision '{}' (no published NPU "
                                 "density for it is built in; Samsung's 4 nm NPU gives 1.72 FP16, 3.45 INT8)",
                                 hw.source_file, hw.precision));
  }
  a.npu_mm2 = hw.npu.peak_macs_per_s * 2 / (c.npu_tops_per_mm2 * 1e12);

  a.channel_gbit = double(hw.channel_capacity_bytes()) * 8 / kBitsPerGbit;
  a.dram_die_given = c.dram_die_mm2 > 0;
  a.dram_die_mm2 = a.dram_die_given ? c.dram_die_mm2 : a.channel_gbit / c.dram_gbit_per_mm2;

  if (a.has_nmp) {
    double mac_45;
    try {
      mac_45 = mac_area_um2_at_45nm(hw.precision);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: key 'precision': {}", hw.source_file, e.what()));
    }
    NmpDieArea& d = a.nmp;
    const bool in_die = hw.nmp_kind == NmpKind::in_die;
    // In the DRAM process: logic of dram_logic_node_nm, dram_logic_area_factor times larger.
    const int64_t node = in_die ? c.dram_logic_node_nm : c.logic_node_nm;
    const double penalty = in_die ? c.dram_logic_area_factor : 1.0;
    d.process = in_die ? fmt::format("DRAM ({} nm logic x {:g})", node, penalty) : fmt::format("logic {} nm", node);
    d.macs = hw.banks_per_channel * hw.pe.fpus_per_pe * hw.pe.macs_per_fpu_per_cycle;
    d.mac_um2 = mac_45 * logic_area_scale(kMacAnchorNm, node) * penalty;
    d.macs_mm2 = double(d.macs) * d.mac_um2 / kUm2PerMm2;
    d.sram_um2_per_bit = c.sram_um2_per_bit_at_7nm * logic_area_scale(kSramAnchorNm, node) * penalty;
    // The arrays as the hardware config declares them: a weight buffer per PE, one input and one
    // output buffer per channel (the simulator splits the output buffer over the PEs).
    d.weight_buffers = sram(hw.buffers.weight_buffer_bytes, hw.banks_per_channel, d.sram_um2_per_bit);
    d.input_buffer = sram(hw.buffers.input_buffer_bytes, 1, d.sram_um2_per_bit);
    d.output_buffer = sram(hw.buffers.output_buffer_bytes, 1, d.sram_um2_per_bit);
    d.sram_mm2 = d.weight_buffers.mm2 + d.input_buffer.mm2 + d.output_buffer.mm2;
    if (!in_die) {
      d.hb_data_pads_per_bank = hb_data_pads(hw.pe.hb_bandwidth_bytes_per_s, c.hb_pad_mbps);
      d.hb_pads_per_bank = int64_t(std::ceil(double(d.hb_data_pads_per_bank) * c.hb_pads_per_data_pad - 1e-9));
      d.hb_pads_mm2 = double(d.hb_pads_per_bank * hw.banks_per_channel) * c.hb_pitch_um * c.hb_pitch_um / kUm2PerMm2;
      d.controller_mm2 = kControllerMm2At7nm * logic_area_scale(kControllerAnchorNm, node);
    }
    d.total_mm2 = d.macs_mm2 + d.sram_mm2 + d.hb_pads_mm2 + d.controller_mm2;
    a.nmp_total_mm2 = d.total_mm2 * double(hw.nmp_channels);
    if (in_die) {
      a.dram_die_with_pim_mm2 = a.dram_die_mm2 + d.total_mm2;
      a.pim_share = d.total_mm2 / a.dram_die_with_pim_mm2;
    } else {
      a.fit_slack_mm2 = a.dram_die_mm2 - d.total_mm2;
      a.fits = a.fit_slack_mm2 >= 0;
    }
  }
  const bool pim = a.has_nmp && a.kind == NmpKind::in_die;
  a.dram_total_mm2 = a.dram_die_mm2 * double(hw.channels) + (pim ? a.nmp.total_mm2 * double(hw.nmp_channels) : 0.0);
  return a;
}

std::string area_table(const AreaReport& a) {
  std::ostringstream o;
  const AreaConfig& c = a.coefficients;
  o << fmt::format("Area of {} ({} channels, {} NMP{}), mm^2\n", a.design, a.channels, a.nmp_channels,
                   a.has_nmp ? (a.kind == NmpKind::in_die ? ", PIM units in the DRAM die" : ", hybrid-bonded logic dies")
                             : "");
  if (a.has_nmp) {
    const NmpDieArea& d = a.nmp;
    const bool in_die = a.kind == NmpKind::in_die;
    o << fmt::format("  {} per NMP channel ({}):\n", in_die ? "PIM units" : "NMP logic die", d.process);
    o << fmt::format("    MACs               {:10.4f}   {} x {:.1f} um^2\n", d.macs_mm2, d.macs, d.mac_um2);
    const auto row = [&](const char* name, const SramArea& s) {
      o << fmt::format("    {:<18} {:10.4f}   {} x {} KiB, {:.2f} mm^2/MiB\n", name, s.mm2, s.arrays, s.bytes_each / 1024,
                       s.mm2_per_mib);
    };
    row("weight buffers", d.weight_buffers);
    row("input buffer", d.input_buffer);
    row("output buffer", d.output_buffer);
    if (!in_die) {
      o << fmt::format("    hybrid-bond pads   {:10.4f}   {} pads per bank ({} data) at {:g} um pitch\n", d.hb_pads_mm2,
                       d.hb_pads_per_bank, d.hb_data_pads_per_bank, c.hb_pitch_um);
      o << fmt::format("    DRAM controller    {:10.4f}\n", d.controller_mm2);
    }
    o << fmt::format("    total              {:10.4f}\n", d.total_mm2);
  }
  o << fmt::format("  DRAM die per channel {:10.4f}   {}\n", a.dram_die_mm2,
                   a.dram_die_given ? std::string("given (area.dram_die_mm2)")
                                    : fmt::format("{:g} Gbit at {:.4f} Gbit/mm^2", a.channel_gbit, c.dram_gbit_per_mm2));
  o << fmt::format("  NPU                  {:10.4f}   at {:g} TOPS/mm^2\n", a.npu_mm2, c.npu_tops_per_mm2);
  if (a.has_nmp) {
    o << fmt::format("  {:<20} {:10.4f}   {} channels\n", a.kind == NmpKind::in_die ? "all PIM units" : "all NMP dies",
                     a.nmp_total_mm2, a.nmp_channels);
  }
  o << fmt::format("  all DRAM dies        {:10.4f}   {} channels{}\n", a.dram_total_mm2, a.channels,
                   a.has_nmp && a.kind == NmpKind::in_die ? ", with their PIM units" : "");
  if (a.has_nmp && a.kind == NmpKind::hybrid_bonded) {
    if (a.fits) {
      o << fmt::format("  fit: the NMP die ({:.4f} mm^2) fits under its DRAM die ({:.4f} mm^2), {:.4f} mm^2 to spare\n",
                       a.nmp.total_mm2, a.dram_die_mm2, a.fit_slack_mm2);
    } else {
      o << fmt::format("  fit: DOES NOT FIT: the NMP die ({:.4f} mm^2) is {:.4f} mm^2 larger than its DRAM die ({:.4f} mm^2)\n",
                       a.nmp.total_mm2, -a.fit_slack_mm2, a.dram_die_mm2);
    }
  } else if (a.has_nmp) {
    o << fmt::format("  in-die: the PIM units take {:.1f}% of a DRAM die with them ({:.4f} mm^2)\n", 100 * a.pim_share,
                     a.dram_die_with_pim_mm2);
  }
  return o.str();
}

nlohmann::ordered_json area_json(const AreaReport& a) {
  using J = nlohmann::ordered_json;
  const AreaConfig& c = a.coefficients;
  J j;
  j["design"] = a.design;
  j["nmp_kind"] = to_string(a.kind);
  j["channels"] = a.channels;
  j["nmp_channels"] = a.nmp_channels;
  J area;
  if (a.has_nmp) {
    const NmpDieArea& d = a.nmp;
    J die;
    die["macs"] = d.macs_mm2;
    die["weight_buffers"] = d.weight_buffers.mm2;
    die["input_buffer"] = d.input_buffer.mm2;
    die["output_buffer"] = d.output_buffer.mm2;
    die["sram"] = d.sram_mm2;
    if (a.kind == NmpKind::hybrid_bonded) {
      die["hb_pads"] = d.hb_pads_mm2;
      die["controller"] = d.controller_mm2;
    }
    die["total"] = d.total_mm2;
    area[a.kind == NmpKind::in_die ? "pim_units_per_channel" : "nmp_die_per_channel"] = die;
    area[a.kind == NmpKind::in_die ? "pim_units_all_channels" : "nmp_dies_all_channels"] = a.nmp_total_mm2;
  }
  area["dram_die_per_channel"] = a.dram_die_mm2;
  if (a.has_nmp && a.kind == NmpKind::in_die) area["dram_die_with_pim_per_channel"] = a.dram_die_with_pim_mm2;
  area["dram_dies_all_channels"] = a.dram_total_mm2;
  area["npu"] = a.npu_mm2;
  j["area_mm2"] = area;
  if (a.has_nmp) {
    const NmpDieArea& d = a.nmp;
    J n;
    n["process"] = d.process;
    n["macs_per_channel"] = d.macs;
    n["mac_um2"] = d.mac_um2;
    n["sram_um2_per_bit"] = d.sram_um2_per_bit;
    n["weight_buffer_mm2_per_mib"] = d.weight_buffers.mm2_per_mib;
    n["input_buffer_mm2_per_mib"] = d.input_buffer.mm2_per_mib;
    n["output_buffer_mm2_per_mib"] = d.output_buffer.mm2_per_mib;
    if (a.kind == NmpKind::hybrid_bonded) {
      n["hb_data_pads_per_bank"] = d.hb_data_pads_per_bank;
      n["hb_pads_per_bank"] = d.hb_pads_per_bank;
    }
    j["nmp_detail"] = n;
    if (a.kind == NmpKind::hybrid_bonded) {
      j["fit"] = {{"nmp_die_fits_under_dram_die", a.fits}, {"slack_mm2", a.fit_slack_mm2}};
    } else {
      j["pim_fraction_of_dram_die"] = a.pim_share;
    }
  }
  j["dram_channel_gbit"] = a.channel_gbit;
  j["dram_die_given"] = a.dram_die_given;
  // The coefficients that entered this design's numbers (the loader rejects the others).
  J k;
  const bool in_die = a.kind == NmpKind::in_die;
  if (a.has_nmp) {
    if (in_die) {
      k["dram_logic_node_nm"] = c.dram_logic_node_nm;
      k["dram_logic_area_factor"] = c.dram_logic_area_factor;
    } else {
      k["logic_node_nm"] = c.logic_node_nm;
    }
    k["sram_um2_per_bit_at_7nm"] = c.sram_um2_per_bit_at_7nm;
    if (!in_die) {
      k["hb_pitch_um"] = c.hb_pitch_um;
      k["hb_pad_mbps"] = c.hb_pad_mbps;
      k["hb_pads_per_data_pad"] = c.hb_pads_per_data_pad;
    }
  }
  k["npu_tops_per_mm2"] = c.npu_tops_per_mm2;
  if (a.dram_die_given) {
    k["dram_die_mm2"] = c.dram_die_mm2;
  } else {
    k["dram_gbit_per_mm2"] = c.dram_gbit_per_mm2;
  }
  j["coefficients"] = k;
  return j;
}

}  // namespace h2sim

#pragma once
// The area coefficients of a design: the optional `area:` section of a hardware config
// (configs/hardware/*.yaml). Only the values a user may want to change live here (process nodes,
// SRAM density, hybrid-bond pitch and pad rate, NPU density, DRAM density or die area); the
// published unit areas and the node-scaling table they are scaled with are constants of the area
// model (mapping/area.hpp), each with its source. Every default below says where it comes from or
// that it is an assumption; docs/area.md lists them all.
#include <cstdint>
#include <string>

namespace h2sim {

class YamlMap;

// The process nodes the area model can scale between: the nodes of Stillmaker & Baas's area
// table (Integration 58, 2017), 130 nm to 7 nm. A node outside it is an error, not an
// extrapolation.
inline constexpr int64_t kAreaNodesNm[] = {130, 90, 65, 45, 32, 20, 16, 14, 10, 7};

struct AreaConfig {
  // Process node of the NMP logic die (MACs, SRAM buffers, its DRAM controller). Default 7 nm:
  // an assumption (the H2-LLM abstract gives no node); 7 nm is the floor of the scaling table.
  int64_t logic_node_nm = 7;
  // SRAM area per bit at 7 nm, before the array's efficiency (mapping/area.hpp): 1.70e-7 mm^2
  // (PrincetonUniversity/LLMCompass cost_model/cost_model.py, sram_bit_cell_density_7nm, fitted
  // with CACTI to real dies). Scaled to logic_node_nm like logic (an assumption: Stillmaker & Baas
  // give logic only). The ~4x spread of published N7 SRAM densities (0.6 mm^2/MB for AMD's
  // V-Cache die to 2.5 for A100's L2) is why it is a knob.
  double sram_um2_per_bit_at_7nm = 0.17;
  // Hybrid-bond pad pitch (square grid, one pad per pitch^2). Default 9 um: TSMC SoIC's pitch in
  // production (AnandTech, May 2024, TSMC SoIC roadmap; 3 um planned for 2027).
  double hb_pitch_um = 9;
  // Data rate of one bonded data pad. Assumption: 800 Mb/s, the port running single data rate
  // on LPDDR5-6400's 800 MHz CK (a wide, slow port, no SerDes). No published per-pad rate for a
  // per-bank hybrid-bonded DRAM port was found in the sources read for this model (TSMC SoIC and
  // Intel hybrid-bonding coverage, the H2-LLM abstract).
  double hb_pad_mbps = 800;
  // Pads per data pad (power, ground, command and address pads included). Assumption: 2, one
  // power or ground pad per signal pad; the row/column address of a bank is a few percent of
  // its data pads.
  double hb_pads_per_data_pad = 2;
  // NPU area density, in tera operations (a MAC is two) per second per mm^2, for the design's
  // precision. Samsung's 8k-MAC NPU in a 4 nm mobile SoC: 1.72 TFLOPS/mm^2 FP16, 3.45 TOPS/mm^2
  // INT8 (Park et al., JSSC 58(1), 2023, abstract). bf16 takes the FP16 figure (assumption);
  // fp32 has no default (0: the area model asks for a value).
  double npu_tops_per_mm2 = 1.72;
  // DRAM density, Gbit (2^30 bit) per mm^2 of die: Samsung's 12 Gb LPDDR5 die, 43.98 mm^2
  // (SemiWiki forum citing Signal Integrity Journal, "Inside Samsung's D1z LPDDR5"; secondary
  // source), 12 / 43.98 = 0.2729 (rounded to 4 digits, as the shipped configs write it).
  double dram_gbit_per_mm2 = 0.2729;
  // The DRAM die a channel's NMP die bonds to, in mm^2, if given (`dram_die_mm2`): it replaces
  // the estimate from dram_gbit_per_mm2 and the channel's capacity. 0 = not given.
  double dram_die_mm2 = 0;
  // In-die PIM units are built in the DRAM process. Assumption: its logic is as dense as a
  // 20 nm logic node's (Samsung's HBM-PIM put its PCUs in a 20 nm DRAM process, Kwon et al.,
  // ISSCC 2021 25.4) ...
  int64_t dram_logic_node_nm = 20;
  // ... times this factor. Assumption: 2, since a DRAM process has about half the metal layers of
  // a logic process (Wikipedia, "Computational RAM") and its logic is routing-limited. No
  // published ratio of logic density in a DRAM process to a logic process was found (searched:
  // Samsung HBM-PIM, UPMEM's Hot Chips 2019 talk as reported, SK hynix GDDR6-AiM coverage).
  double dram_logic_area_factor = 2;
};

// Reads the optional `area:` section of a hardware config from `top` (defaults above when the
// section or a key is absent). `precision` picks the NPU density default. The keys of the bonded
// logic die (logic_node_nm, hb_*) are errors on an in-die design and the DRAM-process keys
// (dram_logic_*) on a hybrid-bonded one: a key that would be ignored is not accepted. Bad values
// are InputErrors naming the file, line and key.
AreaConfig load_area_section(YamlMap& top, const std::string& precision, bool in_die);

}  // namespace h2sim

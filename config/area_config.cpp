#include "config/area_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <vector>

#include "config/yaml_reader.hpp"

namespace h2sim {

namespace {
std::string node_list() {
  std::string s;
  for (int64_t n : kAreaNodesNm) s += (s.empty() ? "" : ", ") + std::to_string(n);
  return s;
}

int64_t node(YamlMap& m, const std::string& key, int64_t fallback) {
  if (!m.has(key)) {
    m.optional_integer(key);  // marks it read
    return fallback;
  }
  const int64_t v = m.integer(key);
  if (std::find(std::begin(kAreaNodesNm), std::end(kAreaNodesNm), v) == std::end(kAreaNodesNm)) {
    m.fail(key, fmt::format("no area scaling for {} nm (valid: {} nm, the nodes of Stillmaker & Baas's table)", v,
                            node_list()));
  }
  return v;
}

double in_range(YamlMap& m, const std::string& key, double fallback, double lo, double hi, const char* why) {
  if (!m.has(key)) {
    m.optional_number(key);
    return fallback;
  }
  const double v = m.number(key);
  if (!(v >= lo && v <= hi)) m.fail(key, fmt::format("must be in [{}, {}] ({}), found {}", lo, hi, why, v));
  return v;
}
}  // namespace

AreaConfig load_area_section(YamlMap& top, const std::string& precision, bool in_die) {
  AreaConfig a;
  if (precision == "int8") a.npu_tops_per_mm2 = 3.45;  // Park et al., JSSC 2023: 3.45 TOPS/mm^2 INT8
  if (precision == "fp32") a.npu_tops_per_mm2 = 0;     // no sourced figure: the area model asks for one
  auto m = top.optional_map("area", {"logic_node_nm", "sram_um2_per_bit_at_7nm", "hb_pitch_um", "hb_pad_mbps",
                                     "hb_pads_per_data_pad", "npu_tops_per_mm2", "dram_gbit_per_mm2", "dram_die_mm2",
                                     "dram_logic_node_nm", "dram_logic_area_factor"});
  if (!m) return a;
  const std::vector<std::string> bonded = {"logic_node_nm", "hb_pitch_um", "hb_pad_mbps", "hb_pads_per_data_pad"};
  const std::vector<std::string> dram_process = {"dram_logic_node_nm", "dram_logic_area_factor"};
  for (const auto& k : in_die ? bonded : dram_process) {
    if (m->has(k)) {
      m->fail(k, in_die ? "is for a hybrid-bonded logic die; this design's PIM units are in the DRAM die (nmp_kind: "
                          "in_die, whose keys are dram_logic_node_nm and dram_logic_area_factor)"
                        : "is for in-die PIM units (nmp_kind: in_die); this design's NMP dies are hybrid-bonded logic "
                          "dies (their keys: logic_node_nm, hb_pitch_um, hb_pad_mbps, hb_pads_per_data_pad)");
    }
  }
  a.logic_node_nm = node(*m, "logic_node_nm", a.logic_node_nm);
  // Bounds: far outside any real process, so a unit slip (mm^2 for um^2, Gb/s for Mb/s) is caught.
  a.sram_um2_per_bit_at_7nm = in_range(*m, "sram_um2_per_bit_at_7nm", a.sram_um2_per_bit_at_7nm, 0.001, 10,
                                       "an N7 bitcell is 0.027 um^2");
  a.hb_pitch_um = in_range(*m, "hb_pitch_um", a.hb_pitch_um, 0.1, 100,
                           "imec's 0.4 um wafer-to-wafer bonds to 36-55 um microbumps");
  a.hb_pad_mbps = in_range(*m, "hb_pad_mbps", a.hb_pad_mbps, 1, 100000, "Mb/s per pad");
  a.hb_pads_per_data_pad = in_range(*m, "hb_pads_per_data_pad", a.hb_pads_per_data_pad, 1, 16,
                                    "at least the data pad itself");
  a.npu_tops_per_mm2 =
      in_range(*m, "npu_tops_per_mm2", a.npu_tops_per_mm2, 0.001, 1000, "Samsung's 4 nm NPU: 1.72 FP16, 3.45 INT8");
  const bool density_given = m->has("dram_gbit_per_mm2");
  a.dram_gbit_per_mm2 = in_range(*m, "dram_gbit_per_mm2", a.dram_gbit_per_mm2, 0.001, 100,
                                 "a 12 Gb LPDDR5 die holds 0.27 Gb/mm^2");
  if (m->has("dram_die_mm2")) {
    if (density_given) {
      m->fail("dram_die_mm2", "give dram_die_mm2 or dram_gbit_per_mm2, not both (the die area replaces the "
                              "estimate from the density)");
    }
    a.dram_die_mm2 = in_range(*m, "dram_die_mm2", 0, 1, 10000, "a die of 1 mm^2 to a full reticle and beyond");
  } else {
    m->optional_number("dram_die_mm2");
  }
  a.dram_logic_node_nm = node(*m, "dram_logic_node_nm", a.dram_logic_node_nm);
  a.dram_logic_area_factor = in_range(*m, "dram_logic_area_factor", a.dram_logic_area_factor, 1, 100,
                                      "DRAM-process logic is no denser than logic at the same node");
  m->reject_unknown_keys();
  return a;
}

}  // namespace h2sim

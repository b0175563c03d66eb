// The area model (mapping/area.hpp) and the `area:` section of the hardware config
// (config/area_config.hpp): each part's arithmetic from first principles, the fit check both
// ways, in-die PIM units in the DRAM process, and bad values naming file, line and key.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "mapping/area.hpp"
#include "tests/hardware_config_error.hpp"

using namespace h2sim;

namespace {
std::string hw_file(const std::string& name) { return std::string(H2SIM_SOURCE_DIR) + "/configs/hardware/" + name + ".yaml"; }

// The temporary configs this process wrote, removed when it exits.
struct TempFiles {
  std::vector<std::string> paths;
  ~TempFiles() {
    std::error_code ec;
    for (const auto& p : paths) std::filesystem::remove(p, ec);
  }
};
TempFiles temp_files;

// A hardware config in the system's temporary folder: the shipped `base` design with its `area:`
// section replaced by `area` and its precision by `precision`.
std::string temp_config(const std::string& stem, const std::string& area, const std::string& precision = "fp16",
                        const std::string& base = "h2llm") {
  std::ifstream in(hw_file(base));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t cut = text.find("\narea:");
  if (cut != std::string::npos) text = text.substr(0, cut + 1);
  // The shipped file names its DRAM standard relative to itself.
  const std::string rel = "dram_standard: ../dram/lpddr5-6400.yaml";
  const size_t at = text.find(rel);
  if (at != std::string::npos) {
    text.replace(at, rel.size(), "dram_standard: " + std::string(H2SIM_SOURCE_DIR) + "/configs/dram/lpddr5-6400.yaml");
  }
  const size_t p = text.find("precision: fp16");
  if (p != std::string::npos) text.replace(p, 15, "precision: " + precision);
  const std::string path = (std::filesystem::temp_directory_path() / ("h2sim_test_area_" + std::to_string(getpid()) + "_" + stem + ".yaml")).string();
  temp_files.paths.push_back(path);
  std::ofstream out(path);
  out << text << area;
  return path;
}

using test::hardware_config_error;

// Horowitz's FP16 MAC at 45 nm (multiplier 1640 + adder 1360 um^2) and LLMCompass's SRAM model.
constexpr double kFp16Mac45 = 3000;
double sram_mm2(double bytes, double um2_per_bit, double efficiency) { return bytes * 8 * um2_per_bit / efficiency / 1e6; }
}  // namespace

TEST(Area, StillmakerScalingReadsTheTable) {
  EXPECT_DOUBLE_EQ(logic_area_scale(45, 45), 1.0);
  EXPECT_DOUBLE_EQ(logic_area_scale(45, 7), 0.059);
  EXPECT_DOUBLE_EQ(logic_area_scale(7, 20), 3.6);
  EXPECT_DOUBLE_EQ(logic_area_scale(45, 16), 0.19);
  EXPECT_THROW(logic_area_scale(45, 28), InternalError);
}

TEST(Area, MacAreaByPrecision) {
  EXPECT_DOUBLE_EQ(mac_area_um2_at_45nm("fp16"), 1640 + 1360);
  EXPECT_DOUBLE_EQ(mac_area_um2_at_45nm("bf16"), 1640 + 1360);
  EXPECT_DOUBLE_EQ(mac_area_um2_at_45nm("int8"), 282 + 36);
  EXPECT_THROW(mac_area_um2_at_45nm("fp32"), InputError);
}

TEST(Area, SramArraysFromBitAreaAndEfficiency) {
  // 32 KiB at 0.17 um^2 per bit, efficiency 0.393 (LLMCompass's 32 KiB entry): 0.1134 mm^2,
  // i.e. 3.63 mm^2 per MiB.
  EXPECT_NEAR(sram_array_mm2(32 * 1024, 0.17), 32768.0 * 8 * 0.17 / 0.393 / 1e6, 1e-12);
  EXPECT_NEAR(sram_array_mm2(32 * 1024, 0.17) * 32, 3.6287, 1e-4);
  // Not a power of two: the next one's efficiency (48 KiB -> 64 KiB's 0.559), its own bits.
  EXPECT_DOUBLE_EQ(sram_array_efficiency(48 * 1024), 0.559);
  EXPECT_NEAR(sram_array_mm2(48 * 1024, 0.5), sram_mm2(48 * 1024, 0.5, 0.559), 1e-12);
  // Below 4 KiB an array costs what a 4 KiB array costs.
  EXPECT_DOUBLE_EQ(sram_array_mm2(1024, 0.17), sram_array_mm2(4096, 0.17));
  EXPECT_NEAR(sram_array_mm2(4096, 0.17), sram_mm2(4096, 0.17, 0.076), 1e-12);
  // Above 512 KiB: 512 KiB arrays (2 MiB = 4 of them at 0.602).
  EXPECT_NEAR(sram_array_mm2(2 << 20, 0.17), 4 * sram_mm2(512 * 1024, 0.17, 0.602), 1e-12);
  // The area is linear in the bit area.
  EXPECT_NEAR(sram_array_mm2(64 * 1024, 0.34), 2 * sram_array_mm2(64 * 1024, 0.17), 1e-12);
}

TEST(Area, HybridBondDataPadsFromPortRate) {
  EXPECT_EQ(hb_data_pads(25.6e9, 800), 256);  // 204.8 Gb/s at 0.8 Gb/s per pad
  EXPECT_EQ(hb_data_pads(6.4e9, 800), 64);
  EXPECT_EQ(hb_data_pads(25.6e9, 1600), 128);
  EXPECT_EQ(hb_data_pads(25.6e9 + 1, 800), 257);  // a fraction of a pad is a pad
  EXPECT_EQ(hb_data_pads(1, 800), 1);
}

TEST(Area, H2llmFromFirstPrinciples) {
  const HardwareConfig hw = load_hardware_config(hw_file("h2llm"));
  const AreaReport a = compute_area(hw);
  ASSERT_TRUE(a.has_nmp);
  EXPECT_EQ(a.kind, NmpKind::hybrid_bonded);
  const NmpDieArea& d = a.nmp;
  EXPECT_EQ(d.macs, 16 * 8 * 16);  // 16 PEs x 8 FPUs x 16 FP16 MAC lanes
  EXPECT_NEAR(d.mac_um2, kFp16Mac45 * 0.059, 1e-9);
  EXPECT_NEAR(d.macs_mm2, 2048 * 177.0 / 1e6, 1e-9);
  // 16 weight buffers and the input buffer of 32 KiB (efficiency 0.393), one 64 KiB output buffer (0.559).
  EXPECT_NEAR(d.weight_buffers.mm2, 16 * sram_mm2(32768, 0.17, 0.393), 1e-9);
  EXPECT_NEAR(d.input_buffer.mm2, sram_mm2(32768, 0.17, 0.393), 1e-9);
  EXPECT_NEAR(d.output_buffer.mm2, sram_mm2(65536, 0.17, 0.559), 1e-9);
  EXPECT_NEAR(d.sram_mm2, 17 * sram_mm2(32768, 0.17, 0.393) + sram_mm2(65536, 0.17, 0.559), 1e-9);
  // 256 data pads + 256 power/ground per bank, 16 banks, 9 um pitch.
  EXPECT_EQ(d.hb_data_pads_per_bank, 256);
  EXPECT_EQ(d.hb_pads_per_bank, 512);
  EXPECT_NEAR(d.hb_pads_mm2, 512.0 * 16 * 81 / 1e6, 1e-12);
  EXPECT_NEAR(d.controller_mm2, 90446400.0 / 96.3e6, 1e-9);
  EXPECT_NEAR(d.total_mm2, d.macs_mm2 + d.sram_mm2 + d.hb_pads_mm2 + d.controller_mm2, 1e-12);
  EXPECT_NEAR(a.nmp_total_mm2, 6 * d.total_mm2, 1e-9);
  // 16 banks x 256 MiB = 32 Gbit per channel at 0.2729 Gbit/mm^2.
  EXPECT_DOUBLE_EQ(a.channel_gbit, 32.0);
  EXPECT_NEAR(a.dram_die_mm2, 32 / 0.2729, 1e-9);
  EXPECT_NEAR(a.dram_total_mm2, 8 * 32 / 0.2729, 1e-9);
  EXPECT_TRUE(a.fits);
  EXPECT_NEAR(a.fit_slack_mm2, a.dram_die_mm2 - d.total_mm2, 1e-12);
  // 128 TMAC/s = 256 T operations/s at 1.72 TOPS/mm^2.
  EXPECT_NEAR(a.npu_mm2, 256 / 1.72, 1e-9);
  const auto j = area_json(a);
  EXPECT_DOUBLE_EQ(j["area_mm2"]["nmp_die_per_channel"]["total"].get<double>(), d.total_mm2);
  EXPECT_TRUE(j["fit"]["nmp_die_fits_under_dram_die"].get<bool>());
}

TEST(Area, NodeScalingMovesLogicAndSram) {
  const AreaReport a7 = compute_area(load_hardware_config(hw_file("h2llm")));
  const AreaReport a16 = compute_area(load_hardware_config(hw_file("h2llm"), {"area.logic_node_nm=16"}));
  // From 45 nm to 16 nm is x0.19; from 7 nm to 16 nm x3.2 (SRAM and the controller).
  EXPECT_NEAR(a16.nmp.mac_um2, kFp16Mac45 * 0.19, 1e-9);
  EXPECT_NEAR(a16.nmp.sram_mm2, a7.nmp.sram_mm2 * 3.2, 1e-9);
  EXPECT_NEAR(a16.nmp.controller_mm2, a7.nmp.controller_mm2 * 3.2, 1e-9);
  EXPECT_DOUBLE_EQ(a16.nmp.hb_pads_mm2, a7.nmp.hb_pads_mm2);  // pads do not scale with the node
  EXPECT_DOUBLE_EQ(a16.npu_mm2, a7.npu_mm2);                  // the NPU is the SoC's
}

TEST(Area, FitCheckBothWays) {
  // A DRAM die given smaller than the logic die: does not fit, by the difference.
  const AreaReport small = compute_area(load_hardware_config(temp_config("small_die", "area:\n  dram_die_mm2: 3\n")));
  EXPECT_TRUE(small.dram_die_given);
  EXPECT_DOUBLE_EQ(small.dram_die_mm2, 3.0);
  EXPECT_FALSE(small.fits);
  EXPECT_NEAR(small.fit_slack_mm2, 3.0 - small.nmp.total_mm2, 1e-12);
  EXPECT_LT(small.fit_slack_mm2, 0);
  EXPECT_NE(area_table(small).find("DOES NOT FIT"), std::string::npos) << area_table(small);
  EXPECT_FALSE(area_json(small)["fit"]["nmp_die_fits_under_dram_die"].get<bool>());
  // Given larger: fits.
  const AreaReport large = compute_area(load_hardware_config(temp_config("large_die", "area:\n  dram_die_mm2: 50\n")));
  EXPECT_TRUE(large.fits);
  EXPECT_NE(area_table(large).find("fits under its DRAM die"), std::string::npos);
  // Coarse pads (100 um pitch, 4 pads per data pad) outgrow the 117 mm^2 die from density:
  // 1024 pads x 16 banks x 0.01 mm^2 = 163.84 mm^2 of pads alone.
  const AreaReport coarse = compute_area(
      load_hardware_config(hw_file("h2llm"), {"area.hb_pitch_um=100", "area.hb_pads_per_data_pad=4"}));
  EXPECT_NEAR(coarse.nmp.hb_pads_mm2, 1024.0 * 16 * 1e4 / 1e6, 1e-9);
  EXPECT_FALSE(coarse.fits);
}

TEST(Area, InDiePimUnitsInTheDramProcess) {
  const AreaReport a = compute_area(load_hardware_config(hw_file("id-nmp")));
  ASSERT_TRUE(a.has_nmp);
  EXPECT_EQ(a.kind, NmpKind::in_die);
  const NmpDieArea& d = a.nmp;
  EXPECT_EQ(d.macs, 16 * 1 * 16);
  // 20 nm logic (x0.21 from 45 nm), twice as large in the DRAM process.
  EXPECT_NEAR(d.mac_um2, kFp16Mac45 * 0.21 * 2, 1e-9);
  EXPECT_NEAR(d.sram_um2_per_bit, 0.17 * 3.6 * 2, 1e-12);
  EXPECT_EQ(d.hb_pads_mm2, 0.0);  // no bond, no logic-die controller: the host drives the banks
  EXPECT_EQ(d.controller_mm2, 0.0);
  EXPECT_NEAR(a.dram_die_with_pim_mm2, a.dram_die_mm2 + d.total_mm2, 1e-12);
  EXPECT_NEAR(a.pim_share, d.total_mm2 / (a.dram_die_mm2 + d.total_mm2), 1e-12);
  EXPECT_NEAR(a.dram_total_mm2, 8 * (a.dram_die_mm2 + d.total_mm2), 1e-9);
  // ID-NMP+ differs only in its clock: same area.
  const AreaReport plus = compute_area(load_hardware_config(hw_file("id-nmp-plus")));
  EXPECT_DOUBLE_EQ(plus.nmp.total_mm2, d.total_mm2);
  EXPECT_TRUE(area_json(a).contains("pim_fraction_of_dram_die"));
}

TEST(Area, NpuOnlyDesignHasNoNmpDie) {
  const AreaReport a = compute_area(load_hardware_config(hw_file("npu-only")));
  EXPECT_FALSE(a.has_nmp);
  EXPECT_NEAR(a.npu_mm2, 512 / 1.72, 1e-9);
  EXPECT_FALSE(area_json(a)["area_mm2"].contains("nmp_die_per_channel"));
}

TEST(Area, DefaultsWithoutASectionMatchTheShippedValues) {
  const HardwareConfig none = load_hardware_config(temp_config("no_section", ""));
  const HardwareConfig shipped = load_hardware_config(hw_file("h2llm"));
  EXPECT_EQ(none.area.logic_node_nm, shipped.area.logic_node_nm);
  EXPECT_DOUBLE_EQ(none.area.sram_um2_per_bit_at_7nm, shipped.area.sram_um2_per_bit_at_7nm);
  EXPECT_DOUBLE_EQ(none.area.hb_pitch_um, shipped.area.hb_pitch_um);
  EXPECT_DOUBLE_EQ(none.area.hb_pad_mbps, shipped.area.hb_pad_mbps);
  EXPECT_DOUBLE_EQ(none.area.hb_pads_per_data_pad, shipped.area.hb_pads_per_data_pad);
  EXPECT_DOUBLE_EQ(none.area.npu_tops_per_mm2, shipped.area.npu_tops_per_mm2);
  EXPECT_DOUBLE_EQ(none.area.dram_gbit_per_mm2, shipped.area.dram_gbit_per_mm2);
  const HardwareConfig id = load_hardware_config(hw_file("id-nmp"));
  EXPECT_EQ(id.area.dram_logic_node_nm, AreaConfig{}.dram_logic_node_nm);
  EXPECT_DOUBLE_EQ(id.area.dram_logic_area_factor, AreaConfig{}.dram_logic_area_factor);
  // INT8 designs default to the INT8 density of the same NPU.
  const HardwareConfig int8 = load_hardware_config(hw_file("h2llm"), {"precision=int8", "area.npu_tops_per_mm2=3.45"});
  EXPECT_DOUBLE_EQ(int8.area.npu_tops_per_mm2, 3.45);
  EXPECT_DOUBLE_EQ(load_hardware_config(temp_config("int8", "", "int8")).area.npu_tops_per_mm2, 3.45);
}

TEST(Area, BadValuesNameFileLineAndKey) {
  const std::string node = hardware_config_error(hw_file("h2llm"), {"area.logic_node_nm=28"});
  EXPECT_NE(node.find("key 'area.logic_node_nm'"), std::string::npos) << node;
  EXPECT_NE(node.find("valid: 130, 90, 65, 45, 32, 20, 16, 14, 10, 7 nm"), std::string::npos) << node;

  const std::string pitch_file = temp_config("bad_pitch", "area:\n  hb_pitch_um: -9\n");
  const std::string pitch = hardware_config_error(pitch_file);
  EXPECT_NE(pitch.find(pitch_file + ":"), std::string::npos) << pitch;  // file and line
  EXPECT_NE(pitch.find("key 'area.hb_pitch_um'"), std::string::npos) << pitch;
  EXPECT_NE(pitch.find("found -9"), std::string::npos) << pitch;

  const std::string both = hardware_config_error(temp_config("both", "area:\n  dram_gbit_per_mm2: 0.3\n  dram_die_mm2: 100\n"));
  EXPECT_NE(both.find("key 'area.dram_die_mm2'"), std::string::npos) << both;
  EXPECT_NE(both.find("not both"), std::string::npos) << both;

  const std::string typo = hardware_config_error(temp_config("typo", "area:\n  hb_pitch_mm: 0.009\n"));
  EXPECT_NE(typo.find("unknown key 'area.hb_pitch_mm'"), std::string::npos) << typo;
  EXPECT_NE(typo.find("did you mean 'area.hb_pitch_um'"), std::string::npos) << typo;

  const std::string text = hardware_config_error(hw_file("h2llm"), {"area.hb_pad_mbps=fast"});
  EXPECT_NE(text.find("key 'area.hb_pad_mbps'"), std::string::npos) << text;

  // A key that the design's kind would ignore is an error, not silently unused.
  const std::string in_die = hardware_config_error(hw_file("id-nmp"), {"area.dram_logic_node_nm=20"});
  EXPECT_EQ(in_die, "");
  const std::string bonded_key = hardware_config_error(temp_config("in_die_pitch", "area:\n  hb_pitch_um: 9\n", "fp16", "id-nmp"));
  EXPECT_NE(bonded_key.find("key 'area.hb_pitch_um'"), std::string::npos) << bonded_key;
  EXPECT_NE(bonded_key.find("hybrid-bonded logic die"), std::string::npos) << bonded_key;

  // fp32: no sourced MAC area; the area model names the file and the key.
  const HardwareConfig fp32 =
      load_hardware_config(hw_file("h2llm"), {"precision=fp32", "area.npu_tops_per_mm2=1"});
  try {
    compute_area(fp32);
    FAIL() << "fp32 MACs have no sourced area";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(hw_file("h2llm")), std::string::npos) << m;
    EXPECT_NE(m.find("key 'precision'"), std::string::npos) << m;
    EXPECT_NE(m.find("valid: fp16, bf16, int8"), std::string::npos) << m;
  }
  // fp32 without an NPU density: the key to give is named.
  const HardwareConfig fp32_npu = load_hardware_config(temp_config("fp32", "", "fp32"));
  try {
    compute_area(fp32_npu);
    FAIL() << "fp32 has no default NPU density";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("key 'area.npu_tops_per_mm2'"), std::string::npos) << e.what();
  }
}

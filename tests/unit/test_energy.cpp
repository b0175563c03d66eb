#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "mapping/activity.hpp"
#include "mapping/energy.hpp"

using namespace h2sim;

namespace {
std::string default_file() { return std::string(H2SIM_SOURCE_DIR) + "/configs/energy/default.yaml"; }
std::string bad_file(const std::string& name) { return std::string(H2SIM_TEST_DATA_DIR) + "/bad/energy/" + name + ".yaml"; }

// The message of the InputError that loading `path` (with `overrides`) throws, or "" if none.
std::string load_error(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    load_energy_config(path, overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// 8 channels, 6 of them NMP, 32 B bursts: the H2-LLM layout, built by hand so the tests need no file.
HardwareConfig small_hw() {
  HardwareConfig hw;
  hw.channels = 8;
  hw.nmp_channels = 6;
  hw.burst_bytes = 32;
  return hw;
}

// Round energies, different per action, so a component priced with the wrong one shows.
EnergyConfig round_config() {
  EnergyConfig c;
  c.dram_activate_pj = 1000;
  c.dram_read_pj_per_bit = 2;
  c.dram_write_pj_per_bit = 3;
  c.dram_refresh_pj = 20000;
  c.dram_background_mw_per_channel = 10;
  c.external_io_pj_per_bit = 5;
  c.hybrid_bonding_pj_per_bit = 0.5;
  c.pe_mac_pj = 1.5;
  c.input_buffer_pj_per_byte = 1;
  c.weight_buffer_pj_per_byte = 2;
  c.output_buffer_pj_per_byte = 4;
  c.npu_mac_pj = 0.75;
  c.npu_add_pj = 0.25;
  c.nmp_die_static_mw = 100;
  c.npu_static_mw = 400;
  return c;
}

ActivityCounts some_counts() {
  ActivityCounts a;
  a.dram_activates = 3;
  a.dram_read_bursts = 10;
  a.dram_write_bursts = 4;
  a.dram_refreshes = 2;
  a.hb_bytes = 1000;
  a.external_bytes = 200;
  a.pe_macs = 1e6;
  a.input_buffer_bytes = 100;
  a.weight_buffer_bytes = 300;
  a.output_buffer_bytes = 50;
  a.npu_macs = 4e6;
  a.npu_adds = 800;
  a.kv_cache_bytes_written = 128;
  return a;
}
}  // namespace

TEST(EnergyConfig, DefaultLoadsWithDocumentedValues) {
  const EnergyConfig c = load_energy_config(default_file());
  EXPECT_EQ(c.name, "default-45nm-lpddr5");
  EXPECT_DOUBLE_EQ(c.dram_activate_pj, 1000);
  EXPECT_DOUBLE_EQ(c.dram_read_pj_per_bit, 1.5);
  EXPECT_DOUBLE_EQ(c.dram_write_pj_per_bit, 1.5);
  EXPECT_DOUBLE_EQ(c.dram_refresh_pj, 24000);
  EXPECT_DOUBLE_EQ(c.dram_background_mw_per_channel, 30);
  EXPECT_DOUBLE_EQ(c.external_io_pj_per_bit, 4.0);
  EXPECT_DOUBLE_EQ(c.hybrid_bonding_pj_per_bit, 0.05);
  EXPECT_DOUBLE_EQ(c.pe_mac_pj, 1.5);  // Horowitz 2014: FP16 mult 1.1 + add 0.4
  EXPECT_DOUBLE_EQ(c.input_buffer_pj_per_byte, 2.5);
  EXPECT_DOUBLE_EQ(c.weight_buffer_pj_per_byte, 2.5);
  EXPECT_DOUBLE_EQ(c.output_buffer_pj_per_byte, 1.25);
  EXPECT_DOUBLE_EQ(c.npu_mac_pj, 1.5);
  EXPECT_DOUBLE_EQ(c.npu_add_pj, 0.4);
  EXPECT_DOUBLE_EQ(c.nmp_die_static_mw, 100);
  EXPECT_DOUBLE_EQ(c.npu_static_mw, 500);
}

TEST(EnergyConfig, OverridesAreValidatedLikeTheFile) {
  const EnergyConfig c = load_energy_config(default_file(), {"hybrid_bonding_pj_per_bit=0.1",
                                                             "sram_pj_per_byte.weight_buffer=3", "npu_static_mw=0"});
  EXPECT_DOUBLE_EQ(c.hybrid_bonding_pj_per_bit, 0.1);
  EXPECT_DOUBLE_EQ(c.weight_buffer_pj_per_byte, 3);
  EXPECT_DOUBLE_EQ(c.input_buffer_pj_per_byte, 2.5);
  EXPECT_DOUBLE_EQ(c.npu_static_mw, 0);  // zero switches a component off
  // One number for the map prices every buffer.
  const EnergyConfig one = load_energy_config(default_file(), {"sram_pj_per_byte=2"});
  EXPECT_DOUBLE_EQ(one.input_buffer_pj_per_byte, 2);
  EXPECT_DOUBLE_EQ(one.weight_buffer_pj_per_byte, 2);
  EXPECT_DOUBLE_EQ(one.output_buffer_pj_per_byte, 2);

  const std::string typo = load_error(default_file(), {"pe_mac_pJ=1"});
  EXPECT_NE(typo.find("--energy-set 'pe_mac_pJ=1': unknown key 'pe_mac_pJ'"), std::string::npos) << typo;
  EXPECT_NE(typo.find("did you mean 'pe_mac_pj'"), std::string::npos) << typo;
  const std::string negative = load_error(default_file(), {"dram_read_pj_per_bit=-1"});
  EXPECT_NE(negative.find("key 'dram_read_pj_per_bit': must be 0 or more"), std::string::npos) << negative;
}

namespace {  // test-local: a namespace-scope BadCase in several test files is an ODR violation
struct BadCase {
  const char* file;
  std::vector<const char*> must_contain;
};
}  // namespace

// Each bad config fails with a message naming the file (with the line), the key and the fault.
TEST(EnergyConfig, BadInputsNameFileAndKey) {
  const std::vector<BadCase> cases = {
      {"unknown-key", {"unknown-key.yaml:9", "unknown key 'hybrid_bond_pj_per_bit'", "did you mean 'hybrid_bonding_pj_per_bit'"}},
      {"unknown-nested-key",
       {"unknown-nested-key.yaml:12", "unknown key 'sram_pj_per_byte.input_bufer'",
        "did you mean 'sram_pj_per_byte.input_buffer'"}},
      {"missing-key", {"key 'dram_refresh_pj'", "required key is missing"}},
      {"negative", {"negative.yaml:8", "key 'external_io_pj_per_bit'", "must be 0 or more", "found -4"}},
      {"nan", {"nan.yaml:16", "key 'npu_mac_pj'", "finite number"}},
      {"infinite", {"infinite.yaml:15", "key 'nmp_die_static_mw'", "finite number"}},
      {"wrong-type", {"wrong-type.yaml:3", "key 'dram_activate_pj'", "expected a number, found 'lots'"}},
      {"map-for-number", {"key 'pe_mac_pj'", "expected a number, found a map"}},
      {"sram-list", {"key 'sram_pj_per_byte'", "expected a number (all buffers) or a map", "found a list"}},
      {"too-large", {"key 'npu_static_mw'", "must be at most", "check the unit"}},
  };
  for (const auto& c : cases) {
    const std::string msg = load_error(bad_file(c.file));
    ASSERT_FALSE(msg.empty()) << c.file << " was accepted";
    EXPECT_NE(msg.find(std::string(c.file) + ".yaml"), std::string::npos) << msg;
    for (const char* needle : c.must_contain) EXPECT_NE(msg.find(needle), std::string::npos) << c.file << ": " << msg;
  }
  EXPECT_NE(load_error("/nonexistent/energy.yaml").find("/nonexistent/energy.yaml: cannot open"), std::string::npos);
}

// Every component by hand, from round_config() and some_counts() on 8 channels (6 NMP).
TEST(Energy, EachComponentMatchesHandComputation) {
  const double t = 2e-3;  // 2 ms
  const EnergyBreakdown e = compute_energy(round_config(), some_counts(), t, small_hw());
  EXPECT_DOUBLE_EQ(e.elapsed_s, t);
  EXPECT_DOUBLE_EQ(e.dram_activate_j, 3 * 1000e-12);
  // reads: 10 bursts x 256 bit + 1000 HB bytes x 8 bit = 10560 bit at 2 pJ; writes 4 x 256 bit at 3 pJ
  EXPECT_DOUBLE_EQ(e.dram_read_write_j, (10560 * 2 + 1024 * 3) * 1e-12);
  EXPECT_DOUBLE_EQ(e.dram_refresh_j, 2 * 20000e-12);
  EXPECT_DOUBLE_EQ(e.dram_background_j, 10e-3 * 8 * t);
  EXPECT_DOUBLE_EQ(e.external_io_j, 200 * 8 * 5e-12);
  EXPECT_DOUBLE_EQ(e.hybrid_bonding_j, 1000 * 8 * 0.5e-12);
  EXPECT_DOUBLE_EQ(e.pe_compute_j, 1e6 * 1.5e-12);
  EXPECT_DOUBLE_EQ(e.buffers_j, (100 * 1 + 300 * 2 + 50 * 4) * 1e-12);
  EXPECT_DOUBLE_EQ(e.npu_compute_j, (4e6 * 0.75 + 800 * 0.25) * 1e-12);
  EXPECT_DOUBLE_EQ(e.static_j, (6 * 100e-3 + 400e-3) * t);
  const double sum = e.dram_activate_j + e.dram_read_write_j + e.dram_refresh_j + e.dram_background_j +
                     e.external_io_j + e.hybrid_bonding_j + e.pe_compute_j + e.buffers_j + e.npu_compute_j +
                     e.static_j;
  EXPECT_DOUBLE_EQ(e.total_j, sum);
  EXPECT_DOUBLE_EQ(e.dynamic_j(), e.dram_activate_j + e.dram_read_write_j + e.dram_refresh_j + e.external_io_j +
                                     e.hybrid_bonding_j + e.pe_compute_j + e.buffers_j + e.npu_compute_j);
}

// Burst size comes from the hardware config, not a constant.
TEST(Energy, BurstBytesComeFromHardware) {
  HardwareConfig hw = small_hw();
  hw.burst_bytes = 64;
  ActivityCounts a;
  a.dram_read_bursts = 1;
  EXPECT_DOUBLE_EQ(compute_energy(round_config(), a, 0, hw).dram_read_write_j, 64 * 8 * 2e-12);
}

TEST(Energy, DynamicEnergyIsLinearInCounts) {
  const EnergyConfig c = load_energy_config(default_file());
  const double t = 1e-3;
  const EnergyBreakdown one = compute_energy(c, some_counts(), t, small_hw());
  const EnergyBreakdown two = compute_energy(c, some_counts().scaled(2), t, small_hw());
  EXPECT_GT(one.dynamic_j(), 0);
  EXPECT_NEAR(two.dynamic_j(), 2 * one.dynamic_j(), 1e-12 * one.dynamic_j());
  const auto parts_one = energy_components(one);
  const auto parts_two = energy_components(two);
  ASSERT_EQ(parts_one.size(), parts_two.size());
  for (size_t i = 0; i < parts_one.size(); ++i) {
    const bool time_based = parts_one[i].first == "dram_background" || parts_one[i].first == "static";
    EXPECT_DOUBLE_EQ(parts_two[i].second, (time_based ? 1 : 2) * parts_one[i].second) << parts_one[i].first;
  }
  ActivityCounts sum = some_counts();
  sum += some_counts();
  EXPECT_DOUBLE_EQ(compute_energy(c, sum, t, small_hw()).total_j, two.total_j);
}

TEST(Energy, StaticAndBackgroundScaleWithTimeAndUnits) {
  const EnergyConfig c = round_config();
  const EnergyBreakdown a = compute_energy(c, some_counts(), 1e-3, small_hw());
  const EnergyBreakdown b = compute_energy(c, some_counts(), 3e-3, small_hw());
  EXPECT_DOUBLE_EQ(b.static_j, 3 * a.static_j);
  EXPECT_DOUBLE_EQ(b.dram_background_j, 3 * a.dram_background_j);
  EXPECT_DOUBLE_EQ(b.dynamic_j(), a.dynamic_j());
  // Background follows the channel count, NMP-die static power the NMP channels; the NPU stays.
  HardwareConfig cp = small_hw();
  cp.channels = 16;
  cp.nmp_channels = 0;
  const EnergyBreakdown npu_only = compute_energy(c, ActivityCounts{}, 1.0, cp);
  EXPECT_DOUBLE_EQ(npu_only.dram_background_j, 16 * 10e-3);
  EXPECT_DOUBLE_EQ(npu_only.static_j, 400e-3);
}

TEST(Energy, ZeroCountsLeaveOnlyStaticAndBackground) {
  const EnergyConfig c = load_energy_config(default_file());
  const double t = 0.5;
  const EnergyBreakdown e = compute_energy(c, ActivityCounts{}, t, small_hw());
  EXPECT_DOUBLE_EQ(e.dynamic_j(), 0);
  for (const auto& [name, joules] : energy_components(e)) {
    if (name != "dram_background" && name != "static") {
      EXPECT_EQ(joules, 0) << name;
    }
  }
  EXPECT_DOUBLE_EQ(e.dram_background_j, 30e-3 * 8 * t);
  EXPECT_DOUBLE_EQ(e.static_j, (6 * 100e-3 + 500e-3) * t);
  EXPECT_DOUBLE_EQ(e.total_j, e.dram_background_j + e.static_j);
  // No time, no counts: nothing at all.
  EXPECT_EQ(compute_energy(c, ActivityCounts{}, 0, small_hw()).total_j, 0);
}

TEST(Energy, BadCountsAreInternalErrors) {
  ActivityCounts a;
  a.hb_bytes = -1;
  EXPECT_THROW(compute_energy(round_config(), a, 1e-3, small_hw()), InternalError);
  EXPECT_THROW(compute_energy(round_config(), ActivityCounts{}, -1, small_hw()), InternalError);
  ActivityCounts nan;
  nan.pe_macs = std::nan("");
  EXPECT_THROW(compute_energy(round_config(), nan, 1e-3, small_hw()), InternalError);
  EXPECT_THROW(compute_energy(round_config(), ActivityCounts{}, 1e-3, HardwareConfig{}), InternalError);
}

TEST(Energy, JsonAndTableListEveryComponent) {
  const EnergyBreakdown e = compute_energy(round_config(), some_counts(), 2e-3, small_hw());
  const auto j = energy_json(e);
  EXPECT_DOUBLE_EQ(j.at("total_j").get<double>(), e.total_j);
  EXPECT_DOUBLE_EQ(j.at("dynamic_j").get<double>(), e.dynamic_j());
  EXPECT_DOUBLE_EQ(j.at("average_power_w").get<double>(), e.total_j / 2e-3);
  const std::vector<std::string> names = {"dram_activate", "dram_read_write", "dram_refresh", "dram_background",
                                          "external_io",   "hybrid_bonding",  "pe_compute",   "buffers",
                                          "npu_compute",   "static"};
  ASSERT_EQ(j.at("components_j").size(), names.size());
  size_t i = 0;
  for (const auto& [key, value] : j.at("components_j").items()) {
    EXPECT_EQ(key, names[i++]);  // report order is stable
    EXPECT_GE(value.get<double>(), 0);
  }
  EXPECT_DOUBLE_EQ(j.at("components_j").at("pe_compute").get<double>(), e.pe_compute_j);
  const std::string table = energy_table(e);
  for (const auto& n : names) EXPECT_NE(table.find(n), std::string::npos) << n;
  EXPECT_NE(table.find("total"), std::string::npos);
  EXPECT_NE(table.find("100.0%"), std::string::npos);

  const auto cj = energy_config_json(load_energy_config(default_file()));
  EXPECT_DOUBLE_EQ(cj.at("sram_pj_per_byte").at("output_buffer").get<double>(), 1.25);
  EXPECT_DOUBLE_EQ(cj.at("hybrid_bonding_pj_per_bit").get<double>(), 0.05);
}

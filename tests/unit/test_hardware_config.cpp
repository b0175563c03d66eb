#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "config/yaml_reader.hpp"

using namespace h2sim;

namespace {
std::string hw_file(const std::string& name) { return std::string(H2SIM_SOURCE_DIR) + "/configs/hardware/" + name + ".yaml"; }
std::string bad_file(const std::string& name) { return std::string(H2SIM_TEST_DATA_DIR) + "/bad/hardware/" + name + ".yaml"; }

// The message of the InputError that loading `path` (with `overrides`) throws, or "" if none.
std::string load_error(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    load_hardware_config(path, overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(HardwareConfig, ShippedDesignsLoadWithReferenceValues) {
  const auto h2 = load_hardware_config(hw_file("h2llm"));
  EXPECT_EQ(h2.channels, 8);
  EXPECT_EQ(h2.nmp_channels, 6);
  EXPECT_EQ(h2.normal_channels(), 2);
  EXPECT_EQ(h2.channel_capacity_bytes(), int64_t(4) << 30);
  EXPECT_DOUBLE_EQ(h2.external_bandwidth_bytes_per_s, 12.8e9);
  EXPECT_DOUBLE_EQ(h2.pe.frequency_hz, 600e6);
  EXPECT_DOUBLE_EQ(h2.pe.macs_per_s() * 16, 1228.8e9);  // reference: 1228.8 GMAC/s per channel
  EXPECT_DOUBLE_EQ(h2.pe.hb_bandwidth_bytes_per_s * 16, 409.6e9);
  EXPECT_EQ(h2.buffers.input_buffer_bytes, 32 * 1024);
  EXPECT_EQ(h2.output_buffer_bytes_per_pe(), 4 * 1024);
  EXPECT_EQ(h2.element_bytes, 2);
  const auto id = load_hardware_config(hw_file("id-nmp"));
  EXPECT_DOUBLE_EQ(id.pe.macs_per_s() * 16, 51.2e9);
  const auto idp = load_hardware_config(hw_file("id-nmp-plus"));
  EXPECT_DOUBLE_EQ(idp.pe.macs_per_s() * 16, 256e9);
  const auto cp = load_hardware_config(hw_file("npu-only"));
  EXPECT_EQ(cp.nmp_channels, 0);
  EXPECT_DOUBLE_EQ(cp.npu.peak_macs_per_s, 256e12);
}

TEST(HardwareConfig, OverridesAreValidatedLikeTheFile) {
  const auto four = load_hardware_config(hw_file("h2llm"), {"nmp_channels=4", "pe.frequency_mhz=800"});
  EXPECT_EQ(four.nmp_channels, 4);
  EXPECT_DOUBLE_EQ(four.pe.frequency_hz, 800e6);
  EXPECT_NE(load_error(hw_file("h2llm"), {"nmp_channels=9"}).find("nmp_channels"), std::string::npos);
  const std::string typo = load_error(hw_file("h2llm"), {"pe.frequency_ghz=1"});
  EXPECT_NE(typo.find("--set 'pe.frequency_ghz=1': unknown key 'pe.frequency_ghz'"), std::string::npos) << typo;
  EXPECT_NE(typo.find("did you mean 'pe.frequency_mhz'"), std::string::npos) << typo;
  EXPECT_NE(load_error(hw_file("h2llm"), {"channels"}).find("expected KEY=VALUE"), std::string::npos);
}

struct BadCase {
  const char* file;
  std::vector<const char*> must_contain;
};

// Each bad config must fail with a message naming the file, the key and what is wrong.
TEST(HardwareConfig, BadInputsNameFileAndKey) {
  const std::vector<BadCase> cases = {
      {"unknown-key", {"unknown-key.yaml:4", "unknown key 'chanels'", "did you mean 'channels'"}},
      {"wrong-unit-ghz", {"unknown key 'pe.frequency_ghz'", "did you mean 'pe.frequency_mhz'"}},
      {"missing-required", {"key 'external_bandwidth_gbps'", "required key is missing"}},
      {"wrong-type", {"key 'channels'", "expected a whole number, found 'eight'"}},
      {"negative-size", {"key 'buffers.input_buffer_kib'", "must be greater than 0"}},
      {"zero-bandwidth", {"key 'pe.hb_bandwidth_gbps'", "must be greater than 0, found 0"}},
      {"too-many-nmp", {"key 'nmp_channels'", "9 NMP channels but only 8 channels"}},
      {"buffer-below-burst", {"key 'buffers.weight_buffer_kib'", "16 B cannot hold one 32 B DRAM burst"}},
      {"nan-frequency", {"key 'pe.frequency_mhz'", "finite number"}},
      {"fraction-out-of-range", {"key 'npu.compute_efficiency'", "fraction in (0, 1]"}},
      {"unknown-precision", {"key 'precision'", "unknown precision 'fp12'"}},
      {"missing-dram-file", {"key 'dram_standard'", "does not exist"}},
      {"unknown-nested-key", {"unknown key 'pe.fpu_per_pe'", "did you mean 'pe.fpus_per_pe'"}},
      {"string-for-map", {"key 'npu'", "expected a map of keys, found 'fast'"}},
      {"malformed", {"malformed.yaml:3:1", "malformed YAML"}},
  };
  for (const auto& c : cases) {
    const std::string msg = load_error(bad_file(c.file));
    ASSERT_FALSE(msg.empty()) << c.file << " was accepted";
    EXPECT_NE(msg.find(std::string(c.file) + ".yaml"), std::string::npos) << msg;
    for (const char* needle : c.must_contain) EXPECT_NE(msg.find(needle), std::string::npos) << c.file << ": " << msg;
  }
}

TEST(HardwareConfig, MissingFileIsAnInputError) {
  EXPECT_NE(load_error("/nonexistent/h2.yaml").find("/nonexistent/h2.yaml: cannot open"), std::string::npos);
}

TEST(YamlReader, ClosestMatchPrefersSmallEdits) {
  EXPECT_EQ(closest_match("chanels", {"channels", "nmp_channels", "name"}), "channels");
  EXPECT_EQ(closest_match("frequency_ghz", {"fpus_per_pe", "frequency_mhz"}), "frequency_mhz");
  EXPECT_EQ(closest_match("zzz", {"channels", "name"}), "");
}

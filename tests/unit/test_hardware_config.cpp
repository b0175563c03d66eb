#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "config/yaml_reader.hpp"
#include "tests/hardware_config_error.hpp"

using namespace h2sim;

namespace {
std::string hw_file(const std::string& name) { return std::string(H2SIM_SOURCE_DIR) + "/configs/hardware/" + name + ".yaml"; }
std::string bad_file(const std::string& name) { return std::string(H2SIM_TEST_DATA_DIR) + "/bad/hardware/" + name + ".yaml"; }

using test::hardware_config_error;
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
  EXPECT_NE(hardware_config_error(hw_file("h2llm"), {"nmp_channels=9"}).find("nmp_channels"), std::string::npos);
  const std::string typo = hardware_config_error(hw_file("h2llm"), {"pe.frequency_ghz=1"});
  EXPECT_NE(typo.find("--set 'pe.frequency_ghz=1': unknown key 'pe.frequency_ghz'"), std::string::npos) << typo;
  EXPECT_NE(typo.find("did you mean 'pe.frequency_mhz'"), std::string::npos) << typo;
  EXPECT_NE(hardware_config_error(hw_file("h2llm"), {"channels"}).find("expected KEY=VALUE"), std::string::npos);
}

namespace {  // test-local: a namespace-scope BadCase in several test files is an ODR violation
struct BadCase {
  const char* file;
  std::vector<const char*> must_contain;
};
}  // namespace

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
    const std::string msg = hardware_config_error(bad_file(c.file));
    ASSERT_FALSE(msg.empty()) << c.file << " was accepted";
    EXPECT_NE(msg.find(std::string(c.file) + ".yaml"), std::string::npos) << msg;
    for (const char* needle : c.must_contain) EXPECT_NE(msg.find(needle), std::string::npos) << c.file << ": " << msg;
  }
}

TEST(HardwareConfig, MissingFileIsAnInputError) {
  EXPECT_NE(hardware_config_error("/nonexistent/h2.yaml").find("/nonexistent/h2.yaml: cannot open"), std::string::npos);
}

TEST(YamlReader, ClosestMatchPrefersSmallEdits) {
  EXPECT_EQ(closest_match("chanels", {"channels", "nmp_channels", "name"}), "channels");
  EXPECT_EQ(closest_match("frequency_ghz", {"fpus_per_pe", "frequency_mhz"}), "frequency_mhz");
  EXPECT_EQ(closest_match("zzz", {"channels", "name"}), "");
}

namespace {
// The InputError message of `read` on a map parsed from `yaml`, or "" if none.
template <class F>
std::string map_error(const std::string& yaml, F read) {
  try {
    read(YamlMap(YAML::Load(yaml), "f.yaml", ""));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

// Without declared keys, a valid key not read yet looks like a typo of a missing one; with them,
// a missing key is reported as missing.
TEST(YamlReader, DeclaredKeysAreNeverTakenForTypos) {
  const std::string doc = "nrc_ck: 44\nnrcd_ck: 15\n";  // nras_ck missing
  EXPECT_NE(map_error(doc, [](YamlMap m) { m.integer("nras_ck"); }).find("unknown key 'nrc_ck'"), std::string::npos);
  const std::string msg = map_error(doc, [](YamlMap m) {
    m.declare_keys({"nras_ck", "nrc_ck", "nrcd_ck"});
    m.integer("nras_ck");
  });
  EXPECT_NE(msg.find("key 'nras_ck': required key is missing"), std::string::npos) << msg;
}

TEST(YamlReader, DeclaredKeysRejectUnknownKeysAtOnceWithSuggestionsFromTheWholeSet) {
  // 'precison' is reported when the keys are declared, before any value is read, and the
  // suggestion comes from a key that was never read.
  std::string msg = map_error("name: x\nprecison: int8\n", [](YamlMap m) { m.declare_keys({"name", "precision"}); });
  EXPECT_NE(msg.find("f.yaml:2: unknown key 'precison' (did you mean 'precision'?)"), std::string::npos) << msg;
  // Nothing close: every declared key is listed, in declared order.
  msg = map_error("zzz: 1\n", [](YamlMap m) { m.declare_keys({"name", "precision"}); });
  EXPECT_NE(msg.find("valid keys here: name, precision"), std::string::npos) << msg;
  // Nested maps: the key path is named.
  msg = map_error("pe: {fpu_per_pe: 8}\n", [](YamlMap m) { m.map("pe", {"fpus_per_pe", "frequency_mhz"}); });
  EXPECT_NE(msg.find("unknown key 'pe.fpu_per_pe' (did you mean 'pe.fpus_per_pe'?)"), std::string::npos) << msg;
  // Declared but absent optional keys are fine.
  EXPECT_EQ(map_error("name: x\n", [](YamlMap m) {
              m.declare_keys({"name", "precision"});
              m.string("name");
              m.optional_string("precision");
              m.reject_unknown_keys();
            }),
            "");
}

TEST(YamlReader, ReadingAnUndeclaredKeyIsABugInTheLoader) {
  YamlMap m(YAML::Load("name: x\n"), "f.yaml", "", {"name"});
  EXPECT_THROW(m.optional_string("label"), InternalError);
}

// yaml-cpp needs ~380 B per node: a 60 MB list took 11 GiB. YAML inputs are capped at 1 MiB.
TEST(YamlReader, HugeYamlFileIsRefusedBeforeParsing) {
  const std::string path = ::testing::TempDir() + "h2sim-huge.yaml";
  {
    std::ofstream out(path);
    out << "name: x\nlist: [";
    for (int i = 0; i < 600000; ++i) out << "1,";
    out << "1]\n";
  }
  try {
    (void)load_yaml_file(path);
    ADD_FAILURE() << "a 1.2 MB YAML file was parsed";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("is too large for a YAML config (at most 1024 KiB"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

// A long value is shortened in messages (a pasted file must not flood the terminal).
TEST(YamlReader, LongValuesAreShortenedInMessages) {
  const std::string msg = map_error("n: " + std::string(5000, '9') + "x\n", [](YamlMap m) { m.integer("n"); });
  EXPECT_NE(msg.find("...' (5001 bytes)"), std::string::npos) << msg.substr(0, 200);
  EXPECT_LT(msg.size(), 300u);
}

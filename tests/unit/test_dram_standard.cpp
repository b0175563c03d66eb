// Loading the DRAM timing standard: the shipped LPDDR5-6400 file, and every kind of bad input
// failing with an error that names the file and the key.
#include <gtest/gtest.h>

#include <string>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/dram/lpddr5_channel.hpp"

using namespace h2sim;

namespace {
const std::string kStandard = H2SIM_SOURCE_DIR "/configs/dram/lpddr5-6400.yaml";
const std::string kBad = H2SIM_TEST_DATA_DIR "/bad/dram/";

std::string error_of(const std::string& file) {
  try {
    load_dram_standard(file);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(DramStandard, Lpddr5_6400MatchesTheReference) {
  DramStandard s = load_dram_standard(kStandard);
  EXPECT_EQ(s.tck_ps, 1250);
  EXPECT_EQ(s.burst_bytes, 32);
  EXPECT_EQ(s.banks(), 16);
  EXPECT_EQ(s.bank_groups, 4);
  EXPECT_EQ(s.row_bytes, 2048);
  EXPECT_EQ(s.bursts_per_row(), 64);
  EXPECT_DOUBLE_EQ(s.peak_bandwidth_bytes_per_s(), 12.8e9);
  const DramTimingCk& t = s.t;
  EXPECT_EQ(t.nbl, 2);
  EXPECT_EQ(t.ncl, 20);
  EXPECT_EQ(t.ncwl, 11);
  EXPECT_EQ(t.nrcd, 15);
  EXPECT_EQ(t.nrpab, 17);
  EXPECT_EQ(t.nrppb, 15);
  EXPECT_EQ(t.nras, 34);
  EXPECT_EQ(t.nrc, t.nras + t.nrppb);  // not the 30 of one public preset
  EXPECT_EQ(t.nrtp, 4);
  EXPECT_EQ(t.nwr, 28);
  EXPECT_EQ(t.nccd_s, 2);
  EXPECT_EQ(t.nccd_l, 4);
  EXPECT_EQ(t.nrrd, 4);
  EXPECT_EQ(t.nfaw, 16);
  EXPECT_EQ(t.activates_per_faw, 4);
  EXPECT_EQ(t.nwtr_s, 5);
  EXPECT_EQ(t.nwtr_l, 10);
  EXPECT_EQ(t.nppd, 2);
  EXPECT_EQ(s.refresh.mode, RefreshMode::all_bank);
  EXPECT_EQ(s.refresh.nrefi_ck, 3125);   // 3906 ns / 1.25 ns = 3124.8, nearest CK
  EXPECT_EQ(s.refresh.nrfcab_ck, 224);   // 280 ns at 16 Gb
  EXPECT_EQ(s.refresh.nrfcpb_ck, 112);   // 140 ns at 16 Gb
  EXPECT_EQ(s.hb.column_access_bytes, 64);
  EXPECT_EQ(s.hb.row_switch, HbRowSwitch::exposed);
  EXPECT_EQ(s.controller.page_policy, PagePolicy::open);
  EXPECT_EQ(s.controller.address_mapping.size(), 4u);
}

TEST(DramStandard, DensitySelectsRefreshCycleTime) {
  DramStandard s = load_dram_standard(kStandard, {"refresh.die_density_gbit=8"});
  EXPECT_EQ(s.refresh.nrfcab_ck, 168);  // 210 ns
  EXPECT_EQ(s.refresh.nrfcpb_ck, 96);   // 120 ns
}

TEST(DramStandard, HardwareConfigsReferenceIt) {
  HardwareConfig hw = load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml");
  ASSERT_FALSE(hw.dram_standard_file.empty());
  DramStandard s = load_dram_standard(hw.dram_standard_file);
  Lpddr5Channel ch(s, hw, true);
  EXPECT_EQ(ch.rows_per_bank(), (256 << 20) / 2048);  // from bank capacity / row size
  EXPECT_EQ(ch.mapping().capacity_bytes(), hw.channel_capacity_bytes());
  EXPECT_EQ(ch.hb_access_period_ps(), 2500);  // 64 B at 25.6 GB/s
}

TEST(DramStandard, AddressMappingRoundTripsAndInterleavesBankGroups) {
  HardwareConfig hw = load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml");
  DramStandard s = load_dram_standard(kStandard);
  Lpddr5Channel ch(s, hw, false);
  const DramAddressMapping& m = ch.mapping();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(m.decode(i * 32).bank_group, i);  // consecutive bursts alternate BGs
  EXPECT_EQ(m.decode(4 * 32).column, 1);
  EXPECT_EQ(m.decode(8192).bank, 1);       // after 4 rows' worth: next bank of each group
  EXPECT_EQ(m.decode(4 * 8192).row, 1);    // after all 16 banks: next row
  for (int64_t a : {int64_t(0), int64_t(32), int64_t(123456) * 32, m.capacity_bytes() - 32}) {
    EXPECT_EQ(m.encode(m.decode(a)), a);
  }
}

TEST(DramStandard, MismatchedHardwareConfigIsRejected) {
  HardwareConfig hw = load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml", {"banks_per_channel=8"});
  DramStandard s = load_dram_standard(kStandard);
  try {
    Lpddr5Channel ch(s, hw, false);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("banks_per_channel"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("h2llm.yaml"), std::string::npos) << e.what();
  }
}

namespace {  // test-local: a namespace-scope BadCase in several test files is an ODR violation
struct BadCase {
  const char* file;
  const char* key;        // the key path the error must name
  const char* also = "";  // another fragment it must contain
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.file; }

class DramStandardBadInput : public ::testing::TestWithParam<BadCase> {};
}  // namespace

TEST_P(DramStandardBadInput, NamesFileAndKey) {
  const BadCase& c = GetParam();
  std::string msg = error_of(kBad + c.file);
  ASSERT_FALSE(msg.empty()) << c.file << " was accepted";
  EXPECT_NE(msg.find(c.file), std::string::npos) << msg;
  EXPECT_NE(msg.find(std::string("'") + c.key + "'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(c.also), std::string::npos) << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Files, DramStandardBadInput,
    ::testing::Values(BadCase{"unknown_key.yaml", "timing.nrtp_cycles", "did you mean 'timing.nrtp_ck'"},
                      BadCase{"unknown_top_key.yaml", "tck_ps", "did you mean 'tck_ns'"},
                      BadCase{"missing_key.yaml", "timing.nras_ck", "required key is missing"},
                      BadCase{"nrc_beyond_refresh.yaml", "timing.nrc_ck", "does not fit between two refreshes"},
                      BadCase{"wrong_type.yaml", "timing.ncl_ck", "twenty"},
                      BadCase{"non_positive.yaml", "timing.nrrd_ck", "greater than 0"},
                      BadCase{"tck_ns_negative.yaml", "tck_ns", "greater than 0"},
                      BadCase{"nrc_below_ras_plus_rp.yaml", "timing.nrc_ck", "nras_ck + nrppb_ck"},
                      BadCase{"row_not_multiple_of_burst.yaml", "organisation.row_bytes", "multiple"},
                      BadCase{"burst_mismatch.yaml", "burst_bytes", "burst_length"},
                      BadCase{"nbl_mismatch.yaml", "timing.nbl_ck", "burst_length"},
                      BadCase{"bad_density.yaml", "refresh.die_density_gbit", "valid: 2, 4, 8, 16"},
                      BadCase{"bad_refresh_mode.yaml", "refresh.mode", "all_bank, per_bank"},
                      BadCase{"unknown_row_switch.yaml", "hb_port.row_switch", "prefetch_buffer"},
                      BadCase{"hb_width_not_dividing_row.yaml", "hb_port.column_access_bytes", "divide"},
                      BadCase{"bad_page_policy.yaml", "controller.page_policy", "open, closed"},
                      BadCase{"mapping_duplicate.yaml", "controller.address_mapping", "twice"},
                      BadCase{"mapping_unknown_field.yaml", "controller.address_mapping", "'col'"}),
    [](const ::testing::TestParamInfo<BadCase>& info) {
      std::string name = info.param.file;
      name = name.substr(0, name.find('.'));
      return name;
    });

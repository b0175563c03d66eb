// The shipped DRAM standards other than LPDDR5-6400 and the engine rules they need: separate
// nRRD_S / nRRD_L, a read-to-write spacing (nRTW), all-bank-only refresh, clock ratio 1 (DDR4).
// Each rule: legal at exactly the expected cycle, not one cycle sooner.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/dram_trace_check.hpp"
#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/dram/dram_workloads.hpp"
#include "models/dram/lpddr5_channel.hpp"

using namespace h2sim;

namespace {

// The harness's commands are checked by the independent checker when it goes out of scope.
struct Ddr4 {
  DramStandard s;
  HardwareConfig hw;
  Lpddr5Channel ch;
  test::CheckedCommandTrace trace;
  explicit Ddr4(const std::vector<std::string>& dram_overrides = {})
      : s(load_dram_standard(H2SIM_SOURCE_DIR "/configs/dram/ddr4-3200.yaml", dram_overrides)),
        hw(load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/examples/ddr4-3200-x16.yaml")),
        ch(s, hw, false) {
    ch.set_command_observer(&trace.observer(), 0);
  }
  ~Ddr4() {
    ch.finish_commands(ch.stats().end_ps);
    trace.check(s, hw);
  }
  int64_t ck(int64_t n) const { return n * s.tck_ps; }
  void expect_earliest_and_issue(DramCommand cmd, int bank, int64_t row, int64_t at_ck, int64_t from_ck = 0) {
    EXPECT_EQ(ch.earliest(cmd, bank, row, ck(from_ck)), ck(at_ck));
    if (at_ck > from_ck) {
      EXPECT_THROW(ch.issue(cmd, bank, row, ck(at_ck - 1)), InternalError);
    }
    ch.issue(cmd, bank, row, ck(at_ck));
  }
};

}  // namespace

TEST(DramStandards, Ddr4LoadsWithItsJedecValues) {
  Ddr4 d;
  EXPECT_EQ(d.s.tck_ps, 625);
  EXPECT_EQ(d.s.burst_bytes, 16);
  EXPECT_EQ(d.s.t.nbl, 4);
  EXPECT_EQ(d.s.t.nrrd, 9);
  EXPECT_EQ(d.s.t.nrrd_l, 11);
  EXPECT_EQ(d.s.t.nrtw, 12);
  EXPECT_EQ(d.s.refresh.nrefi_ck, 12480);
  EXPECT_EQ(d.s.refresh.nrfcab_ck, 560);  // 350 ns
  EXPECT_EQ(d.s.refresh.nrfcpb_ck, 0);    // no per-bank refresh
  EXPECT_EQ(d.ch.mapping().capacity_bytes(), int64_t(1) << 30);
  EXPECT_DOUBLE_EQ(d.s.peak_bandwidth_bytes_per_s(), 6.4e9);
  // No per-bank refresh times: per_bank mode is refused.
  EXPECT_THROW(Ddr4({"refresh.mode=per_bank"}), InputError);
}

TEST(DramStandards, Ddr4ActivateSpacingSameAndOtherBankGroup) {
  Ddr4 d;
  const auto& t = d.s.t;
  // Banks 0..3 are bank group 0, 4..7 bank group 1.
  d.ch.issue(DramCommand::act, 0, 1, 0);
  EXPECT_EQ(d.ch.earliest(DramCommand::act, 1, 1, 0), d.ck(t.nrrd_l));  // same group: nRRD_L
  d.expect_earliest_and_issue(DramCommand::act, 4, 1, t.nrrd);         // other group: nRRD_S
  // Bank 1 (group 0): nRRD_L after bank 0 binds over nRRD_S after bank 4 (9 + 9 = 18 > 11)?
  // No: 2 x nRRD_S = 18 > nRRD_L = 11, so nRRD_S after the second ACT binds.
  d.expect_earliest_and_issue(DramCommand::act, 1, 1, 2 * t.nrrd, t.nrrd);
  // Bank 5 (group 1) after bank 1 at 18: nRRD_S would allow 27, nRRD_L after bank 4 (at 9) 20.
  d.expect_earliest_and_issue(DramCommand::act, 5, 1, 3 * t.nrrd, 2 * t.nrrd);
  // Bank 2 (group 0): nRRD_L after bank 1 (18 + 11 = 29) binds over nRRD_S after bank 5 (36)?
  // nRRD_S: 27 + 9 = 36 > 29, and nFAW: ACT 0 at 0 + 48 = 48 binds (fifth ACT in the window).
  d.expect_earliest_and_issue(DramCommand::act, 2, 1, t.nfaw, 3 * t.nrrd);
}

TEST(DramStandards, Ddr4NrrdLBindsAlone) {
  // With nRRD_S = 4 the same-group spacing is the only binding rule.
  Ddr4 d({"timing.nrrd_s_ck=4"});
  d.ch.issue(DramCommand::act, 0, 1, 0);
  d.expect_earliest_and_issue(DramCommand::act, 4, 1, 4);
  d.expect_earliest_and_issue(DramCommand::act, 1, 1, d.s.t.nrrd_l, 4);
  // And in the FR-FCFS scheduler: two requests to banks 0 and 1 (same group), row misses.
  Ddr4 f({"timing.nrrd_s_ck=4"});
  struct Two : ExternalRequestSource {
    int n = 0;
    int64_t a[2];
    bool next(ExternalRequest& out) override {
      if (n == 2) return false;
      out = {DramAccess::read, a[n++], 0};
      return true;
    }
  } src;
  DramAddress b0, b1;
  b0.bank = 0, b0.bank_group = 0, b0.row = 3;
  b1.bank = 1, b1.bank_group = 0, b1.row = 3;
  src.a[0] = f.ch.mapping().encode(b0);
  src.a[1] = f.ch.mapping().encode(b1);
  ASSERT_EQ(f.ch.mapping().decode(src.a[1]).bank, 1);
  f.ch.run_external(src, 0);
  // ACT 0 at 0, ACT 1 at nRRD_L; RD 1 at nRRD_L + nRCD, data nCL + nBL later.
  const auto& t = f.s.t;
  EXPECT_EQ(f.ch.stats().end_ps, f.ck(t.nrrd_l + t.nrcd + t.ncl + t.nbl));
}

TEST(DramStandards, Ddr4ReadToWriteSpacing) {
  Ddr4 d;
  const auto& t = d.s.t;
  d.ch.issue(DramCommand::act, 0, 1, 0);
  d.ch.issue(DramCommand::act, 4, 1, d.ck(t.nrrd));
  const int64_t rd = t.nrrd + t.nrcd;
  d.ch.issue(DramCommand::rd, 0, 1, d.ck(rd));
  // The data bus alone allows WR at RD + nCL + nBL - nCWL = RD + 10; tRTW = 12 binds.
  ASSERT_GT(t.nrtw, t.ncl + t.nbl - t.ncwl);
  d.expect_earliest_and_issue(DramCommand::wr, 4, 1, rd + t.nrtw, rd);
}

TEST(DramStandards, Ddr4SequentialStreamAtTheNccdLimit) {
  // RoBaRaCoCh keeps 128 consecutive bursts in one bank: back-to-back reads in one bank group
  // are nCCD_L = 8 CK apart while a burst takes nBL = 4 CK, so a stream that stays within one
  // row runs at no more than half the peak (plus overlap at row ends where the queue spans two
  // banks of different groups).
  Ddr4 d;
  SequentialSource src(DramAccess::read, int64_t(1) << 20, 16);
  d.ch.run_external(src, 0);
  const DramStats st = d.ch.stats();
  const double gbps = double(int64_t(1) << 20) * 1e3 / double(st.end_ps);
  EXPECT_GT(gbps, 0.5 * 6.4 * 0.9);
  EXPECT_LT(gbps, 0.75 * 6.4);
  EXPECT_EQ(st.commands.rd, (int64_t(1) << 20) / 16);
}

TEST(DramStandards, NrrdFormsAreExclusive) {
  EXPECT_THROW(load_dram_standard(H2SIM_SOURCE_DIR "/configs/dram/ddr4-3200.yaml", {"timing.nrrd_ck=5"}), InputError);
  EXPECT_THROW(load_dram_standard(H2SIM_SOURCE_DIR "/configs/dram/ddr4-3200.yaml", {"timing.nrrd_l_ck=5"}), InputError);
}

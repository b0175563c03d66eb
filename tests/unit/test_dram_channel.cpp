// The LPDDR5 channel engine: single-command timing (each constraint's earliest legal cycle, and
// not one cycle sooner), then analytic checks of whole streams with the expectation computed
// from the timing values of the standard.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "models/dram/dram_report.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/dram/dram_workloads.hpp"
#include "models/dram/lpddr5_channel.hpp"
#include "tests/dram_trace_check.hpp"

using namespace h2sim;

namespace {
const std::string kStandard = H2SIM_SOURCE_DIR "/configs/dram/lpddr5-6400.yaml";

HardwareConfig h2llm(const std::vector<std::string>& overrides = {}) {
  return load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml", overrides);
}
DramStandard lpddr5(const std::vector<std::string>& overrides = {}) { return load_dram_standard(kStandard, overrides); }

// Every harness records its channel's commands and has the independent checker verify them
// when it goes out of scope (tests/dram_trace_check.hpp).
struct Harness {
  DramStandard s;
  HardwareConfig hw;
  Lpddr5Channel ch;
  test::CheckedCommandTrace trace;
  explicit Harness(const std::vector<std::string>& dram_overrides = {}, bool hb = false)
      : s(lpddr5(dram_overrides)), hw(h2llm()), ch(s, hw, hb) {
    ch.set_command_observer(&trace.observer(), 0);
  }
  ~Harness() {
    ch.finish_commands(ch.stats().end_ps);
    trace.check(s, hw);
  }
  int64_t ck(int64_t n) const { return n * s.tck_ps; }
  // Asserts that `cmd` is legal at exactly `at_ck` and not one cycle sooner, then issues it.
  void expect_earliest_and_issue(DramCommand cmd, int bank, int64_t row, int64_t at_ck, int64_t from_ck = 0) {
    EXPECT_EQ(ch.earliest(cmd, bank, row, ck(from_ck)), ck(at_ck));
    if (at_ck > from_ck) {
      EXPECT_THROW(ch.issue(cmd, bank, row, ck(at_ck - 1)), InternalError);
    }
    ch.issue(cmd, bank, row, ck(at_ck));
  }
};

double gbps(int64_t bytes, int64_t ps) { return double(bytes) * 1e3 / double(ps); }
}  // namespace

// --- Single commands ------------------------------------------------------------------------

TEST(DramTiming, ReadExactlyNrcdAfterActivate) {
  Harness h;
  h.ch.issue(DramCommand::act, 0, 7, 0);
  h.expect_earliest_and_issue(DramCommand::rd, 0, 7, h.s.t.nrcd);
  // A read to another row of the open bank is not legal at all (needs PRE + ACT).
  EXPECT_EQ(h.ch.earliest(DramCommand::rd, 0, 8, 0), kDramNever);
}

TEST(DramTiming, PrechargeWaitsForNrasAndNrtp) {
  Harness h;
  h.ch.issue(DramCommand::act, 0, 1, 0);
  h.ch.issue(DramCommand::rd, 0, 1, h.ck(h.s.t.nrcd));
  // nRAS (34) binds over nRCD + nRTP (19).
  ASSERT_GT(h.s.t.nras, h.s.t.nrcd + h.s.t.nrtp);
  h.expect_earliest_and_issue(DramCommand::pre, 0, 1, h.s.t.nras);

  // A late read makes nRTP bind instead.
  Harness g;
  g.ch.issue(DramCommand::act, 0, 1, 0);
  const int64_t rd_ck = g.s.t.nras;
  g.ch.issue(DramCommand::rd, 0, 1, g.ck(rd_ck));
  g.expect_earliest_and_issue(DramCommand::pre, 0, 1, rd_ck + g.s.t.nrtp, rd_ck);
}

TEST(DramTiming, WriteRecoveryBeforePrecharge) {
  Harness h;
  h.ch.issue(DramCommand::act, 0, 1, 0);
  const int64_t wr_ck = h.s.t.nrcd;
  h.ch.issue(DramCommand::wr, 0, 1, h.ck(wr_ck));
  const auto& t = h.s.t;
  h.expect_earliest_and_issue(DramCommand::pre, 0, 1, std::max(t.nras, wr_ck + t.ncwl + t.nbl + t.nwr), wr_ck);
}

TEST(DramTiming, ActivateAfterNrpAndNrc) {
  Harness h;  // nRC = nRAS + nRPpb here, so a PRE at nRAS makes both bind at once
  h.ch.issue(DramCommand::act, 0, 1, 0);
  const int64_t pre_ck = h.s.t.nras + 10;
  h.ch.issue(DramCommand::pre, 0, 1, h.ck(pre_ck));
  h.expect_earliest_and_issue(DramCommand::act, 0, 2, pre_ck + h.s.t.nrppb, pre_ck);

  // With nRC above nRAS + nRPpb, nRC binds after an early PRE.
  Harness g({"timing.nrc_ck=60"});
  g.ch.issue(DramCommand::act, 0, 1, 0);
  g.ch.issue(DramCommand::pre, 0, 1, g.ck(g.s.t.nras));
  g.expect_earliest_and_issue(DramCommand::act, 0, 2, 60, g.s.t.nras);
}

TEST(DramTiming, ColumnToColumnSameAndOtherBankGroup) {
  Harness h;
  const auto& t = h.s.t;
  // Banks 0 and 1 are in bank group 0, bank 4 in bank group 1.
  h.ch.issue(DramCommand::act, 0, 1, 0);
  h.ch.issue(DramCommand::act, 1, 1, h.ck(t.nrrd));
  h.ch.issue(DramCommand::act, 4, 1, h.ck(2 * t.nrrd));
  const int64_t rd0 = 2 * t.nrrd + t.nrcd;
  h.ch.issue(DramCommand::rd, 0, 1, h.ck(rd0));
  EXPECT_EQ(h.ch.earliest(DramCommand::rd, 1, 1, h.ck(rd0)), h.ck(rd0 + t.nccd_l));
  EXPECT_EQ(h.ch.earliest(DramCommand::rd, 0, 1, h.ck(rd0)), h.ck(rd0 + t.nccd_l));
  h.expect_earliest_and_issue(DramCommand::rd, 4, 1, rd0 + t.nccd_s, rd0);
}

TEST(DramTiming, WriteToReadTurnaround) {
  Harness h;
  const auto& t = h.s.t;
  h.ch.issue(DramCommand::act, 0, 1, 0);
  h.ch.issue(DramCommand::act, 4, 1, h.ck(t.nrrd));
  const int64_t wr = t.nrrd + t.nrcd;
  h.ch.issue(DramCommand::wr, 0, 1, h.ck(wr));
  const int64_t data_end = wr + t.ncwl + t.nbl;
  EXPECT_EQ(h.ch.earliest(DramCommand::rd, 0, 1, h.ck(wr)), h.ck(data_end + t.nwtr_l));  // same BG
  h.expect_earliest_and_issue(DramCommand::rd, 4, 1, data_end + t.nwtr_s, wr);            // other BG
}

TEST(DramTiming, ActivateToActivateNrrd) {
  Harness h;
  h.ch.issue(DramCommand::act, 0, 1, 0);
  h.expect_earliest_and_issue(DramCommand::act, 5, 1, h.s.t.nrrd);
}

TEST(DramTiming, FifthActivateInsideFawWaits) {
  // In LPDDR5-6400 nFAW = 4 x nRRD, so tRRD alone already spaces 5 ACTs by nFAW. Widen nFAW to
  // see the window bind on its own.
  Harness h({"timing.nfaw_ck=20"});
  const auto& t = h.s.t;
  for (int i = 0; i < 4; ++i) h.ch.issue(DramCommand::act, i * 4, 1, h.ck(i * t.nrrd));
  ASSERT_LT(4 * t.nrrd, t.nfaw);
  h.expect_earliest_and_issue(DramCommand::act, 1, 1, t.nfaw, 4 * t.nrrd);
  // The sixth ACT waits for the window of the second one.
  EXPECT_EQ(h.ch.earliest(DramCommand::act, 2, 1, h.ck(t.nfaw)), h.ck(t.nrrd + t.nfaw));

  // A hybrid-bonded design that relaxes the activate limit: only tRRD is left.
  Harness relaxed({"timing.nfaw_ck=20", "timing.activates_per_faw=8"});
  for (int i = 0; i < 4; ++i) relaxed.ch.issue(DramCommand::act, i * 4, 1, relaxed.ck(i * t.nrrd));
  relaxed.expect_earliest_and_issue(DramCommand::act, 1, 1, 4 * t.nrrd, 4 * t.nrrd);
}

TEST(DramTiming, AllBankRefreshEveryTrefiBlocksForTrfc) {
  Harness h;
  const auto& t = h.s.t;
  const int64_t refi = h.s.refresh.nrefi_ck;
  const int64_t window_end = refi + t.nrpab + h.s.refresh.nrfcab_ck;
  EXPECT_EQ(h.ch.next_refresh_ps(0, 0), h.ck(refi));
  // An ACT must leave nRAS before the refresh's PREab: the last legal cycle, then one too late.
  EXPECT_EQ(h.ch.earliest(DramCommand::act, 3, 1, h.ck(refi - t.nras)), h.ck(refi - t.nras));
  EXPECT_EQ(h.ch.earliest(DramCommand::act, 3, 1, h.ck(refi - t.nras + 1)), h.ck(window_end));
  // Nothing issues inside the window.
  EXPECT_EQ(h.ch.earliest(DramCommand::act, 3, 1, h.ck(refi + 5)), h.ck(window_end));
  // An open row: RD must leave nRTP; the refresh closes the row.
  h.ch.issue(DramCommand::act, 0, 1, h.ck(refi - t.nras));
  EXPECT_EQ(h.ch.earliest(DramCommand::rd, 0, 1, h.ck(refi - t.nrtp)), h.ck(refi - t.nrtp));
  EXPECT_EQ(h.ch.earliest(DramCommand::rd, 0, 1, h.ck(refi - t.nrtp + 1)), kDramNever);
  EXPECT_EQ(h.ch.earliest(DramCommand::act, 0, 2, h.ck(refi)), h.ck(window_end));  // closed by REF
  // The next refresh is one tREFI later.
  EXPECT_EQ(h.ch.next_refresh_ps(0, h.ck(window_end)), h.ck(2 * refi));
}

TEST(DramTiming, PerBankRefreshBlocksOnlyItsBank) {
  Harness h({"refresh.mode=per_bank"});
  const auto& t = h.s.t;
  const int64_t refi_pb = h.s.refresh.nrefi_ck / h.s.banks();
  const int64_t end0 = refi_pb + t.nrppb + h.s.refresh.nrfcpb_ck;
  EXPECT_EQ(h.ch.next_refresh_ps(0, 0), h.ck(refi_pb));
  EXPECT_EQ(h.ch.next_refresh_ps(1, 0), h.ck(2 * refi_pb));
  EXPECT_EQ(h.ch.earliest(DramCommand::act, 0, 1, h.ck(refi_pb)), h.ck(end0));
  EXPECT_EQ(h.ch.earliest(DramCommand::act, 5, 1, h.ck(refi_pb)), h.ck(refi_pb));
}

// --- Analytic checks --------------------------------------------------------------------------

TEST(DramChannel, UnloadedReadLatencyIsRcdPlusClPlusBurst) {
  Harness h;
  const auto& t = h.s.t;
  EXPECT_EQ(h.ch.complete_external(DramAccess::read, 0, 32, 0), h.ck(t.nrcd + t.ncl + t.nbl));
  // A row hit right after: CL + burst.
  const int64_t now = h.ck(1000);
  EXPECT_EQ(h.ch.complete_external(DramAccess::read, 4 * 32, 32, now) - now, h.ck(t.ncl + t.nbl));
}

// Expected sequential efficiency from the timing values alone. Per tREFI the data bus loses:
// the last RD before the refresh leaves nRTP before PREab, then nRPab + tRFCab, then the row is
// re-opened (nRCD) and read (CL) - while the last data before it took CL + nBL. Row switches cost
// nothing when the controller's queue reaches far enough ahead to precharge and activate the next
// banks before they are needed (depth x nBL >= nRPpb + nRCD + 3 x nRRD for the 4 ACTs).
static double expected_sequential_efficiency(const DramStandard& s) {
  const auto& t = s.t;
  double lost_ck = double(t.nrtp + t.nrpab + s.refresh.nrfcab_ck + t.nrcd - t.nbl);
  double refresh = lost_ck / double(s.refresh.nrefi_ck);
  // Row switch: 4 banks (one per BG) every 4 rows' worth of bursts.
  double switch_ck = double(t.nrppb + t.nrcd + 3 * t.nrrd) - double(s.controller.queue_depth * t.nbl);
  double bursts_per_switch = double(s.bank_groups * s.bursts_per_row());
  double row_switch = std::max(0.0, switch_ck) / (bursts_per_switch * double(t.nbl));
  return 1.0 - refresh - row_switch;
}

TEST(DramChannel, SequentialStreamReachesPeakLessRefreshAndRowSwitches) {
  Harness h;
  const int64_t bytes = 16 << 20;
  SequentialSource src(DramAccess::read, bytes, h.s.burst_bytes);
  int64_t end = h.ch.run_external(src, 0);
  double achieved = gbps(bytes, end);
  double peak = h.s.peak_bandwidth_bytes_per_s() / 1e9;
  double expected = peak * expected_sequential_efficiency(h.s);
  EXPECT_DOUBLE_EQ(peak, 12.8);
  EXPECT_LT(achieved, peak);
  EXPECT_NEAR(achieved / expected, 1.0, 0.01) << "achieved " << achieved << " expected " << expected;
  DramStats st = h.ch.stats();
  EXPECT_EQ(st.commands.rd, bytes / 32);
  EXPECT_GT(st.external.row_hit_rate(), 0.95);
  EXPECT_EQ(st.commands.ref_all, end / h.ck(h.s.refresh.nrefi_ck));
}

TEST(DramChannel, RandomReadsFallToActivateBound) {
  Harness h;
  const int64_t count = 100000;
  RandomSource src(DramAccess::read, count, h.ch.mapping().capacity_bytes(), h.s.burst_bytes, 42);
  int64_t end = h.ch.run_external(src, 0);
  const auto& t = h.s.t;
  // Every random burst is a row conflict: PRE + ACT + RD. Bounds on the burst rate:
  double burst = double(h.s.burst_bytes);
  double act_ck = std::max(double(t.nrrd), double(t.nfaw) / double(t.activates_per_faw));  // tRRD/tFAW
  double bank_ck = double(t.nrc) / double(h.s.banks());                                   // tRC per bank
  double cmd_ck = 3.0;                                                                     // 3 commands
  double bound_ck = std::max({act_ck, bank_ck, cmd_ck, double(t.nbl)});
  double bound = burst / (bound_ck * double(h.s.tck_ps)) * 1e3;
  double refresh = 1.0 - double(t.nrpab + h.s.refresh.nrfcab_ck) / double(h.s.refresh.nrefi_ck);
  double achieved = gbps(count * 32, end);
  EXPECT_LT(achieved, bound * refresh * 1.001);
  EXPECT_GT(achieved, 0.8 * bound * refresh) << "bound " << bound;
  DramStats st = h.ch.stats();
  EXPECT_LT(st.external.row_hit_rate(), 0.01);
  EXPECT_GE(st.commands.act, count - 16);
}

TEST(DramChannel, SameSeedGivesByteIdenticalStatistics) {
  auto run = [](uint64_t seed) {
    Harness h({}, true);
    RandomSource src(DramAccess::read, 20000, h.ch.mapping().capacity_bytes(), h.s.burst_bytes, seed);
    h.ch.run_external(src, 0);
    run_hb_random(h.ch, 200, seed, 0);
    return dram_stats_json(h.ch.stats(), h.s.tck_ps).dump();
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

TEST(DramChannel, ClosedPagePrechargesEveryRow) {
  Harness open;
  Harness closed({"controller.page_policy=closed"});
  const int64_t bytes = 1 << 20;
  SequentialSource a(DramAccess::read, bytes, 32), b(DramAccess::read, bytes, 32);
  open.ch.run_external(a, 0);
  closed.ch.run_external(b, 0);
  DramStats so = open.ch.stats(), sc = closed.ch.stats();
  EXPECT_GE(sc.commands.act, so.commands.act);
  EXPECT_GE(sc.commands.pre + 16 * (sc.commands.pre_all + 1), sc.commands.act);
  EXPECT_EQ(sc.commands.rd, bytes / 32);
}

TEST(DramChannel, SequentialWritesComplete) {
  Harness h;
  const int64_t bytes = 1 << 20;
  SequentialSource src(DramAccess::write, bytes, 32);
  int64_t end = h.ch.run_external(src, 0);
  EXPECT_EQ(h.ch.stats().commands.wr, bytes / 32);
  EXPECT_LT(gbps(bytes, end), 12.8);
  EXPECT_GT(gbps(bytes, end), 12.8 * 0.85);
}

// --- Hybrid-bonded path -----------------------------------------------------------------------

// Per bank, a row is n accesses of one port period; between rows the bank pays what the design's
// row-switch mechanism leaves exposed (hb_port.row_switch), from the standard's timing:
//  exposed: nRTP + nRPpb + nRCD after the last access (and nRC between ACTs);
//  salp: the next subarray's ACT nRA = ceil(nCL/2) after the last access (after the PRE, which
//        comes nRTP after it), then nRCD;
//  ping_pong: the other half opened its row during this one: only the port's period, unless two
//        rows (one per half) take less than nRC;
//  prefetch_buffer: the port streams the latch; the bank's ACT -> FILL -> PRE -> ACT cycle
//        (max(nRCD + nRTP, nRAS) + nRPpb, and nRC) runs beside it.
static double expected_hb_row_period_ps(const Lpddr5Channel& ch) {
  const DramStandard& s = ch.standard();
  const auto& t = s.t;
  const double p = double(ch.hb_access_period_ps());
  const double n = double(s.row_bytes / s.hb.column_access_bytes);
  const double ck = double(s.tck_ps);
  const double rtp = double(s.ps(t.nrtp)), rp = double(s.ps(t.nrppb)), rcd = double(s.ps(t.nrcd));
  const double ras = double(s.ps(t.nras)), rc = double(s.ps(t.nrc));
  const double nra = std::ceil(double(t.ncl) / 2.0) * ck;
  switch (s.hb.row_switch) {
    case HbRowSwitch::exposed: return std::max((n - 1) * p + rtp + rp + rcd, rc);
    case HbRowSwitch::salp: return (n - 1) * p + std::max({p, nra + rcd, rtp + ck + rcd});
    case HbRowSwitch::ping_pong: return std::max(n * p, rc / 2);
    case HbRowSwitch::prefetch_buffer: return std::max({n * p, std::max(rcd + rtp, ras) + rp, rc});
  }
  return 0;
}
// Per tREFI every bank loses the refresh window, nRCD to reopen, nRTP before it, and on average
// half of the activate stagger (the banks re-activate at tRRD/tFAW pace after the window; under
// ping_pong each bank opens both halves, so twice the ACTs queue).
static double expected_hb_refresh_loss(const DramStandard& s) {
  const auto& t = s.t;
  const double acts_per_bank = s.hb.row_switch == HbRowSwitch::ping_pong ? 2.0 : 1.0;
  double stagger_ck = std::max(double(t.nrrd), double(t.nfaw) / double(t.activates_per_faw)) *
                      (acts_per_bank * double(s.banks()) - 1) / 2.0;
  double lost_ck = double(t.nrpab + s.refresh.nrfcab_ck + t.nrcd + t.nrtp) + stagger_ck;
  return lost_ck / double(s.refresh.nrefi_ck);
}

const std::vector<std::vector<std::string>> kRowSwitches = {
    {"hb_port.row_switch=exposed"},
    {"hb_port.row_switch=salp", "hb_port.subarrays_per_bank=8"},
    {"hb_port.row_switch=ping_pong"},
    {"hb_port.row_switch=prefetch_buffer"}};

TEST(DramChannel, HbPortsStreamSixteenBanksInParallel) {
  for (const auto& mechanism : kRowSwitches) {
    Harness h(mechanism, true);
    const std::string overlap = mechanism[0];
    const int64_t per_bank = 1 << 20;
    int64_t end = run_hb_sequential(h.ch, per_bank);
    double achieved = gbps(16 * per_bank, end);
    double ideal = 16 * h.hw.pe.hb_bandwidth_bytes_per_s / 1e9;  // 409.6 GB/s for 25.6 GB/s per PE
    double rows = double(h.s.row_bytes) / expected_hb_row_period_ps(h.ch) * 1e3 * 16;
    double expected = rows * (1.0 - expected_hb_refresh_loss(h.s));
    EXPECT_LT(achieved, ideal);
    EXPECT_NEAR(achieved / expected, 1.0, 0.02)
        << overlap << ": achieved " << achieved << " expected " << expected << " ideal " << ideal;
    DramStats st = h.ch.stats();
    EXPECT_EQ(st.hb.bytes_read, 16 * per_bank);
    EXPECT_EQ(st.external.bytes_read, 0);
    EXPECT_GE(st.commands.act, 16 * per_bank / h.s.row_bytes);
  }
}

TEST(DramChannel, HbRowSwitchCostsAThirdAtTwentyFiveGbps) {
  // The reference's arithmetic: a 2 KiB row drains in 80 ns at 25.6 GB/s, an unhidden switch
  // adds nRTP + nRP + nRCD = 42.5 ns; so one bank alone gets 80 / 122.5 of its port.
  Harness h({}, true);
  HbReadResult r0 = h.ch.hb_read(0, 0, 2048, 0);
  HbReadResult r1 = h.ch.hb_read(0, 1, 2048, r0.next_request_ps);
  const auto& t = h.s.t;
  int64_t p = h.ch.hb_access_period_ps();
  EXPECT_EQ(p, 2500);
  EXPECT_EQ(r0.data_done_ps, h.ck(t.nrcd + h.s.hb.read_latency_ck) + 32 * p);
  EXPECT_EQ(r1.data_done_ps - r0.data_done_ps, 31 * p + h.ck(t.nrtp + t.nrppb + t.nrcd));
}

// Two rows of one bank, one call per row as the SystemC adapter makes them: the second row's
// data comes after exactly what each mechanism leaves exposed.
TEST(DramChannel, HbRowSwitchByMechanism) {
  for (const auto& mechanism : kRowSwitches) {
    Harness h(mechanism, true);
    const auto& t = h.s.t;
    const int64_t p = h.ch.hb_access_period_ps();
    HbReadResult r0 = h.ch.hb_read(0, 0, 2048, 0, true);
    HbReadResult r1 = h.ch.hb_read(0, 1, 2048, r0.next_request_ps, false);
    const int64_t gap = r1.data_done_ps - r0.data_done_ps;
    const int64_t last0 = r0.data_done_ps - p - h.ck(h.s.hb.read_latency_ck);  // last access of row 0
    const int64_t pre = std::max(last0 + h.ck(t.nrtp), h.ck(t.nras));
    switch (h.s.hb.row_switch) {
      case HbRowSwitch::exposed:
        EXPECT_EQ(gap, 31 * p + h.ck(t.nrtp + t.nrppb + t.nrcd)) << mechanism[0];
        break;
      case HbRowSwitch::salp: {
        // ACT of row 1 (another subarray): after the PRE, nRA after the last access, nRCD + nRA after ACT 0.
        const int64_t tck = h.s.tck_ps;
        const int64_t act_raw = std::max({pre + h.ck(1), last0 + h.ck(h.s.salp_nra_ck()), h.ck(t.nrcd + h.s.salp_nra_ck())});
        const int64_t act = (act_raw + tck - 1) / tck * tck;
        const int64_t first1 = std::max(act + h.ck(t.nrcd), last0 + p);
        EXPECT_EQ(gap, first1 + 31 * p - last0) << mechanism[0];
        EXPECT_LT(gap, 31 * p + h.ck(t.nrtp + t.nrppb + t.nrcd)) << "salp hides part of the switch";
        break;
      }
      case HbRowSwitch::ping_pong:
      case HbRowSwitch::prefetch_buffer:
        EXPECT_EQ(gap, 32 * p) << mechanism[0] << ": the next row was opened during the stream";
        break;
    }
    DramStats st = h.ch.stats();
    EXPECT_EQ(st.hb.bytes_read, 4096);
    EXPECT_EQ(st.commands.hb_fill, h.s.hb.row_switch == HbRowSwitch::prefetch_buffer ? 2 : 0);
  }
}

TEST(DramChannel, RowSwitchConfigIsChecked) {
  EXPECT_THROW(lpddr5({"hb_port.row_switch=hidden"}), InputError);
  EXPECT_THROW(lpddr5({"hb_port.subarrays_per_bank=0"}), InputError);
  EXPECT_THROW(lpddr5({"hb_port.row_switch=salp", "hb_port.subarrays_per_bank=1"}), InputError);
  // A mechanism of the hybrid-bonded die; the in-die designs stream in lockstep.
  const HardwareConfig in_die = load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/id-nmp-plus.yaml");
  EXPECT_THROW(Lpddr5Channel(lpddr5({"hb_port.row_switch=ping_pong"}), in_die, true), InputError);
}

TEST(DramChannel, PathsConflictOnASharedBank) {
  Harness h({}, true);
  // PE 0 streams two rows of bank 0; the NPU then reads another row of bank 0.
  HbReadResult hb = h.ch.hb_read(0, 0, 4096, 0);
  DramAddress a{0, 0, 100, 0};
  int64_t done = h.ch.complete_external(DramAccess::read, h.ch.mapping().encode(a), 32, 0);
  const auto& t = h.s.t;
  EXPECT_GE(done, hb.data_done_ps - h.ck(h.s.hb.read_latency_ck) + h.ck(t.nrppb + t.nrcd + t.ncl + t.nbl));
  DramStats st = h.ch.stats();
  EXPECT_GT(st.external.conflict_wait_ps, 0);
  EXPECT_EQ(st.external.conflict_row_switches, 1);
  // PE 0 goes on with row 2: it must close the NPU's row.
  h.ch.hb_read(0, 2, 2048, hb.next_request_ps);
  st = h.ch.stats();
  EXPECT_EQ(st.hb.conflict_row_switches, 1);
  EXPECT_GT(st.hb.conflict_wait_ps, 0);
}

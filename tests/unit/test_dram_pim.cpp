// In-die PIM on the LPDDR5 engine (Lpddr5Channel::pim_stream, nmp_kind in_die): the host drives
// every bank in lockstep with ACT / MACab / PREab on the command bus. Each expectation is worked
// out from the standard's timing values (configs/dram/lpddr5-6400.yaml) and the design's
// in_die keys (configs/hardware/id-nmp-plus.yaml), not read back from the engine; every trace
// is replayed by the independent checker (verify/dram_trace_checker).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/dram/lpddr5_channel.hpp"
#include "tests/dram_trace_check.hpp"

using namespace h2sim;

namespace {
const std::string kStandard = H2SIM_SOURCE_DIR "/configs/dram/lpddr5-6400.yaml";
const std::string kIdNmpPlus = H2SIM_SOURCE_DIR "/configs/hardware/id-nmp-plus.yaml";

struct PimHarness {
  DramStandard s;
  HardwareConfig hw;
  Lpddr5Channel ch;
  test::CheckedCommandTrace trace;
  explicit PimHarness(const std::vector<std::string>& hw_set = {}, const std::vector<std::string>& dram_set = {})
      : s(load_dram_standard(kStandard, dram_set)), hw(load_hardware_config(kIdNmpPlus, hw_set)), ch(s, hw, true) {
    ch.set_command_observer(&trace.observer(), 0);
  }
  ~PimHarness() {
    ch.finish_commands(ch.stats().end_ps);
    TraceCheckResult r = trace.check(s, hw);
    EXPECT_TRUE(r.ok) << r.report;
  }
  int64_t ck(int64_t n) const { return n * s.tck_ps; }
};
}  // namespace

TEST(DramPim, OneRowPerBankActivatesUnderTheActivateWindowThenMacsEveryInterval) {
  PimHarness h;
  const DramTimingCk& t = h.s.t;
  ASSERT_EQ(h.hw.in_die.activation, InDieActivation::per_bank);
  const int64_t banks = h.s.banks();
  const int64_t macs = h.s.row_bytes / h.s.burst_bytes;  // 64 bursts in a 2 KiB row
  // 16 ACTs: nRRD apart, and at most activates_per_faw in any nFAW. LPDDR5-6400: 4 CK and
  // 4 per 16 CK, so the window never binds beyond nRRD: the last ACT at 15 x 4 CK.
  const int64_t act_gap = std::max(t.nrrd, (t.nfaw + t.activates_per_faw - 1) / t.activates_per_faw);
  const int64_t last_act = (banks - 1) * act_gap;
  const int64_t first_mac = last_act + t.nrcd;
  const int64_t last_mac = first_mac + (macs - 1) * h.hw.in_die.mac_interval_ck;
  const int64_t done = h.ch.pim_stream(0, h.s.row_bytes, 0, 0);
  EXPECT_EQ(done, h.ck(last_mac + h.s.hb.read_latency_ck));
  const DramStats st = h.ch.stats();
  EXPECT_EQ(st.pim.act_commands, banks);
  EXPECT_EQ(st.pim.mac_commands, macs);
  EXPECT_EQ(st.pim.pre_commands, 0);
  EXPECT_EQ(st.commands.act, banks);
  EXPECT_EQ(st.commands.mac_all, macs);
  EXPECT_EQ(st.commands.array_reads(banks), macs * banks);
  EXPECT_EQ(st.hb.bytes_read, banks * h.s.row_bytes);
  // Every bank was ready; each ACT after the first waited for the window (nRRD here) beyond the
  // command bus's next CK.
  EXPECT_EQ(st.pim.act_window_stall_ps, h.ck((banks - 1) * (act_gap - 1)));
  // One command per CK on the bus: 16 ACTs + 64 MACs.
  EXPECT_EQ(st.pim.command_bus_busy_ps, h.ck(banks + macs));
}

TEST(DramPim, RowSwitchIsExposedPrechargeAllPlusActivatesPlusNrcd) {
  PimHarness h;
  const DramTimingCk& t = h.s.t;
  const int64_t banks = h.s.banks(), macs = h.s.row_bytes / h.s.burst_bytes, step = h.hw.in_die.mac_interval_ck;
  h.ch.pim_stream(0, 2 * h.s.row_bytes, 0, 0);
  const DramStats st = h.ch.stats();
  const int64_t last_act0 = (banks - 1) * t.nrrd;
  const int64_t last_mac0 = last_act0 + t.nrcd + (macs - 1) * step;
  // PREab: nRTP after the last MAC (every bank's nRAS is long past); the first ACT nRPab later
  // (bank 0's nRC too), the others nRRD apart, then nRCD.
  const int64_t pre = std::max(last_mac0 + t.nrtp, last_act0 + t.nras);
  const int64_t act1 = std::max(pre + t.nrpab, t.nrc);
  const int64_t first_mac1 = act1 + (banks - 1) * t.nrrd + t.nrcd;
  EXPECT_EQ(st.pim.pre_commands, 1);
  EXPECT_EQ(st.pim.rows_opened, 2);
  EXPECT_EQ(st.pim.row_switch_ps, h.ck(first_mac1 - (last_mac0 + step)));
  EXPECT_EQ(st.hb.last_data_ps, h.ck(first_mac1 + (macs - 1) * step + h.s.hb.read_latency_ck));
}

TEST(DramPim, GangedActivateOpensEveryBankAtOnce) {
  PimHarness h({"in_die.activation=all_bank"});
  const DramTimingCk& t = h.s.t;
  const int64_t macs = h.s.row_bytes / h.s.burst_bytes, step = h.hw.in_die.mac_interval_ck;
  h.ch.pim_stream(0, 2 * h.s.row_bytes, 0, 0);
  const DramStats st = h.ch.stats();
  const int64_t last_mac0 = t.nrcd + (macs - 1) * step;
  const int64_t pre = std::max(last_mac0 + t.nrtp, t.nras);
  const int64_t act1 = std::max(pre + t.nrpab, t.nrc);
  EXPECT_EQ(st.pim.act_commands, 2);
  EXPECT_EQ(st.commands.act_all, 2);
  EXPECT_EQ(st.commands.act, 0);
  EXPECT_EQ(st.commands.bank_activations(h.s.banks()), 2 * h.s.banks());
  EXPECT_EQ(st.pim.row_switch_ps, h.ck(act1 + t.nrcd - (last_mac0 + step)));
}

TEST(DramPim, SlowPesPaceTheMacCommands) {
  PimHarness h;
  const int64_t macs = h.s.row_bytes / h.s.burst_bytes;
  // 16 ns of MACs per burst (batch 16 on one 16-wide FPU at 1 GHz): 12.8 CK, issued on the
  // 13th CK edge.
  h.ch.pim_stream(0, h.s.row_bytes, 16000, 0);
  const DramStats st = h.ch.stats();
  const int64_t step_ck = (16000 + h.s.tck_ps - 1) / h.s.tck_ps;
  EXPECT_EQ(st.pim.compute_paced_ps, macs * h.ck(step_ck - h.hw.in_die.mac_interval_ck));
  const int64_t first_mac = (h.s.banks() - 1) * h.s.t.nrrd + h.s.t.nrcd;
  EXPECT_EQ(st.hb.last_data_ps, h.ck(first_mac + (macs - 1) * step_ck + h.s.hb.read_latency_ck));
}

TEST(DramPim, RefreshSplitsALongStreamAndEveryBurstIsReadOnce) {
  PimHarness h;
  // 80 ns per burst (batch 16 at 200 MHz): one 2 KiB row takes 5.1 us, longer than tREFI
  // (3.9 us), so refreshes close rows mid-stream; the rest is read after each refresh.
  const int64_t rows = 3;
  h.ch.pim_stream(10, rows * h.s.row_bytes, 80000, 0);
  const DramStats st = h.ch.stats();
  EXPECT_EQ(st.pim.mac_commands, rows * h.s.row_bytes / h.s.burst_bytes);
  EXPECT_EQ(st.hb.bytes_read, rows * h.s.row_bytes * h.s.banks());
  EXPECT_GE(st.commands.ref_all, 3);
  EXPECT_GT(st.pim.refresh_stall_ps, 0);
  EXPECT_GT(st.pim.rows_opened, rows);  // re-opened after refreshes
}

TEST(DramPim, ConfigMustAgreeWithTheStandard) {
  const DramStandard s = load_dram_standard(kStandard);
  // MACs closer than nCCD_L: an all-bank column command reads every bank group.
  const HardwareConfig fast = load_hardware_config(kIdNmpPlus, {"in_die.mac_interval_ck=2", "pe.hb_bandwidth_gbps=12.8"});
  EXPECT_THROW(Lpddr5Channel(s, fast, true), InputError);
  // pe.hb_bandwidth_gbps must be the command timing's: 32 B per 4 CK = 6.4 GB/s.
  const HardwareConfig wrong = load_hardware_config(kIdNmpPlus, {"pe.hb_bandwidth_gbps=25.6"});
  try {
    Lpddr5Channel ch(s, wrong, true);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("pe.hb_bandwidth_gbps"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("6.4 GB/s"), std::string::npos) << e.what();
  }
  // Lockstep needs all-bank refresh.
  const DramStandard per_bank = load_dram_standard(kStandard, {"refresh.mode=per_bank"});
  const HardwareConfig ok = load_hardware_config(kIdNmpPlus);
  EXPECT_THROW(Lpddr5Channel(per_bank, ok, true), InputError);
}

TEST(DramPim, HardwareConfigKeysAreChecked) {
  EXPECT_THROW(load_hardware_config(kIdNmpPlus, {"nmp_kind=in_dye"}), InputError);
  EXPECT_THROW(load_hardware_config(kIdNmpPlus, {"in_die.activation=some"}), InputError);
  EXPECT_THROW(load_hardware_config(kIdNmpPlus, {"in_die.mac_interval_ck=0"}), InputError);
  // in_die keys on a hybrid-bonded design are an error, not ignored.
  EXPECT_THROW(load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml", {"in_die.mac_interval_ck=4"}),
               InputError);
  const HardwareConfig h2 = load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml");
  EXPECT_EQ(h2.nmp_kind, NmpKind::hybrid_bonded);
  const HardwareConfig id = load_hardware_config(kIdNmpPlus);
  EXPECT_EQ(id.nmp_kind, NmpKind::in_die);
  EXPECT_EQ(id.in_die.mac_interval_ck, 4);
}

// The SystemC adapter of the LPDDR5 engine: 16 PE threads streaming through their hybrid-bonded
// ports finish exactly when the plain engine says (the adapter adds no time of its own), and an
// NPU read to a bank in use waits for it. Each TEST elaborates once (ctest: one process each).
#include <gtest/gtest.h>

#include <systemc>

#include <memory>
#include <vector>

#include "config/hardware_config.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/dram/dram_workloads.hpp"
#include "models/dram/lpddr5_channel.hpp"
#include "models/lpddr5_dram.hpp"
#include "tests/dram_trace_check.hpp"

using namespace h2sim;

namespace {
HardwareConfig h2llm() { return load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml"); }

int64_t ps_of(const sc_core::sc_time& t) { return std::llround(t / sc_core::sc_time(1, sc_core::SC_PS)); }
}  // namespace

TEST(DramLpddr5Adapter, SixteenPeThreadsMatchTheEngine) {
  HardwareConfig hw = h2llm();
  DramStandard s = load_dram_standard(hw.dram_standard_file);
  const int64_t per_bank = 64 * 1024;  // 32 rows per bank, spans a refresh

  Lpddr5Channel reference(s, hw, true);
  test::CheckedCommandTrace reference_trace("engine");
  reference.set_command_observer(&reference_trace.observer(), 0);
  const int64_t expected_ps = run_hb_sequential(reference, per_bank);
  reference.finish_commands(reference.stats().end_ps);
  reference_trace.check(s, hw);

  auto dram = std::make_unique<Lpddr5Dram>("dram", hw, s, true);
  test::CheckedCommandTrace trace("adapter");
  dram->observe_commands(&trace.observer(), 0);
  std::vector<sc_core::sc_time> done(16);
  for (int b = 0; b < 16; ++b) {
    sc_core::sc_spawn([&, b]() {
      dram->hb_read(b, 0, per_bank, false);
      done[size_t(b)] = sc_core::sc_time_stamp();
    });
  }
  sc_core::sc_start();
  int64_t last_ps = 0;
  for (const auto& t : done) last_ps = std::max(last_ps, ps_of(t));
  EXPECT_EQ(last_ps, expected_ps);
  EXPECT_EQ(dram->port_stats().hb_bytes, 16 * per_bank);
  DramStats st = dram->dram_stats();
  EXPECT_EQ(st.hb.bytes_read, 16 * per_bank);
  EXPECT_EQ(st.commands.act, reference.stats().commands.act);
  dram->finish_commands();
  TraceCheckResult r = trace.check(s, hw);
  EXPECT_EQ(r.summary.commands, reference_trace.commands());  // the adapter issues the engine's commands
}

TEST(DramLpddr5Adapter, ExternalReadWaitsForTheEngine) {
  HardwareConfig hw = h2llm();
  DramStandard s = load_dram_standard(hw.dram_standard_file);
  auto dram = std::make_unique<Lpddr5Dram>("dram", hw, s, true);
  test::CheckedCommandTrace trace;
  dram->observe_commands(&trace.observer(), 0);
  sc_core::sc_time hb_done, ext_done;
  sc_core::sc_spawn([&]() {
    dram->hb_read(0, 0, 4096, false);
    hb_done = sc_core::sc_time_stamp();
  });
  sc_core::sc_spawn([&]() {
    sc_core::wait(sc_core::sc_time(10, sc_core::SC_NS));
    dram->external_access(DramAccess::read, 0, 32);  // bank 0, row 0: the PE has it open
    ext_done = sc_core::sc_time_stamp();
  });
  sc_core::sc_start();
  // The NPU's burst hits the PE's row but waits for the port to release the bank.
  EXPECT_GT(ext_done, sc_core::sc_time(10, sc_core::SC_NS) + sc_core::sc_time(25 + 2.5, sc_core::SC_NS));
  DramStats st = dram->dram_stats();
  EXPECT_GT(st.external.conflict_wait_ps, 0);
  EXPECT_EQ(dram->port_stats().external_bytes, 32);
  EXPECT_EQ(dram->port_stats().hb_bytes, 4096);
  dram->finish_commands();
  trace.check(s, hw);
}

// Component tests: one ExternalLink, BankPe, Channel or Npu driven alone (no Chip, no runner),
// with the time of every event asserted against a value computed by hand in the comments.
// SystemC allows one elaboration per process; ctest runs each TEST in a process of its own
// (gtest_discover_tests, see sc_main.cpp), so each TEST builds its modules and calls sc_start once.
//
// The numbers are chosen so that every duration is a whole number of picoseconds (the kernel's
// resolution, models/sc_time_util.hpp): the assertions are exact, not within a tolerance.
#include <gtest/gtest.h>
#include <systemc>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/channel_plan.hpp"
#include "models/bandwidth_pipe_dram.hpp"
#include "models/bank_pe.hpp"
#include "models/channel.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/external_link.hpp"
#include "models/lpddr5_dram.hpp"
#include "models/npu.hpp"
#include "models/sc_time_util.hpp"

#ifndef H2SIM_SOURCE_DIR
#error "H2SIM_SOURCE_DIR must be defined by the build"
#endif

namespace h2sim {
namespace {

using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_PS;

sc_time ns(double v) { return sc_time(v, SC_NS); }
double now_ns() { return time_to_ns(sc_core::sc_time_stamp()); }

// The harness: each body runs as its own thread from time 0; then the simulation runs until no
// event is left. Returns when everything has finished.
void simulate(const std::vector<std::function<void()>>& bodies) {
  for (const auto& body : bodies) sc_core::sc_spawn(body);
  sc_core::sc_start();
}

// A one-channel NMP design with round numbers (not a shipped design: the arithmetic below needs
// rates whose quotients are whole picoseconds). Its DRAM organisation matches the LPDDR5-6400
// standard (16 banks, 32 B bursts, 12.8 GB/s x16 interface) so the cycle-level DRAM accepts it.
HardwareConfig test_design() {
  HardwareConfig hw;
  hw.name = "component-test";
  hw.source_file = "test_components.cpp";
  hw.channels = 1;
  hw.nmp_channels = 1;
  hw.banks_per_channel = 16;
  hw.bank_capacity_bytes = int64_t(256) << 20;
  hw.external_bandwidth_bytes_per_s = 12.8e9;
  hw.element_bytes = 2;
  hw.precision = "fp16";
  hw.burst_bytes = 32;
  hw.pe = PeConfig{8, 16, 1e9, 25.6e9};  // 8 FPUs x 16 MACs = 128 MACs per 1 ns cycle
  hw.buffers = BufferConfig{1024, 4096, 16 * 1024};  // weight buffer 4 KiB: 2 KiB chunks
  hw.npu = NpuConfig{16.384e12, 0.5, 1.0, 4.096e12};
  return hw;
}

// ---------------------------------------------------------------------------------------------
// ExternalLink

TEST(ComponentExternalLink, ServesRequestsFirstComeFirstServedAtItsRates) {
  ExternalLink link("link", LinkRates{12.8e9, 6.4e9});
  double a_end = 0, b_end = 0, c_end = 0;
  simulate({
      [&] {
        link.transfer(12800, LinkTraffic::scatter);  // 12800 B / 12.8 GB/s = 1000 ns
        a_end = now_ns();
      },
      [&] {
        sc_core::wait(ns(100));                   // asks at 100 ns while the scatter holds the bus
        link.transfer(6400, LinkTraffic::load);  // waits until 1000 ns, then 6400 / 12.8e9 = 500 ns
        b_end = now_ns();
      },
      [&] {
        sc_core::wait(ns(200));                      // asks third
        link.transfer(3200, LinkTraffic::npu_read);  // after the load: 3200 B / 6.4 GB/s = 500 ns
        c_end = now_ns();
      },
  });
  EXPECT_DOUBLE_EQ(a_end, 1000);
  EXPECT_DOUBLE_EQ(b_end, 1500);  // 1000 + 500
  EXPECT_DOUBLE_EQ(c_end, 2000);  // 1500 + 500
  // Busy time counts service only, not the time spent queued.
  EXPECT_EQ(link.busy_time(LinkTraffic::scatter), ns(1000));
  EXPECT_EQ(link.busy_time(LinkTraffic::load), ns(500));
  EXPECT_EQ(link.busy_time(LinkTraffic::npu_read), ns(500));
  EXPECT_EQ(link.busy_time(), ns(2000));
  EXPECT_EQ(link.bytes(LinkTraffic::scatter), 12800);
  EXPECT_EQ(link.bytes(LinkTraffic::load), 6400);
  EXPECT_EQ(link.bytes(LinkTraffic::npu_read), 3200);
  EXPECT_EQ(link.transfers(), 3);
  EXPECT_EQ(link.requested_bytes(), link.delivered_bytes());
  EXPECT_EQ(link.pending_work(), "");
}

TEST(ComponentExternalLink, NpuReadsTakeAsLongAsTheAttachedDram) {
  ExternalLink link("link", LinkRates{12.8e9, 6.4e9});
  // A DRAM whose external interface is slower than the link's NPU rate: it sets the time.
  BandwidthPipeDram dram("dram", 16, 8e9, 3.2e9);
  link.attach_dram(&dram, int64_t(1) << 30);
  double read_end = 0, scatter_end = 0;
  simulate({[&] {
    link.transfer(6400, LinkTraffic::npu_read);  // through the DRAM: 6400 B / 3.2 GB/s = 2000 ns
    read_end = now_ns();
    link.transfer(6400, LinkTraffic::scatter);  // ends in the logic die: 6400 / 12.8e9 = 500 ns
    scatter_end = now_ns();
  }});
  EXPECT_DOUBLE_EQ(read_end, 2000);
  EXPECT_DOUBLE_EQ(scatter_end, 2500);
  EXPECT_EQ(dram.port_stats().external_bytes, 6400);  // the scatter did not touch the DRAM
  EXPECT_EQ(dram.port_stats().in_flight, 0);
  EXPECT_EQ(link.busy_time(LinkTraffic::npu_read), ns(2000));
}

// ---------------------------------------------------------------------------------------------
// BankPe (cycle fidelity: 2 KiB chunks, double-buffered; 32 B bursts, so 64 bursts per chunk)
//
// Per chunk: fetch = 2048 B / HB rate; MACs = ceil(macs / 128) cycles of 1 ns. The multiplier
// starts a chunk at max(its previous end, fetch start + fetch / 64, gate) and ends it at
// max(start + MACs, fetch end + MACs / 64) (bank_pe.hpp: the weight buffer is a FIFO).

struct PeRun {
  std::vector<double> done_ns;
};

PeRun run_one_pe(const HardwareConfig& hw, DramChannelPort& dram, std::vector<PeJob> jobs, bool ideal,
                 double release_at_ns, BankPeStats* stats = nullptr) {
  // Rows of 2 KiB, the LPDDR5 page (the standard's organisation.row_bytes, asserted in the LPDDR5 test).
  BankPe pe("pe", 0, hw.pe, hw.buffers.weight_buffer_bytes, hw.burst_bytes, kRowBytesWithoutStandard, dram, ideal);
  BlockGate gate;
  PeRun run;
  simulate({[&] {
    pe.start(jobs, gate, [&](int64_t) { run.done_ns.push_back(now_ns()); });
    sc_core::wait(ns(release_at_ns));
    gate.released = int64_t(jobs.size());
    gate.changed.notify(sc_core::SC_ZERO_TIME);
  }});
  EXPECT_TRUE(pe.end_of_run_violations().empty());
  EXPECT_EQ(pe.pending_work(), "");
  if (stats != nullptr) *stats = pe.stats();
  return run;
}

TEST(ComponentBankPe, BandwidthBoundJobEndsOneBurstAfterItsLastChunk) {
  const HardwareConfig hw = test_design();
  BandwidthPipeDram dram("dram", 16, 8e9, 12.8e9);  // 8 GB/s per bank port: 2048 B in 256 ns
  // 8192 B = 4 chunks; 65536 MACs = 16384 per chunk = 128 cycles = 128 ns < 256 ns of fetch.
  BankPeStats stats;
  const PeRun run = run_one_pe(hw, dram, {PeJob{8192, 65536, 0}}, false, 0, &stats);
  // Fetches back to back (two chunks may be in the buffer, and each is consumed 2 ns after it
  // arrives): 0-256, 256-512, 512-768, 768-1024 ns. The last chunk's MACs end one burst's worth
  // (128 ns / 64 = 2 ns) after its fetch: 1024 + 2 = 1026 ns.
  ASSERT_EQ(run.done_ns.size(), 1u);
  EXPECT_DOUBLE_EQ(run.done_ns[0], 1026);
  EXPECT_EQ(stats.busy, ns(4 * 128));  // multiplier busy: 4 chunks x 128 ns
  EXPECT_DOUBLE_EQ(stats.macs, 65536);
  EXPECT_EQ(stats.weight_bytes, 8192);
  EXPECT_EQ(dram.port_stats().hb_bytes, 8192);
}

TEST(ComponentBankPe, ComputeBoundJobRunsItsMacsBackToBack) {
  const HardwareConfig hw = test_design();
  BandwidthPipeDram dram("dram", 16, 8e9, 12.8e9);
  // 262144 MACs = 65536 per chunk = 512 cycles = 512 ns per chunk > 256 ns of fetch.
  const PeRun run = run_one_pe(hw, dram, {PeJob{8192, 262144, 0}}, false, 0);
  // Chunk 0 starts once its first burst is in: 256 / 64 = 4 ns; then the four chunks' MACs run
  // back to back (the fetcher stays ahead: two chunks in the buffer): 4 + 4 x 512 = 2052 ns.
  ASSERT_EQ(run.done_ns.size(), 1u);
  EXPECT_DOUBLE_EQ(run.done_ns[0], 2052);
}

TEST(ComponentBankPe, MultiplierWaitsForTheGateWhileTheFetcherRunsAhead) {
  const HardwareConfig hw = test_design();
  BandwidthPipeDram dram("dram", 16, 8e9, 12.8e9);
  // One 2048 B chunk (256 ns of fetch), 128 ns of MACs, released only at 1000 ns: the fetch is
  // long done, so the MACs run 1000-1128 ns.
  const PeRun run = run_one_pe(hw, dram, {PeJob{2048, 16384, 0}}, false, 1000);
  ASSERT_EQ(run.done_ns.size(), 1u);
  EXPECT_DOUBLE_EQ(run.done_ns[0], 1128);
}

TEST(ComponentBankPe, IdealIsTheRooflineOfOneJob) {
  const HardwareConfig hw = test_design();
  BandwidthPipeDram dram("dram", 16, 8e9, 12.8e9);
  // Ideal: one chunk per job, fetched once released, MACs timed continuously and overlapped:
  // max(8192 B / 8 GB/s = 1024 ns, 262144 MACs / (128 x 1 GHz) = 2048 ns) = 2048 ns after the
  // release at 100 ns.
  const PeRun compute_bound = run_one_pe(hw, dram, {PeJob{8192, 262144, 0}}, true, 100);
  ASSERT_EQ(compute_bound.done_ns.size(), 1u);
  EXPECT_DOUBLE_EQ(compute_bound.done_ns[0], 2148);
}

TEST(ComponentBankPe, JobsOnTheLpddr5BankFollowTheStandardsTimings) {
  const HardwareConfig hw = test_design();
  const DramStandard standard = load_dram_standard(std::string(H2SIM_SOURCE_DIR) + "/configs/dram/lpddr5-6400.yaml");
  // The premises of the arithmetic below, as the standard file states them.
  ASSERT_EQ(standard.tck_ps, 1250);
  ASSERT_EQ(standard.t.nrcd, 15);
  ASSERT_EQ(standard.hb.column_access_bytes, 64);
  ASSERT_EQ(standard.hb.read_latency_ck, 20);
  ASSERT_EQ(standard.row_bytes, 2048);
  Lpddr5Dram dram("dram", hw, standard, true);
  // One 2048 B row from an idle bank through the hybrid-bonded port (configs/dram/lpddr5-6400.yaml):
  //   ACT at 0; first column access after nRCD = 15 CK x 1.25 ns = 18.75 ns;
  //   2048 B / 64 B per access = 32 accesses, one per 64 B / 25.6 GB/s = 2.5 ns;
  //   the last at 18.75 + 31 x 2.5 = 96.25 ns, its data at the PE read_latency 20 CK = 25 ns plus
  //   one access later: 96.25 + 25 + 2.5 = 123.75 ns.
  // MACs: 8192 = 64 cycles = 64 ns, ending at max(start + 64, 123.75 + 64 / 64) = 124.75 ns.
  // (The first refresh is due at tREFI = 3906 ns, long after.)
  const PeRun run = run_one_pe(hw, dram, {PeJob{2048, 8192, 0}}, false, 0);
  ASSERT_EQ(run.done_ns.size(), 1u);
  EXPECT_DOUBLE_EQ(run.done_ns[0], 124.75);
  const DramStats st = dram.dram_stats();
  EXPECT_EQ(st.commands.act, 1);
  EXPECT_EQ(st.commands.hb_rd, 32);
}

// ---------------------------------------------------------------------------------------------
// Channel (cycle fidelity): one block of a hand-made plan on the 16 PEs of an NMP channel.

TEST(ComponentChannel, OneBlockScattersComputesAndLoads) {
  const HardwareConfig hw = test_design();
  ChannelParams params;
  params.index = 0;
  params.nmp = true;
  params.ideal = false;
  params.link_rates = LinkRates{12.8e9, 12.8e9};
  params.row_bytes = kRowBytesWithoutStandard;  // the pipe ignores rows
  BandwidthPipeDram* dram_ptr = nullptr;
  Channel ch("ch0", hw, params, [&](const char* name) {
    auto d = std::make_unique<BandwidthPipeDram>(name, 16, 8e9, 12.8e9);
    dram_ptr = d.get();
    return d;
  });
  // A 1 x 64 x 256 GEMM tile: 16 PEs as 1 x 16, each owning 64 rows x 16 columns of the weights
  // (64 x 16 x 2 B = 2048 B in its bank, 64 x 16 = 1024 MACs).
  ChannelPlan plan;
  plan.tile = GemmShape{1, 1, 64, 256};
  plan.element_bytes = 2;
  plan.split = split_over_pes(64, 256, 16);
  ASSERT_EQ(plan.split.p_n, 16);
  plan.m_block = 1, plan.k_block = 64, plan.n_block = 16;
  plan.input_capacity_bytes = hw.buffers.input_buffer_bytes;
  plan.output_capacity_bytes_per_pe = hw.output_buffer_bytes_per_pe();
  ChannelBlock b;
  b.m_len = 1, b.k_len = 64, b.n_len = 16;
  b.scatter_bytes = 1 * 64 * 2;        // the input row: 128 B
  b.input_release_bytes = 128;
  b.opens_output = true;
  b.output_bytes_per_pe = 1 * 16 * 2;  // 32 B of partial sums per PE
  b.load_bytes = 1 * 256 * 2;          // the output row: 512 B
  plan.blocks = {b};
  ASSERT_EQ(plan.pe_work(b, 15).weight_bytes, 2048);
  double end = 0;
  simulate({[&] {
    ch.execute(plan);
    end = now_ns();
  }});
  // Scatter 128 B / 12.8 GB/s = 10 ns; the block is released at 10 ns. Each PE fetches its 2048 B
  // from 0 to 2048 / 8e9 = 256 ns (the fetcher runs ahead of the release); its 1024 MACs take
  // 8 cycles = 8 ns, from max(10, 256 / 64 = 4) = 10 ns, ending at max(18, 256 + 8 / 64) =
  // 256.125 ns. Then the load: 512 B / 12.8 GB/s = 40 ns, done at 296.125 ns.
  EXPECT_DOUBLE_EQ(end, 296.125);
  EXPECT_EQ(ch.phase_times().scatter, ns(10));
  EXPECT_EQ(ch.phase_times().compute, sc_time(246125, SC_PS));  // 10 to 256.125 ns
  EXPECT_EQ(ch.phase_times().load, ns(40));
  EXPECT_EQ(ch.max_input_buffer_used_bytes(), 128);
  EXPECT_EQ(ch.max_output_buffer_used_bytes(), 32);
  ASSERT_NE(dram_ptr, nullptr);
  EXPECT_EQ(dram_ptr->port_stats().hb_bytes, 16 * 2048);
  EXPECT_TRUE(ch.end_of_run_violations().empty());
  EXPECT_TRUE(ch.pending_work().empty());
}

// ---------------------------------------------------------------------------------------------
// Npu (cycle fidelity: 16 KiB chunks per link, MACs as chunks arrive, one operation at a time)

TEST(ComponentNpu, GemmStreamsOverItsLinksThenReduces) {
  const HardwareConfig hw = test_design();
  // Two channels' links at 16.384 GB/s for NPU traffic: one 16 KiB chunk per 1000 ns.
  ExternalLink l0("l0", LinkRates{12.8e9, 16.384e9});
  ExternalLink l1("l1", LinkRates{12.8e9, 16.384e9});
  Npu npu("npu", hw, false, {&l0, &l1});
  double gemm_end = 0, reduce_end = 0, second_end = 0;
  simulate({
      [&] {
        // 1 x 256 x 256: 256 x 256 x 2 B = 131072 B, 65536 per link = 4 chunks per link, both
        // links at once: the last chunks arrive at 4000 ns. MACs: 65536 at 0.5 x 16.384e12 =
        // 8.192e12 MAC/s; a chunk carries 65536 x 16384 / 131072 = 8192 MACs = 1 ns. The two
        // chunks that arrive together queue on the multiplier: the last ends at 4000 + 2 = 4002 ns.
        npu.gemm(GemmShape{1, 1, 256, 256}, {0, 1});
        gemm_end = now_ns();
        // 4096 adds at 4.096e12 adds/s = 1 ns, after the other thread's reduction (below).
        npu.reduce(4096);
        reduce_end = now_ns();
      },
      [&] {
        // A second operation, asked for at 500 ns while the GEMM runs, is next in line (first
        // come first served): its 4096 adds run from 4002 to 4003 ns, and the first thread's
        // reduction, asked for at 4002 ns, follows from 4003 to 4004 ns.
        sc_core::wait(ns(500));
        npu.reduce(4096);
        second_end = now_ns();
      },
  });
  EXPECT_DOUBLE_EQ(gemm_end, 4002);
  EXPECT_DOUBLE_EQ(second_end, 4003);
  EXPECT_DOUBLE_EQ(reduce_end, 4004);
  EXPECT_EQ(npu.stats().compute_busy, ns(8));  // 8 chunks x 1 ns
  EXPECT_EQ(npu.stats().bytes_read, 131072);
  EXPECT_EQ(npu.stats().reduce_busy, ns(2));
  EXPECT_EQ(l0.bytes(LinkTraffic::npu_read), 65536);
  EXPECT_EQ(l1.bytes(LinkTraffic::npu_read), 65536);
  EXPECT_TRUE(npu.end_of_run_violations().empty());
}

TEST(ComponentNpu, WriteSplitsItsBytesOverTheHoldingChannels) {
  const HardwareConfig hw = test_design();
  ExternalLink l0("l0", LinkRates{12.8e9, 16.384e9});
  ExternalLink l1("l1", LinkRates{12.8e9, 16.384e9});
  Npu npu("npu", hw, false, {&l0, &l1});
  double end = 0;
  simulate({[&] {
    // 32769 B over two channels: 16385 B and 16384 B, written at once; the larger share sets the
    // time: 16385 B / 16.384 GB/s = 1000.061035... ns, rounded to the picosecond: 1000061 ps.
    npu.write(32769, {0, 1});
    end = now_ns();
  }});
  EXPECT_EQ(sc_core::sc_time_stamp(), sc_time(1000061, SC_PS));
  EXPECT_NEAR(end, 1000.061, 1e-9);
  EXPECT_EQ(l0.bytes(LinkTraffic::npu_write), 16385);
  EXPECT_EQ(l1.bytes(LinkTraffic::npu_write), 16384);
}

}  // namespace
}  // namespace h2sim

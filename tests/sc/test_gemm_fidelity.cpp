// Regression of the SystemC chip against the analytic roofline, over a grid of GEMM shapes and
// designs. Each test elaborates the chip, so ctest runs each in a process of its own.
#include <gtest/gtest.h>

#include <cmath>

#include <fmt/format.h>

#include <string>
#include <tuple>
#include <vector>

#include "tests/dram_trace_check.hpp"
#include "config/hardware_config.hpp"
#include "sim/gemm_runner.hpp"

using namespace h2sim;

namespace {

struct GridPoint {
  std::string design;
  GemmShape shape;
};

std::vector<GridPoint> grid() {
  std::vector<GridPoint> points;
  const std::vector<std::pair<int64_t, int64_t>> kn = {{128, 128},     {4096, 4096},  {16384, 4096}, {4096, 16384},
                                                       {128, 16384},   {16384, 128},  {16384, 16384}, {1000, 3000}};
  for (const char* design : {"h2llm", "id-nmp", "id-nmp-plus"}) {
    for (int64_t m : {1, 4, 16, 64}) {
      for (auto [k, n] : kn) {
        for (int64_t batch : {1, 4}) points.push_back({design, {batch, m, k, n}});
      }
      // Attention-like batched GEMMs: qk (m x 128 x ctx) and sv (m x ctx x 128), many heads.
      points.push_back({design, {64, m, 128, 2048}});
      points.push_back({design, {64, m, 2048, 128}});
    }
  }
  return points;
}

void PrintTo(const GridPoint& p, std::ostream* os) { *os << p.design << " " << p.shape.to_string(); }

std::string point_name(const testing::TestParamInfo<GridPoint>& info) {
  std::string name = fmt::format("{}_b{}_m{}_k{}_n{}", info.param.design, info.param.shape.batch, info.param.shape.m,
                                 info.param.shape.k, info.param.shape.n);
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

HardwareConfig design(const std::string& name) {
  return load_hardware_config(std::string(H2SIM_SOURCE_DIR) + "/configs/hardware/" + name + ".yaml");
}

class IdealVsAnalytic : public testing::TestWithParam<GridPoint> {};
class CycleBounds : public testing::TestWithParam<GridPoint> {};

}  // namespace

// `ideal` is the SystemC model under the roofline's simplifications: it must reproduce the
// formula to within 0.5% (what remains is picosecond rounding of event times).
TEST_P(IdealVsAnalytic, AgreesWithinHalfPercent) {
  const auto hw = design(GetParam().design);
  GemmRunOptions opt;
  opt.fidelity = Fidelity::ideal;
  const auto r = run_gemm(hw, GetParam().shape, opt);
  EXPECT_NEAR(r.latency_ns / r.analytic_latency_ns, 1.0, 0.005)
      << "ideal " << r.latency_ns << " ns, analytic " << r.analytic_latency_ns << " ns";
}

// `cycle` can never beat physics (each channel must stream its weights through its HB ports,
// do its MACs, and move its inputs and outputs over its link), and with DRAM as a bandwidth pipe
// it is never slower than the serialized roofline: overlap only removes time, exact edge tiles
// only remove work. The roofline compared with is evaluated at the wire's real 12.8e9 B/s: the
// artifact's GiB-based transfers (7.4% faster than the wire) are not reachable by any chip, and
// on transfer-bound GEMMs `ideal`/`analytic` are faster than physics by exactly that.
TEST_P(CycleBounds, BetweenPhysicalBoundAndRoofline) {
  const auto hw = design(GetParam().design);
  GemmRunOptions opt;
  opt.fidelity = Fidelity::cycle;
  opt.dram = DramModel::pipe;
  const auto r = run_gemm(hw, GetParam().shape, opt);
  const double roofline_at_wire_rate_ns = estimate_nmp_gemm(hw, GetParam().shape, 0, false).latency_ns;
  EXPECT_GE(r.latency_ns, r.physical_bound_ns * (1 - 1e-9));
  // In-die PIM (nmp_kind in_die) cannot prefetch: a block's lockstep stream starts when its input
  // is in the registers and ends with the last burst's MACs after its read, where the roofline
  // overlaps them perfectly. That costs at most one burst read and one burst of MACs per block.
  double allowance_ns = 0;
  if (hw.nmp_kind == NmpKind::in_die) {
    const double burst_read_ns = double(hw.burst_bytes) / hw.pe.hb_bandwidth_bytes_per_s * 1e9;
    const double burst_macs = double(hw.burst_bytes / hw.element_bytes) * double(GetParam().shape.m);
    const double burst_mac_ns =
        std::ceil(burst_macs / double(hw.pe.fpus_per_pe * hw.pe.macs_per_fpu_per_cycle)) * hw.pe.cycle_ns();
    allowance_ns = double(r.blocks_per_channel_max) * (burst_read_ns + burst_mac_ns);
  }
  EXPECT_LE(r.latency_ns, roofline_at_wire_rate_ns + allowance_ns) << "cycle " << r.latency_ns << " ns";
  EXPECT_DOUBLE_EQ(r.macs, GetParam().shape.macs());
  EXPECT_LE(r.max_input_buffer_bytes, hw.buffers.input_buffer_bytes);
  EXPECT_LE(r.max_output_buffer_bytes_per_pe, hw.output_buffer_bytes_per_pe());
}

INSTANTIATE_TEST_SUITE_P(Grid, IdealVsAnalytic, testing::ValuesIn(grid()), point_name);
INSTANTIATE_TEST_SUITE_P(Grid, CycleBounds, testing::ValuesIn(grid()), point_name);

TEST(GemmReferenceExample, GemvOnH2llmIdeal) {
  GemmRunOptions opt;
  opt.fidelity = Fidelity::ideal;
  const auto r = run_gemm(design("h2llm"), {1, 1, 4096, 4096}, opt);
  EXPECT_NEAR(r.analytic_latency_ns, 14167.0, 14167.0 * 0.001);
  EXPECT_NEAR(r.latency_ns, 14167.0, 14167.0 * 0.005);
  EXPECT_EQ(r.tiling.t_k, 2);
  EXPECT_EQ(r.tiling.t_n, 3);
}

TEST(GemmReferenceExample, GemvOnNpuIdeal) {
  GemmRunOptions opt;
  opt.fidelity = Fidelity::ideal;
  opt.target = GemmTarget::npu;
  const auto r = run_gemm(design("h2llm"), {1, 1, 4096, 4096}, opt);
  EXPECT_NEAR(r.latency_ns, 468230.0, 468230.0 * 0.005);
}

TEST(GemmReferenceExample, GemvOnNpuCycleStreamsWeightsAtLinkSpeed) {
  GemmRunOptions opt;
  opt.target = GemmTarget::npu;
  opt.dram = DramModel::pipe;
  const auto hw = design("npu-only");
  const auto r = run_gemm(hw, {1, 1, 4096, 4096}, opt);
  // 32 MiB of weights over 8 x 12.8 GB/s, overlapped with compute: the bound plus one chunk.
  const double stream_ns = 4096.0 * 4096 * 2 / (8 * 12.8);
  EXPECT_GE(r.latency_ns, stream_ns);
  EXPECT_LE(r.latency_ns, stream_ns * 1.01);
  EXPECT_EQ(r.bytes_npu_read, 4096 * 4096 * 2);
}

TEST(GemmCycle, SmallBuffersCostReScatterButStayCorrect) {
  auto hw = load_hardware_config(std::string(H2SIM_SOURCE_DIR) + "/configs/hardware/h2llm.yaml",
                                 {"buffers.input_buffer_kib=1", "buffers.output_buffer_kib=16"});
  GemmRunOptions opt;
  const auto small = run_gemm(hw, {1, 64, 4096, 4096}, opt);
  EXPECT_GT(small.bytes_scattered, 64 * 4096 * 2) << "a 1 KiB input buffer forces inputs to be sent again";
  EXPECT_LE(small.max_input_buffer_bytes, 1024);
  EXPECT_EQ(small.bytes_loaded, small.tiling.t_k * 64 * 4096 * 2) << "each K slice returns its partial sums once";
  EXPECT_GE(small.latency_ns, small.physical_bound_ns);
}

TEST(GemmCycle, VcdHasPerChannelAndPerPeSignals) {
  const std::string path = testing::TempDir() + "/h2sim_gemm_test.vcd";
  GemmRunOptions opt;
  opt.vcd_path = path;
  run_gemm(design("h2llm"), {1, 1, 1024, 1024}, opt);
  FILE* f = std::fopen(path.c_str(), "r");
  ASSERT_NE(f, nullptr);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  for (const char* needle : {"$timescale", "1 ps", "$scope module ch0 $end", "$scope module link $end",
                             "$scope module pe15 $end", "input_buffer_bytes", "weight_buffer_bytes", "bytes_in_flight"}) {
    EXPECT_NE(text.find(needle), std::string::npos) << needle;
  }
}

// With the LPDDR5 model behind the links, the NPU's weight stream pays refresh and row switches:
// slower than the pipe, yet every 2 KiB row is opened at least once and refresh happened.
TEST(GemmLpddr5, NpuStreamPaysDramOverheads) {
  GemmRunOptions opt;
  opt.target = GemmTarget::npu;
  const auto hw = design("npu-only");
  const std::string trace = test::temp_trace_path("npu");
  opt.command_trace_path = trace;
  const auto r = run_gemm(hw, {1, 1, 4096, 4096}, opt);
  // Every command of every channel meets the standard (independent checker).
  const TraceCheckResult check = check_command_trace_file(trace, load_dram_standard(hw.dram_standard_file), hw);
  EXPECT_TRUE(check.ok) << check.report;
  EXPECT_EQ(check.summary.commands, r.command_trace_commands);
  std::remove(trace.c_str());
  const double bytes = 4096.0 * 4096 * 2;
  EXPECT_EQ(r.dram_model, "lpddr5");
  EXPECT_GT(r.latency_ns, bytes / (8 * 12.8));
  EXPECT_GE(r.dram_activates, int64_t(bytes / 2048));
  EXPECT_GT(r.dram_refreshes, 0);
  EXPECT_EQ(r.dram_reads, int64_t(bytes / 32));  // one RD per 32 B burst
}

// The decode GEMV on H2-LLM: each PE's 25.6 GB/s port drains a 2 KiB row in 80 ns and then pays
// the unhidden row switch (tRTP + tRP + tRCD), so the weight stream runs at about 60% of the HB
// peak; still never faster than the physical bound.
TEST(GemmLpddr5, GemvOnH2llmPaysRowSwitches) {
  GemmRunOptions opt;
  const auto hw = design("h2llm");
  const std::string trace = test::temp_trace_path("gemv");
  opt.command_trace_path = trace;
  const auto r = run_gemm(hw, {1, 1, 4096, 4096}, opt);
  const TraceCheckResult check = check_command_trace_file(trace, load_dram_standard(hw.dram_standard_file), hw);
  EXPECT_TRUE(check.ok) << check.report;
  EXPECT_EQ(check.summary.commands, r.command_trace_commands);
  EXPECT_GT(check.summary.per_command[9].second, 0) << "HB_RD: the weights stream through the ports";
  std::remove(trace.c_str());
  EXPECT_GE(r.latency_ns, r.physical_bound_ns);
  EXPECT_GT(r.latency_ns, r.analytic_latency_ns) << "DRAM timing makes the artifact's roofline optimistic";
  EXPECT_GT(r.dram_activates, 0);
  EXPECT_DOUBLE_EQ(r.macs, 4096.0 * 4096);
}

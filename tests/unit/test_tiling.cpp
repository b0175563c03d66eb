#include <gtest/gtest.h>

#include <cmath>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "mapping/channel_plan.hpp"
#include "mapping/roofline.hpp"
#include "mapping/tiling.hpp"

using namespace h2sim;

namespace {
HardwareConfig h2llm() { return load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml"); }
}  // namespace

TEST(Tiling, DivisorsAreSortedAndComplete) {
  EXPECT_EQ(divisors(6), (std::vector<int64_t>{1, 2, 3, 6}));
  EXPECT_EQ(divisors(8), (std::vector<int64_t>{1, 2, 4, 8}));
  EXPECT_EQ(divisors(7), (std::vector<int64_t>{1, 7}));
}

TEST(Tiling, SquareGemvOnSixChannelsIsTwoByThree) {
  auto t = tile_across_channels({1, 1, 4096, 4096}, 6, 1, 1);
  EXPECT_NEAR(t.t_k_closed_form, std::sqrt(6.0), 1e-12);
  EXPECT_EQ(t.t_k, 2);  // |2 - 2.449| < |3 - 2.449|
  EXPECT_EQ(t.t_n, 3);
  EXPECT_EQ(t.per_channel.m, 1);
  EXPECT_EQ(t.per_channel.k, 2048);
  EXPECT_EQ(t.per_channel.n, 1366);  // ceil(4096 / 3)
}

TEST(Tiling, ClosedFormFollowsShapeAndBandwidthRatio) {
  // Tall K (f2: 16384 x 4096) wants more K splits: sqrt(8*4) = 5.66 -> divisor 4 of 8.
  auto f2 = tile_across_channels({1, 1, 16384, 4096}, 8, 1, 1);
  EXPECT_EQ(f2.t_k, 4);
  EXPECT_EQ(f2.t_n, 2);
  // Wide N: sqrt(8/4) = 1.41 -> 1.
  auto f1 = tile_across_channels({1, 1, 4096, 16384}, 8, 1, 1);
  EXPECT_EQ(f1.t_k, 1);
  EXPECT_EQ(f1.t_n, 8);
  // B_s != B_l: a 4x faster load link doubles T_K: sqrt(8*4) = 5.66 -> 4.
  auto skew = tile_across_channels({1, 1, 4096, 4096}, 8, 1, 4);
  EXPECT_NEAR(skew.t_k_closed_form, std::sqrt(32.0), 1e-12);
  EXPECT_EQ(skew.t_k, 4);
  // A 4x faster scatter link halves it: sqrt(2) = 1.41 -> 1.
  EXPECT_EQ(tile_across_channels({1, 1, 4096, 4096}, 8, 4, 1).t_k, 1);
}

TEST(Tiling, BatchedRules) {
  // B > C: one channel per GEMM, ceil(B/C) GEMMs per channel.
  auto big = tile_across_channels({32, 4, 128, 300}, 6, 1, 1);
  EXPECT_EQ(big.channels_per_gemm, 1);
  EXPECT_EQ(big.gemms_per_channel, 6);  // ceil(32/6)
  EXPECT_EQ(big.t_k * big.t_n, 1);
  // 1 < B <= C: G = gcd(B, C); C/G channels per GEMM, B/G GEMMs per channel.
  auto mid = tile_across_channels({4, 4, 128, 300}, 6, 1, 1);
  EXPECT_EQ(mid.channels_per_gemm, 3);
  EXPECT_EQ(mid.gemms_per_channel, 2);
  EXPECT_EQ(mid.t_k * mid.t_n, 3);
  auto eq = tile_across_channels({8, 1, 128, 2048}, 8, 1, 1);
  EXPECT_EQ(eq.channels_per_gemm, 1);
  EXPECT_EQ(eq.gemms_per_channel, 1);
  EXPECT_EQ(eq.per_channel.batch, 1);
}

TEST(Roofline, ReferenceExampleGemvOnH2llm) {
  auto hw = h2llm();
  auto r = estimate_nmp_gemm(hw, {1, 1, 4096, 4096});
  EXPECT_NEAR(r.scatter_ns, 298.0, 0.5);
  EXPECT_NEAR(r.compute_ns, 13670.0, 1.0);
  EXPECT_NEAR(r.load_ns, 199.0, 0.5);
  EXPECT_NEAR(r.latency_ns, 14167.0, 14167.0 * 0.001);
  EXPECT_FALSE(r.compute_bound);
}

TEST(Roofline, ReferenceExampleGemvOnNpu) {
  auto hw = h2llm();
  auto r = estimate_npu_gemm(hw, {1, 1, 4096, 4096}, 8);
  EXPECT_NEAR(r.latency_ns, 468230.0, 468230.0 * 0.0005);
}

TEST(PeSplit, PrefersExactSplitWithFewestPartialSums) {
  auto s = split_over_pes(2048, 1366, 16);
  EXPECT_EQ(s.p_k * s.p_n, 16);
  EXPECT_EQ(s.k_pe * s.n_pe * 16, 2048 * 1366);  // perfectly balanced
  EXPECT_EQ(s.p_n, 2);                             // (16,1) balances too but needs more adds
  auto odd = split_over_pes(43, 43, 16);
  // 4 x 4 gives 11 x 11 = 121; 16 x 1 gives 3 x 43 = 129; 1 x 16 gives 43 x 3 = 129.
  EXPECT_EQ(odd.p_k, 4);
  EXPECT_EQ(odd.k_pe * odd.n_pe, 121);
}

TEST(ChannelPlan, BlocksCoverTheTileExactlyOnce) {
  auto hw = h2llm();
  for (GemmShape tile : {GemmShape{1, 1, 2048, 1366}, GemmShape{1, 64, 2731, 683},
                         GemmShape{3, 16, 128, 2048}, GemmShape{1, 7, 16384, 100}}) {
    for (bool enforce : {false, true}) {
      auto plan = plan_channel(hw, tile, enforce);
      double macs = 0;
      int64_t weight_bytes_per_pass = 0;
      for (const auto& b : plan.blocks) {
        for (int64_t pe = 0; pe < plan.split.pes; ++pe) macs += plan.pe_work(b, pe).macs;
      }
      EXPECT_DOUBLE_EQ(macs, tile.macs()) << tile.to_string() << " enforce=" << enforce;
      EXPECT_EQ(plan.total_load_bytes(), tile.batch * tile.m * tile.n * hw.element_bytes);
      EXPECT_GE(plan.total_scatter_bytes(), tile.batch * tile.m * tile.k * hw.element_bytes);
      weight_bytes_per_pass = tile.batch * tile.k * tile.n * hw.element_bytes;
      EXPECT_EQ(plan.total_weight_bytes() % weight_bytes_per_pass, 0);
      if (enforce) {
        for (const auto& b : plan.blocks) {
          EXPECT_LE(b.scatter_bytes, hw.buffers.input_buffer_bytes);
          for (int64_t pe = 0; pe < plan.split.pes; ++pe) {
            EXPECT_LE(b.m_len * plan.pe_work(b, pe).n_elems * hw.element_bytes,
                      hw.output_buffer_bytes_per_pe());
          }
        }
      }
    }
  }
}

TEST(ChannelPlan, IdealIsOneBlockPerGemmAndCycleRespectsBuffers) {
  auto hw = h2llm();
  EXPECT_EQ(plan_channel(hw, {1, 1, 2048, 1366}, false).blocks.size(), 1u);
  EXPECT_EQ(plan_channel(hw, {3, 64, 2731, 683}, false).blocks.size(), 3u);
  // 64 x 2731 FP16 inputs (350 KB) cannot sit in a 32 KiB input buffer: the tile is cut.
  auto big = plan_channel(hw, {1, 64, 2731, 683}, true);
  EXPECT_GT(big.blocks.size(), 1u);
  for (const auto& b : big.blocks) EXPECT_LE(b.output_bytes_per_pe, hw.output_buffer_bytes_per_pe());
}

TEST(ChannelPlan, GemvPipelinesScatterWithComputeAndScattersOnce) {
  auto hw = h2llm();
  auto plan = plan_channel(hw, {1, 1, 2048, 1366}, true);
  EXPECT_TRUE(plan.input_resident);
  EXPECT_GT(plan.blocks.size(), 1u);  // several k-blocks: compute starts before the scatter ends
  EXPECT_EQ(plan.total_scatter_bytes(), 2048 * 2);
  EXPECT_EQ(plan.total_weight_bytes(), 2048 * 1366 * 2);  // weights streamed exactly once
  // Planner's estimate beats the serialized scatter + compute + load.
  const double serial_ns = (2048 * 2 + 1366 * 2) / 12.8 + 2048.0 * 1366 * 2 / 409.6;
  EXPECT_LT(plan.estimated_ns, serial_ns);
}

TEST(ChannelPlan, InputPiecesAreScatteredBeforeUseAndReleasedOnce) {
  auto hw = h2llm();
  for (GemmShape tile : {GemmShape{1, 64, 2731, 683}, GemmShape{2, 16, 16384, 300}, GemmShape{1, 1, 2048, 1366}}) {
    auto plan = plan_channel(hw, tile, true);
    int64_t scattered = 0, released = 0, in_use_max = 0, pieces = 0;
    for (const auto& b : plan.blocks) {
      if (b.scatter_bytes > 0) {
        EXPECT_EQ(b.input_piece, pieces) << "pieces are scattered in order";
        ++pieces;
        scattered += b.scatter_bytes;
      }
      EXPECT_LT(b.input_piece, pieces) << "a block never reads a piece not yet scattered";
      released += b.input_release_bytes;
      in_use_max = std::max(in_use_max, scattered - released + b.input_release_bytes);
    }
    EXPECT_EQ(scattered, released) << tile.to_string();
    EXPECT_LE(in_use_max, hw.buffers.input_buffer_bytes) << tile.to_string();
  }
}

// A PE streams its weights from its own bank, so the planner may only pick PE grids whose
// per-PE share fits the bank (a 1 x 16 grid for a K x 1 tile would put all of K in one bank).
TEST(ChannelPlan, PerPeWeightsFitTheBank) {
  const HardwareConfig hw = h2llm();  // 256 MiB banks
  const GemmShape tile{1, 1, 178956971, 1};  // 358 MB of weights in one column
  const ChannelPlan plan = plan_channel(hw, tile, true);
  const double per_pe = double(plan.split.k_pe) * double(plan.split.n_pe) * double(hw.element_bytes);
  EXPECT_LE(per_pe, double(hw.bank_capacity_bytes)) << "grid " << plan.split.p_k << " x " << plan.split.p_n;
}

TEST(ChannelPlan, WeightsBeyondEveryBankAreRejectedWithTheNumbers) {
  HardwareConfig hw = h2llm();
  hw.bank_capacity_bytes = 1 << 20;  // 1 MiB banks: 16 MiB per channel
  try {
    plan_channel(hw, {1, 1, 4096, 4096}, true);  // 32 MiB of weights
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("do not fit the PEs' banks"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("1048576 B"), std::string::npos) << e.what();
  }
}

// The plan is what the simulator holds in memory: past the bound, the planner refuses and points
// to the analytic fidelity instead of allocating gigabytes.
TEST(ChannelPlan, PlansBeyondTheSimulationBoundAreRejected) {
  const HardwareConfig hw = h2llm();
  try {
    plan_channel(hw, {1, 1000000, 2048, 1366}, true);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("use --fidelity analytic"), std::string::npos) << e.what();
  }
}

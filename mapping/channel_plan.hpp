#pragma once
// Intra-channel mapping of one channel's GEMM tile: how it is split over the channel's bank-PEs
// and cut into blocks that fit the input, weight and output buffers.
//
// Split: the PEs form a P_K x P_N grid (P_K * P_N = PEs). PE (i_k, i_n) owns k-rows
// [i_k*k_pe, (i_k+1)*k_pe) and n-columns [i_n*n_pe, (i_n+1)*n_pe) of the tile (k_pe = ceil(k/P_K),
// n_pe = ceil(n/P_N)), stored in its own bank. The P_K partial sums of an output column are added
// on the logic die before the load (inferred: an adder tree there is cheap next to the transfer).
//
// Blocks are given in PE-local coordinates: every PE works on rows [m0, m0+m_len) of the input,
// its local k range [k0, k0+k_len) and local n range [n0, n0+n_len) (clipped to what it owns).
// Order: m-blocks outer, n-blocks, k-blocks inner (output-stationary: partial sums stay in the
// output buffer until the k loop ends, then are loaded). The input rows of an m-block are
// scattered once and stay resident across n-blocks when they fit the input buffer whole;
// otherwise each k-piece is scattered again for every n-block (re-scatter is the price of a
// small buffer). Several small k-blocks let the scatter of one overlap the compute of another.
#include <cstdint>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/gemm.hpp"

namespace h2sim {

struct PeSplit {
  int64_t pes = 0;
  int64_t p_k = 1;
  int64_t p_n = 1;
  int64_t k_pe = 0;  // ceil(k / p_k): rows owned by a full PE
  int64_t n_pe = 0;  // ceil(n / p_n)
};

// Picks P_K x P_N minimising the busiest PE's tile ceil(k/P_K)*ceil(n/P_N); among equals, the
// largest P_N (fewer partial sums to add inside the channel).
PeSplit split_over_pes(int64_t k, int64_t n, int64_t pes);

struct ChannelBlock {
  int64_t gemm = 0;        // which of the channel's GEMMs (batched GEMMs run one after another)
  int64_t m0 = 0, m_len = 0;
  int64_t k0 = 0, k_len = 0;
  int64_t n0 = 0, n_len = 0;
  int64_t input_piece = 0;          // index of the scattered input piece this block reads
  int64_t scatter_bytes = 0;        // > 0: this block's piece is new and must be scattered first
  int64_t input_release_bytes = 0;  // input buffer bytes freed once this block is computed
  bool opens_output = false;        // first k-block of an output tile: needs output buffer room
  int64_t output_bytes_per_pe = 0;  // partial sums the busiest PE holds for this output tile
  int64_t load_bytes = 0;           // > 0: this block completes an output tile, loaded after it
};

struct PeWork {
  int64_t k_elems = 0;  // rows of its weight sub-tile in this block
  int64_t n_elems = 0;
  int64_t weight_bytes = 0;
  double macs = 0;
};

struct ChannelPlan {
  GemmShape tile;          // batch = GEMMs run by this channel; m, k, n of one GEMM's tile
  int64_t element_bytes = 2;
  PeSplit split;
  bool buffers_enforced = true;
  bool input_resident = false;  // an m-block's inputs stay in the buffer across n-blocks
  int64_t m_block = 0, k_block = 0, n_block = 0;
  int64_t input_capacity_bytes = 0;         // per channel (input global buffer)
  int64_t output_capacity_bytes_per_pe = 0;
  double estimated_ns = 0;                  // the planner's estimate for the chosen blocks
  // `ideal` fidelity only: HB bytes charged per MAC (the artifact's 1/AI, activations included).
  double charged_hb_bytes_per_mac = 0;
  std::vector<ChannelBlock> blocks;

  PeWork pe_work(const ChannelBlock& b, int64_t pe) const;  // pe = i_k * p_n + i_n
  int64_t total_scatter_bytes() const;
  int64_t total_load_bytes() const;
  int64_t total_weight_bytes() const;  // summed over PEs and blocks (re-reads included)
};

// Plans the blocks of a tile for the buffers of `hw`: among block shapes that fit the buffers, the
// one with the smallest estimated time (external transfers, the busiest PE's weight stream and
// MACs, overlapped when two blocks fit, plus the pipeline fill). With `enforce_buffers` false
// (the `ideal` fidelity, like the artifact) each GEMM is one block whatever its size.
ChannelPlan plan_channel(const HardwareConfig& hw, const GemmShape& tile, bool enforce_buffers);

}  // namespace h2sim

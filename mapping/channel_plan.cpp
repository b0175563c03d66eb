#include "mapping/channel_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "config/errors.hpp"
#include "mapping/tiling.hpp"

namespace h2sim {

PeSplit split_over_pes(int64_t k, int64_t n, int64_t pes) {
  PeSplit best;
  int64_t best_tile = std::numeric_limits<int64_t>::max();
  for (int64_t p_k : divisors(pes)) {
    int64_t p_n = pes / p_k;
    int64_t tile = ceil_div(k, p_k) * ceil_div(n, p_n);
    if (tile < best_tile || (tile == best_tile && p_n > best.p_n)) {
      best_tile = tile;
      best = PeSplit{pes, p_k, p_n, ceil_div(k, p_k), ceil_div(n, p_n)};
    }
  }
  return best;
}

namespace {
int64_t clip_len(int64_t owned, int64_t start, int64_t len) {
  return std::clamp<int64_t>(owned - start, 0, len);
}
int64_t owned(int64_t total, int64_t per, int64_t index) {
  return std::clamp<int64_t>(total - index * per, 0, per);
}
}  // namespace

PeWork ChannelPlan::pe_work(const ChannelBlock& b, int64_t pe) const {
  const int64_t i_k = pe / split.p_n;
  const int64_t i_n = pe % split.p_n;
  PeWork w;
  w.k_elems = clip_len(owned(tile.k, split.k_pe, i_k), b.k0, b.k_len);
  w.n_elems = clip_len(owned(tile.n, split.n_pe, i_n), b.n0, b.n_len);
  w.weight_bytes = w.k_elems * w.n_elems * element_bytes;
  w.macs = double(b.m_len) * double(w.k_elems) * double(w.n_elems);
  return w;
}

int64_t ChannelPlan::total_scatter_bytes() const {
  int64_t s = 0;
  for (const auto& b : blocks) s += b.scatter_bytes;
  return s;
}
int64_t ChannelPlan::total_load_bytes() const {
  int64_t s = 0;
  for (const auto& b : blocks) s += b.load_bytes;
  return s;
}
int64_t ChannelPlan::total_weight_bytes() const {
  int64_t s = 0;
  for (const auto& b : blocks) {
    for (int64_t pe = 0; pe < split.pes; ++pe) s += pe_work(b, pe).weight_bytes;
  }
  return s;
}

namespace {

// A plan is simulated block by block, and each PE's share chunk by chunk (a job per block and PE,
// a chunk per half weight buffer of streamed weights, ~50 B each in memory): that count is the
// simulator's memory and time. 2^21 per channel is ~0.1 GiB and under a minute of simulation per
// channel; GEMMs beyond it are for the analytic fidelity.
constexpr double kMaxPeWorkItemsPerChannel = double(int64_t(1) << 21);

void check_plan_size(const HardwareConfig& hw, const GemmShape& tile, int64_t m_blocks, int64_t blocks_per_gemm,
                     bool one_chunk_per_job) {
  const double g = double(tile.batch);
  const double jobs = g * double(blocks_per_gemm) * double(hw.pes_per_channel());
  // Every m-block streams the whole weight tile again, half a weight buffer per chunk.
  const double chunks = one_chunk_per_job ? 0.0
                                          : g * double(m_blocks) * double(tile.k) * double(tile.n) *
                                                double(hw.element_bytes) /
                                                double(std::max<int64_t>(hw.buffers.weight_buffer_bytes / 2, 1));
  if (jobs + chunks > kMaxPeWorkItemsPerChannel) {
    throw InputError(fmt::format(
        "design '{}': a channel's tile {} would be simulated as {:.3g} PE jobs and weight chunks, above the limit of "
        "{:.3g} per channel (the simulator's memory and time grow with it); use --fidelity analytic for GEMMs this "
        "large, or a smaller batch or M",
        hw.name, tile.to_string(), jobs + chunks, kMaxPeWorkItemsPerChannel));
  }
}

// Bytes of the k-range [k0, k0+k_len) summed over the P_K PE rows (what one input block holds
// per input row), and likewise for n.
int64_t k_elems_over_pes(const GemmShape& t, const PeSplit& s, int64_t k0, int64_t k_len) {
  int64_t sum = 0;
  for (int64_t i = 0; i < s.p_k; ++i) sum += clip_len(owned(t.k, s.k_pe, i), k0, k_len);
  return sum;
}
int64_t n_elems_over_pes(const GemmShape& t, const PeSplit& s, int64_t n0, int64_t n_len) {
  int64_t sum = 0;
  for (int64_t i = 0; i < s.p_n; ++i) sum += clip_len(owned(t.n, s.n_pe, i), n0, n_len);
  return sum;
}

struct BlockShape {
  int64_t m_b = 0, k_b = 0, n_b = 0;
};

void emit_blocks(ChannelPlan& plan) {
  const auto& t = plan.tile;
  const auto& s = plan.split;
  const int64_t e = plan.element_bytes;
  int64_t piece = -1;
  for (int64_t g = 0; g < t.batch; ++g) {
    for (int64_t m0 = 0; m0 < t.m; m0 += plan.m_block) {
      const int64_t m_len = std::min(plan.m_block, t.m - m0);
      const int64_t first_piece_of_m_block = piece + 1;
      const int64_t n_blocks = ceil_div(s.n_pe, plan.n_block);
      for (int64_t nb = 0; nb < n_blocks; ++nb) {
        const int64_t n0 = nb * plan.n_block;
        const int64_t n_len = std::min(plan.n_block, s.n_pe - n0);
        for (int64_t k0 = 0, kb = 0; k0 < s.k_pe; k0 += plan.k_block, ++kb) {
          ChannelBlock b;
          b.gemm = g;
          b.m0 = m0, b.m_len = m_len;
          b.k0 = k0, b.k_len = std::min(plan.k_block, s.k_pe - k0);
          b.n0 = n0, b.n_len = n_len;
          const int64_t piece_bytes = m_len * k_elems_over_pes(t, s, k0, b.k_len) * e;
          if (plan.input_resident && nb > 0) {
            b.input_piece = first_piece_of_m_block + kb;  // reuse the piece scattered for nb = 0
          } else {
            b.input_piece = ++piece;
            b.scatter_bytes = piece_bytes;
          }
          if (!plan.input_resident || nb + 1 == n_blocks) b.input_release_bytes = piece_bytes;
          b.opens_output = k0 == 0;
          b.output_bytes_per_pe = m_len * n_len * e;
          if (k0 + b.k_len >= s.k_pe) b.load_bytes = m_len * n_elems_over_pes(t, s, n0, n_len) * e;
          plan.blocks.push_back(b);
        }
      }
    }
  }
}

// Halvings of `full` down to `floor_elems` (always including `full` itself).
std::vector<int64_t> halvings(int64_t full, int64_t floor_elems) {
  std::vector<int64_t> out{full};
  for (int64_t v = ceil_div(full, 2); v >= floor_elems && v < out.back(); v = ceil_div(v, 2)) {
    out.push_back(v);
  }
  return out;
}

}  // namespace

ChannelPlan plan_channel(const HardwareConfig& hw, const GemmShape& tile, bool enforce_buffers) {
  validate_gemm_shape(tile, "channel tile");
  ChannelPlan plan;
  plan.tile = tile;
  plan.element_bytes = hw.element_bytes;
  plan.split = split_over_pes(tile.k, tile.n, hw.pes_per_channel());
  plan.buffers_enforced = enforce_buffers;
  const int64_t e = hw.element_bytes;

  if (!enforce_buffers) {
    const auto& s = plan.split;
    plan.m_block = tile.m, plan.k_block = s.k_pe, plan.n_block = s.n_pe;
    plan.input_resident = true;
    plan.input_capacity_bytes = tile.m * tile.k * e;
    plan.output_capacity_bytes_per_pe = tile.m * s.n_pe * e;
    check_plan_size(hw, tile, 1, 1, true);
    emit_blocks(plan);
    return plan;
  }

  const int64_t in_cap = hw.buffers.input_buffer_bytes;
  const int64_t out_cap = hw.output_buffer_bytes_per_pe();
  plan.input_capacity_bytes = in_cap;
  plan.output_capacity_bytes_per_pe = out_cap;
  const double ext = hw.external_bandwidth_bytes_per_s;
  const double hb = hw.pe.hb_bandwidth_bytes_per_s;
  const double pe_rate = hw.pe.macs_per_s();
  // A few PE cycles per block: a tie-breaker that keeps the planner from needlessly tiny blocks.
  const double per_block_s = 4.0 / hw.pe.frequency_hz;
  // Smallest k-block worth pipelining: one DRAM burst of weights per PE column.
  const int64_t min_k_block = std::max<int64_t>(1, hw.burst_bytes / e);
  const double g = double(tile.batch);

  // The PE grid and the block shape are chosen together: a grid that balances the MACs best may
  // leave each PE too many output columns for its share of the output buffer.
  BlockShape best;
  PeSplit best_split;
  double best_s = std::numeric_limits<double>::infinity();
  int64_t best_blocks = 0;
  bool best_resident = false;
  int64_t splits_over_bank = 0;
  for (int64_t p_k : divisors(hw.pes_per_channel())) {
    const int64_t p_n = hw.pes_per_channel() / p_k;
    const PeSplit sp{hw.pes_per_channel(), p_k, p_n, ceil_div(tile.k, p_k), ceil_div(tile.n, p_n)};
    // Each PE reads its weights from its own bank: its share of every GEMM must fit there.
    if (g * double(sp.k_pe) * double(sp.n_pe) * double(e) > double(hw.bank_capacity_bytes)) {
      ++splits_over_bank;
      continue;
    }
    // Every distinct m-block size ceil(M / parts), largest first, jumping straight to the next
    // value (about 2 sqrt(M) of them, not M: M reaches 2^30).
    for (int64_t parts = 1, m_b = tile.m; parts <= tile.m;
         parts = m_b > 1 ? ceil_div(tile.m, m_b - 1) : tile.m + 1, m_b = ceil_div(tile.m, std::min(parts, tile.m))) {
      const int64_t n_max = std::min(sp.n_pe, out_cap / (m_b * e));
      const int64_t k_max = std::min(sp.k_pe, in_cap / (m_b * sp.p_k * e));
      if (n_max < 1 || k_max < 1) continue;
      const bool resident = m_b * tile.k * e <= in_cap;
      for (int64_t n_b : halvings(n_max, 1)) {
        for (int64_t k_b : halvings(k_max, std::min(k_max, min_k_block))) {
          const int64_t m_blocks = ceil_div(tile.m, m_b);
          const int64_t n_blocks = ceil_div(sp.n_pe, n_b);
          const int64_t k_blocks = ceil_div(sp.k_pe, k_b);
          const int64_t blocks = m_blocks * n_blocks * k_blocks;
          const int64_t out_tiles = m_blocks * n_blocks;
          const double scatter_s = g * double(tile.m) * double(tile.k) * e * (resident ? 1 : n_blocks) / ext;
          const double load_s = g * double(tile.m) * double(tile.n) * e / ext;
          // Every m-block streams all the PE's weights again; a short last m-block can be
          // bound by that stream even when the full ones are bound by MACs.
          const double weights_s = double(sp.k_pe) * sp.n_pe * e / hb;
          const auto m_block_s = [&](int64_t rows) { return std::max(weights_s, double(rows) * sp.k_pe * sp.n_pe / pe_rate); };
          const int64_t m_rest = tile.m % m_b;
          const double pe_s = g * (double(tile.m / m_b) * m_block_s(m_b) + (m_rest > 0 ? m_block_s(m_rest) : 0.0));
          // Scatter overlaps compute when a second input piece fits; loads overlap when a
          // second output tile fits (or there is only one). What cannot overlap adds up.
          const bool in_overlap = k_blocks * m_blocks * n_blocks > 1 && 2 * m_b * k_b * sp.p_k * e <= in_cap;
          const bool out_overlap = out_tiles == 1 || 2 * m_b * n_b * e <= out_cap;
          // What sticks out of the pipeline: the first input piece and the last output tile.
          const double first_scatter_s = in_overlap ? double(m_b * k_b * sp.p_k * e) / ext : 0;
          const double last_load_s = out_overlap ? double(m_b * n_b * sp.p_n * e) / ext : 0;
          const double overlapped = (in_overlap ? scatter_s - first_scatter_s : 0) + (out_overlap ? load_s - last_load_s : 0);
          const double serial = (in_overlap ? first_scatter_s : scatter_s) + (out_overlap ? last_load_s : load_s);
          const double estimate = serial + std::max(overlapped, pe_s) + g * double(blocks) * per_block_s;
          if (estimate < best_s * (1 - 1e-9) || (estimate <= best_s * (1 + 1e-9) && blocks < best_blocks)) {
            best = BlockShape{m_b, k_b, n_b};
            best_split = sp;
            best_s = estimate;
            best_blocks = blocks;
            best_resident = resident;
          }
        }
      }
    }
  }
  if (best.m_b == 0 && splits_over_bank == int64_t(divisors(hw.pes_per_channel()).size())) {
    throw InputError(fmt::format(
        "design '{}': the weights of a {} tile do not fit the PEs' banks: every PE grid leaves some PE more than "
        "its bank's {} B (at best {:.0f} B per PE); reduce --batch, --k or --n",
        hw.name, tile.to_string(), hw.bank_capacity_bytes, [&] {
          double least = std::numeric_limits<double>::infinity();
          for (int64_t p_k : divisors(hw.pes_per_channel())) {
            const int64_t p_n = hw.pes_per_channel() / p_k;
            least = std::min(least, g * double(ceil_div(tile.k, p_k)) * double(ceil_div(tile.n, p_n)) * double(e));
          }
          return least;
        }()));
  }
  if (best.m_b == 0) {
    throw InputError(fmt::format(
        "design '{}': buffers too small for one row of a {} tile (input {} B, output {} B per PE)",
        hw.name, tile.to_string(), in_cap, out_cap));
  }
  plan.split = best_split;
  plan.m_block = best.m_b, plan.k_block = best.k_b, plan.n_block = best.n_b;
  plan.input_resident = best_resident;
  plan.estimated_ns = best_s * 1e9;
  check_plan_size(hw, tile, ceil_div(tile.m, best.m_b), best_blocks, false);
  emit_blocks(plan);
  return plan;
}

}  // namespace h2sim

#pragma once
// Inter-channel partition of a GEMM over NMP channels (reference §4, paper §4.2).
//
// M is never split (no weight duplication). K is split T_K ways and N T_N ways with
// T_K * T_N = C; each channel receives an M x K/T_K input slice (scatter), multiplies it with its
// K/T_K x N/T_N weight tile and returns an M x N/T_N partial sum (load); the T_K partials of one
// output tile are reduced outside the channels (on the NPU).
#include <cstdint>
#include <vector>

#include "mapping/gemm.hpp"

namespace h2sim {

struct InterChannelTiling {
  int64_t channels = 0;             // NMP channels available to the whole batched GEMM
  int64_t channels_per_gemm = 0;    // C' : channels one GEMM of the batch is spread over
  int64_t gemms_per_channel = 0;    // GEMMs of the batch each channel runs one after another
  int64_t t_k = 1;
  int64_t t_n = 1;
  double t_k_closed_form = 1;       // sqrt(C'*K*B_l/(N*B_s)) before rounding
  GemmShape per_channel;            // batch = gemms_per_channel, m, ceil(K/T_K), ceil(N/T_N)
};

// Divisors of c in increasing order.
std::vector<int64_t> divisors(int64_t c);

// Minimises s*M*(K/(T_K*B_s) + N/(T_N*B_l)) in closed form, T_K = sqrt(C*K*B_l/(N*B_s)),
// rounded to the divisor of C closest to it (ties go to the smaller T_K: fewer partial sums).
// Batched rules: B > C: one channel per GEMM, ceil(B/C) GEMMs per channel; 1 < B <= C:
// G = gcd(B, C), C/G channels per GEMM, B/G GEMMs per channel; B = 1: all C channels.
InterChannelTiling tile_across_channels(const GemmShape& shape, int64_t channels,
                                        double scatter_bytes_per_s, double load_bytes_per_s);

}  // namespace h2sim

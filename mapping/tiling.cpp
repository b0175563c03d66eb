#include "mapping/tiling.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numeric>

#include "config/errors.hpp"

namespace h2sim {

std::string GemmShape::to_string() const {
  return batch == 1 ? fmt::format("{} x {} x {}", m, k, n)
                    : fmt::format("{} x ({} x {} x {})", batch, m, k, n);
}

void validate_gemm_shape(const GemmShape& s, const std::string& origin) {
  auto check = [&](int64_t v, const char* name) {
    if (v <= 0) throw InputError(fmt::format("{}: GEMM dimension {} must be at least 1, found {}", origin, name, v));
  };
  check(s.batch, "batch");
  check(s.m, "m");
  check(s.k, "k");
  check(s.n, "n");
  auto bound = [&](int64_t v, const char* name) {
    if (v > kMaxGemmDimension) {
      throw InputError(fmt::format("{}: GEMM dimension {} is {}, above the supported maximum of {} (2^30)", origin,
                                   name, v, kMaxGemmDimension));
    }
  };
  bound(s.batch, "batch");
  bound(s.m, "m");
  bound(s.k, "k");
  bound(s.n, "n");
}

std::vector<int64_t> divisors(int64_t c) {
  std::vector<int64_t> out;
  for (int64_t d = 1; d <= c; ++d) {
    if (c % d == 0) out.push_back(d);
  }
  return out;
}

InterChannelTiling tile_across_channels(const GemmShape& shape, int64_t channels,
                                        double scatter_bytes_per_s, double load_bytes_per_s) {
  validate_gemm_shape(shape, "tiling");
  if (channels <= 0) throw InternalError("tile_across_channels: no NMP channels to tile over");
  InterChannelTiling t;
  t.channels = channels;
  if (shape.batch > channels) {
    t.channels_per_gemm = 1;
    t.gemms_per_channel = ceil_div(shape.batch, channels);
  } else if (shape.batch > 1) {
    int64_t g = std::gcd(shape.batch, channels);
    t.channels_per_gemm = channels / g;
    t.gemms_per_channel = shape.batch / g;
  } else {
    t.channels_per_gemm = channels;
    t.gemms_per_channel = 1;
  }
  const int64_t c = t.channels_per_gemm;
  t.t_k_closed_form = std::sqrt(double(c) * double(shape.k) * load_bytes_per_s /
                                (double(shape.n) * scatter_bytes_per_s));
  int64_t best = 1;
  double best_distance = INFINITY;
  for (int64_t d : divisors(c)) {
    double distance = std::fabs(double(d) - t.t_k_closed_form);
    if (distance < best_distance - 1e-12) {
      best = d;
      best_distance = distance;
    }
  }
  t.t_k = best;
  t.t_n = c / best;
  t.per_channel = GemmShape{t.gemms_per_channel, shape.m, ceil_div(shape.k, t.t_k), ceil_div(shape.n, t.t_n)};
  return t;
}

}  // namespace h2sim

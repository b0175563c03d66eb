#pragma once
// A (batched) GEMM: `batch` independent products (m x k) . (k x n).
// In decode, m is batch*tokens for FC layers; for attention, batch is kv_heads*batch (reference §3).
#include <cstdint>
#include <string>

namespace h2sim {

struct GemmShape {
  int64_t batch = 1;
  int64_t m = 0;
  int64_t k = 0;
  int64_t n = 0;

  double macs() const { return double(batch) * double(m) * double(k) * double(n); }
  std::string to_string() const;
};

// The largest GEMM dimension: far beyond any LLM layer (hidden sizes are ~1e4, tokens x batch
// ~1e5), and small enough that products of two dimensions stay exact in int64 and the capacity
// checks' doubles.
inline constexpr int64_t kMaxGemmDimension = int64_t(1) << 30;

// Rejects non-positive dimensions, and dimensions above kMaxGemmDimension, with an InputError
// naming the flag or key `origin`.
void validate_gemm_shape(const GemmShape& shape, const std::string& origin);

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace h2sim

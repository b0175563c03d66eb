#pragma once
// The analytic (roofline) latency model of the H2-LLM artifact, reference §5.
//
// It is kept formula for formula so that h2sim's `analytic` fidelity reproduces the artifact's
// numbers; its simplifications are listed in docs/fidelity.md. One quirk is deliberate: the
// artifact divides transfer bytes by 2^30 * 12.8 (GiB/s) while every other rate is decimal, so
// external transfers come out 7.4% faster than the physical 12.8e9 B/s.
#include "config/hardware_config.hpp"
#include "mapping/gemm.hpp"
#include "mapping/tiling.hpp"

namespace h2sim {

// Bytes per second that the artifact's formulas use for the external interface (GiB units).
double artifact_transfer_bytes_per_s(const HardwareConfig& hw);

// Arithmetic intensity in MACs per byte: m*k*n / (e*(m*k + k*n)).
double arithmetic_intensity(const GemmShape& per_gemm, int64_t element_bytes);

struct NmpRooflineEstimate {
  InterChannelTiling tiling;
  double channel_macs_per_s = 0;     // C_ch
  double channel_hb_bytes_per_s = 0; // BW_ch
  double intensity_macs_per_byte = 0;
  double rate_macs_per_s = 0;        // min(C_ch, BW_ch * AI)
  bool compute_bound = false;
  // Per GEMM on one channel, then times gemms_per_channel for the totals.
  double scatter_ns = 0;
  double compute_ns = 0;
  double load_ns = 0;
  double latency_ns = 0;             // (scatter + compute + load) * gemms_per_channel
};

// A GEMM on `nmp_channels` NMP channels of `hw` (all of them if 0). With
// `artifact_transfer_units` false, transfers use the wire's real rate (12.8e9 B/s) instead of
// the artifact's GiB-based one: the serialized roofline a physical chip could actually reach.
NmpRooflineEstimate estimate_nmp_gemm(const HardwareConfig& hw, const GemmShape& shape,
                                      int64_t nmp_channels = 0, bool artifact_transfer_units = true);

struct NpuRooflineEstimate {
  int64_t channels_holding_data = 0;
  double bandwidth_bytes_per_s = 0;  // efficiency * external * channels
  double compute_macs_per_s = 0;     // efficiency * peak
  double intensity_macs_per_byte = 0;
  double rate_macs_per_s = 0;
  bool compute_bound = false;
  double latency_ns = 0;
};

// A GEMM on the NPU whose operands stream from `channels_holding_data` channels.
NpuRooflineEstimate estimate_npu_gemm(const HardwareConfig& hw, const GemmShape& shape,
                                      int64_t channels_holding_data);

}  // namespace h2sim

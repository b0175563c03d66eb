#include "mapping/roofline.hpp"

#include <algorithm>

#include "config/errors.hpp"

namespace h2sim {

double artifact_transfer_bytes_per_s(const HardwareConfig& hw) {
  return hw.external_bandwidth_bytes_per_s / 1e9 * double(1ULL << 30);
}

double arithmetic_intensity(const GemmShape& g, int64_t e) {
  double mk = double(g.m) * double(g.k);
  double kn = double(g.k) * double(g.n);
  return mk * double(g.n) / (double(e) * (mk + kn));
}

NmpRooflineEstimate estimate_nmp_gemm(const HardwareConfig& hw, const GemmShape& shape,
                                      int64_t nmp_channels, bool artifact_transfer_units) {
  if (nmp_channels == 0) nmp_channels = hw.nmp_channels;
  if (nmp_channels <= 0 || nmp_channels > hw.nmp_channels) {
    throw InputError("an NMP GEMM needs NMP channels, but the design '" + hw.name + "' has " +
                     std::to_string(hw.nmp_channels));
  }
  NmpRooflineEstimate r;
  const double link = artifact_transfer_units ? artifact_transfer_bytes_per_s(hw) : hw.external_bandwidth_bytes_per_s;
  r.tiling = tile_across_channels(shape, nmp_channels, link, link);
  const GemmShape one{1, r.tiling.per_channel.m, r.tiling.per_channel.k, r.tiling.per_channel.n};
  r.channel_macs_per_s = hw.pe.macs_per_s() * double(hw.pes_per_channel());
  r.channel_hb_bytes_per_s = hw.pe.hb_bandwidth_bytes_per_s * double(hw.pes_per_channel());
  r.intensity_macs_per_byte = arithmetic_intensity(one, hw.element_bytes);
  r.rate_macs_per_s = std::min(r.channel_macs_per_s, r.channel_hb_bytes_per_s * r.intensity_macs_per_byte);
  r.compute_bound = r.channel_macs_per_s <= r.channel_hb_bytes_per_s * r.intensity_macs_per_byte;
  const double e = double(hw.element_bytes);
  const double g = double(r.tiling.gemms_per_channel);
  r.scatter_ns = g * e * double(one.m) * double(one.k) / link * 1e9;
  r.compute_ns = g * one.macs() / r.rate_macs_per_s * 1e9;
  r.load_ns = g * e * double(one.m) * double(one.n) / link * 1e9;
  r.latency_ns = r.scatter_ns + r.compute_ns + r.load_ns;
  return r;
}

NpuRooflineEstimate estimate_npu_gemm(const HardwareConfig& hw, const GemmShape& shape,
                                      int64_t channels_holding_data) {
  if (channels_holding_data <= 0 || channels_holding_data > hw.channels) {
    throw InternalError("estimate_npu_gemm: channels holding data out of range");
  }
  NpuRooflineEstimate r;
  r.channels_holding_data = channels_holding_data;
  r.bandwidth_bytes_per_s = hw.npu.bandwidth_efficiency * hw.external_bandwidth_bytes_per_s *
                            double(channels_holding_data);
  r.compute_macs_per_s = hw.npu.compute_efficiency * hw.npu.peak_macs_per_s;
  const GemmShape one{1, shape.m, shape.k, shape.n};
  r.intensity_macs_per_byte = arithmetic_intensity(one, hw.element_bytes);
  r.rate_macs_per_s = std::min(r.compute_macs_per_s, r.bandwidth_bytes_per_s * r.intensity_macs_per_byte);
  r.compute_bound = r.compute_macs_per_s <= r.bandwidth_bytes_per_s * r.intensity_macs_per_byte;
  r.latency_ns = shape.macs() / r.rate_macs_per_s * 1e9;
  return r;
}

}  // namespace h2sim

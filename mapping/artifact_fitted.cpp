#include "mapping/artifact_fitted.hpp"

#include <cmath>

namespace h2sim {

double artifact_fitted_nmp_utilization(const PeConfig& pe, int64_t batch) {
  // The artifact compares its tuple exactly (fpu_num_per_pe == 1, pe_frequency == 1000 MHz,
  // pe_bandwidth == 6.4 GB/s); h2sim holds Hz and B/s as doubles, so compare in the artifact's
  // units with a tolerance far below any real difference. (The artifact's SIMD width is 16 for
  // every design; it is not part of its test.)
  auto is = [](double v, double want) { return std::fabs(v - want) < 1e-9 * want; };
  if (pe.fpus_per_pe != 1 || !is(pe.hb_bandwidth_bytes_per_s / 1e9, 6.4)) return 1.0;
  const double mhz = pe.frequency_hz / 1e6;
  if (is(mhz, 1000)) {  // ID-NMP+
    if (batch == 1) return 0.71;
    if (batch == 4) return 0.45;
    if (batch == 16) return 0.52;
  } else if (is(mhz, 200)) {  // ID-NMP
    if (batch == 1) return 0.46;
    if (batch == 4) return 0.71;
    if (batch == 16) return 0.83;
  }
  return 1.0;
}

}  // namespace h2sim

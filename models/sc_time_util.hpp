#pragma once
// Conversions between h2sim's base units and SystemC time. The kernel resolution is 1 ps, so a
// duration is rounded to the nearest picosecond (far below any DRAM or PE cycle).
#include <systemc>

#include <cmath>
#include <cstdint>

namespace h2sim {

inline sc_core::sc_time seconds_to_time(double s) { return sc_core::sc_time(s * 1e12, sc_core::SC_PS); }
inline double time_to_ns(const sc_core::sc_time& t) { return t.to_seconds() * 1e9; }
inline int64_t time_to_ps(const sc_core::sc_time& t) {
  return int64_t(t.value() / sc_core::sc_time(1, sc_core::SC_PS).value());
}
inline sc_core::sc_time transfer_time(int64_t bytes, double bytes_per_s) {
  return seconds_to_time(double(bytes) / bytes_per_s);
}
// Blocks the calling thread until absolute time `t` (no-op if it has passed).
inline void wait_until(const sc_core::sc_time& t) {
  if (t > sc_core::sc_time_stamp()) sc_core::wait(t - sc_core::sc_time_stamp());
}

}  // namespace h2sim

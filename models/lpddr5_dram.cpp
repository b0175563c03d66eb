#include "models/lpddr5_dram.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "models/sc_time_util.hpp"

namespace h2sim {

namespace {
int64_t now_ps() { return std::llround(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_PS)); }
sc_core::sc_time ps_time(int64_t ps) { return sc_core::sc_time(double(ps), sc_core::SC_PS); }
}  // namespace

Lpddr5Dram::Lpddr5Dram(sc_core::sc_module_name name, const HardwareConfig& hw, const DramStandard& standard,
                       bool nmp_channel)
    : sc_core::sc_module(name), engine_(standard, hw, nmp_channel) {}

void Lpddr5Dram::hb_read(int bank, int64_t row, int64_t bytes, bool stream_continues) {
  if (bytes <= 0) return;
  ++port_stats_.in_flight;
  const int64_t row_bytes = engine_.standard().row_bytes;
  int64_t done_ps = 0;
  for (int64_t left = bytes, r = row; left > 0; ++r) {
    const int64_t chunk = std::min(left, row_bytes);
    HbReadResult res = engine_.hb_read(bank, r, chunk, now_ps(), left > chunk || stream_continues);
    done_ps = std::max(done_ps, res.data_done_ps);
    left -= chunk;
    if (left > 0) wait_until(ps_time(res.next_request_ps));
  }
  port_stats_.hb_bytes += bytes;
  wait_until(ps_time(done_ps));
  --port_stats_.in_flight;
}

void Lpddr5Dram::pim_stream(int64_t row, int64_t bytes_per_bank, int64_t pe_interval_ps) {
  if (bytes_per_bank <= 0) return;
  ++port_stats_.in_flight;
  // One call: in PIM mode the host's controller runs the lockstep stream and serves no normal
  // request to these banks in between (GDDR6-AiM's controller, in-die-pim.md 1.3).
  const int64_t done_ps = engine_.pim_stream(row, bytes_per_bank, pe_interval_ps, now_ps());
  port_stats_.hb_bytes += bytes_per_bank * int64_t(engine_.standard().banks());
  wait_until(ps_time(done_ps));
  --port_stats_.in_flight;
}

void Lpddr5Dram::external_access(DramAccess kind, int64_t address, int64_t bytes) {
  if (bytes <= 0) return;
  ++port_stats_.in_flight;
  const int64_t done_ps = engine_.complete_external(kind, address, bytes, now_ps());
  port_stats_.external_bytes += bytes;
  wait_until(ps_time(done_ps));
  --port_stats_.in_flight;
}

}  // namespace h2sim

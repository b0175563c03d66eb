#pragma once
// DRAM as fixed-bandwidth pipes: each bank's hybrid-bonded port streams at the per-PE bandwidth,
// the external interface at its peak, with no command timing. The `ideal` fidelity uses it (as the
// artifact's roofline does); the cycle-level LPDDR5 model replaces it behind DramChannelPort.
#include <systemc>

#include <vector>

#include "models/dram_port.hpp"

namespace h2sim {

class BandwidthPipeDram : public sc_core::sc_module, public DramChannelPort {
 public:
  BandwidthPipeDram(sc_core::sc_module_name name, int banks, double hb_bytes_per_s, double external_bytes_per_s,
                    int64_t burst_bytes = 32);

  void hb_read(int bank, int64_t row, int64_t bytes, bool stream_continues) override;
  // Every bank's port streams its bytes at the per-PE bandwidth, each burst no faster than the
  // PEs compute it; all banks start together (lockstep).
  void pim_stream(int64_t row, int64_t bytes_per_bank, int64_t pe_interval_ps) override;
  void external_access(DramAccess kind, int64_t address, int64_t bytes) override;
  DramPortStats port_stats() const override { return stats_; }

 private:
  double hb_bytes_per_s_;
  double external_bytes_per_s_;
  int64_t burst_bytes_;
  std::vector<sc_core::sc_time> bank_free_at_;  // one port per bank, first come first served
  sc_core::sc_time external_free_at_;
  DramPortStats stats_;
};

}  // namespace h2sim

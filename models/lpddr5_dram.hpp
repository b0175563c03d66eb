#pragma once
// The cycle-level LPDDR5 channel behind DramChannelPort: a thin SystemC adapter over the plain
// C++ engine (models/dram/lpddr5_channel.hpp). Each call asks the engine when the data will have
// moved and waits until then; the engine keeps every bank, bus and refresh constraint.
//
// hb_read streams one row per engine request and waits only until the engine says the next row
// may be requested (HbReadResult::next_request_ps), so a PE's stream is pipelined exactly as one
// long request would be, while the external path (and other PEs) can still get a shared bank
// between rows. Concurrent callers are served in the order SystemC runs them.
#include <systemc>

#include "models/dram/dram_standard.hpp"
#include "models/dram/lpddr5_channel.hpp"
#include "models/dram_port.hpp"

namespace h2sim {

struct HardwareConfig;

class Lpddr5Dram : public sc_core::sc_module, public DramChannelPort {
 public:
  // `nmp_channel`: the channel's banks have hybrid-bonded ports (hb_read allowed). Throws
  // InputError if the hardware config and the standard disagree (banks, burst, bandwidth).
  Lpddr5Dram(sc_core::sc_module_name name, const HardwareConfig& hw, const DramStandard& standard,
             bool nmp_channel);

  void hb_read(int bank, int64_t row, int64_t bytes, bool stream_continues) override;
  void pim_stream(int64_t row, int64_t bytes_per_bank, int64_t pe_interval_ps) override;
  void external_access(DramAccess kind, int64_t address, int64_t bytes) override;
  DramPortStats port_stats() const override { return port_stats_; }

  // Command counts, row hits, latencies, bank utilization (for reports and the energy model).
  DramStats dram_stats() const { return engine_.stats(); }
  const Lpddr5Channel& engine() const { return engine_; }
  // Command traces (models/dram/dram_command_observer.hpp): report this channel's commands as
  // `channel`; finish_commands() after the simulation reports its refreshes up to the last data.
  void observe_commands(DramCommandObserver* observer, int channel) { engine_.set_command_observer(observer, channel); }
  void finish_commands() { engine_.finish_commands(engine_.stats().end_ps); }

 private:
  Lpddr5Channel engine_;
  DramPortStats port_stats_;
};

}  // namespace h2sim

#pragma once
// The DRAM behind one channel, as the rest of the chip sees it.
//
// Calls block the calling SC_THREAD until the data has moved, so the caller's time advances by
// exactly what the DRAM model says. Two implementations: BandwidthPipeDram (a fixed-bandwidth
// pipe per bank port and per external interface, used at `ideal` fidelity and as the fallback)
// and the cycle-level LPDDR5 model (bank state machines, command timing, refresh).
#include <cstdint>

namespace h2sim {

enum class DramAccess { read, write };

struct DramPortStats {
  int64_t hb_bytes = 0;        // through the hybrid-bonded bank ports (NMP channels only)
  int64_t external_bytes = 0;  // through the channel's external x16 interface
  int64_t in_flight = 0;       // calls made and not yet returned (0 at the end of every run)
};

class DramChannelPort {
 public:
  virtual ~DramChannelPort() = default;

  // Streams `bytes` of `bank`, starting at the beginning of `row`, through that bank's
  // hybrid-bonded port to its PE (rows are consecutive: bytes beyond one row continue in row+1).
  // `stream_continues`: the PE reads the row after this call's last one next (its job goes on),
  // so the die's controller may open it ahead (hb_port.row_switch ping_pong, prefetch_buffer).
  virtual void hb_read(int bank, int64_t row, int64_t bytes, bool stream_continues) = 0;

  // In-die PIM (nmp_kind in_die): streams `bytes_per_bank` of EVERY bank, from the start of `row`,
  // into the banks' PEs in lockstep, one all-bank MAC command per burst, no closer together than
  // `pe_interval_ps` (the PEs' compute time per burst). hb_bytes counts the bytes of all banks.
  virtual void pim_stream(int64_t row, int64_t bytes_per_bank, int64_t pe_interval_ps) = 0;

  // Moves `bytes` at byte `address` of the channel across its external interface.
  virtual void external_access(DramAccess kind, int64_t address, int64_t bytes) = 0;

  virtual DramPortStats port_stats() const = 0;
};

}  // namespace h2sim

#pragma once
// The external interface of one channel to the SoC (LPDDR5 x16: 12.8 GB/s). Scatter (activations
// into an NMP die), load (partial sums out of it) and NPU traffic share it as one half-duplex
// bus, served first come first served with their real byte counts. NPU reads come out of the
// channel's DRAM: when a DRAM model is attached they take as long as it says (bank timing,
// refresh), holding the bus meanwhile; scatter and load end in the NMP logic die's buffers and
// take bytes / rate.
#include <systemc>

#include <array>
#include <cstdint>
#include <string>

#include "models/dram_port.hpp"
#include "models/span_log.hpp"
#include "models/waveform.hpp"

namespace h2sim {

enum class LinkTraffic { scatter, load, npu_read, npu_write };
inline constexpr int kLinkTrafficKinds = 4;
const char* to_string(LinkTraffic t);

struct LinkRates {
  double transfer_bytes_per_s = 0;  // scatter and load
  double npu_bytes_per_s = 0;       // NPU reads and writes
};

class ExternalLink : public sc_core::sc_module {
 public:
  ExternalLink(sc_core::sc_module_name name, LinkRates rates);

  // NPU reads go through `dram` (nullptr: at the NPU rate). Call before the simulation starts.
  void attach_dram(DramChannelPort* dram, int64_t capacity_bytes) {
    dram_ = dram;
    dram_capacity_bytes_ = capacity_bytes;
  }

  // Blocks the calling SC_THREAD until the transfer is complete. Requests are served in the
  // order they are made; a request made while the bus is busy waits for it (contention).
  void transfer(int64_t bytes, LinkTraffic kind);

  void attach_waveform(Waveform& w);
  // Every transfer becomes a span on `track` of `log` (bus occupancy, not the wait for it).
  void attach_span_log(SpanLog& log, const std::string& track) {
    log_ = &log;
    log_track_ = log.track(track);
  }
  bool routes_npu_to_dram() const { return dram_ != nullptr; }

  int64_t bytes(LinkTraffic kind) const { return bytes_[static_cast<int>(kind)]; }
  sc_core::sc_time busy_time(LinkTraffic kind) const { return busy_[static_cast<int>(kind)]; }
  sc_core::sc_time busy_time() const;
  int64_t transfers() const { return transfers_; }
  // Bytes asked for by callers of transfer() (so far) and bytes whose transfer has completed.
  int64_t requested_bytes() const { return requested_bytes_; }
  int64_t delivered_bytes() const;
  // "" when idle, else what is queued (for the watchdog's stall report).
  std::string pending_work() const;
  const LinkRates& rates() const { return rates_; }

 private:
  LinkRates rates_;
  DramChannelPort* dram_ = nullptr;
  int64_t dram_capacity_bytes_ = 0;
  int64_t npu_address_ = 0;   // NPU reads stream through the channel's address space
  // First come first served: tickets in call order, one transfer on the bus at a time.
  int64_t next_ticket_ = 0;
  int64_t serving_ = 0;
  sc_core::sc_event turn_;
  std::array<int64_t, kLinkTrafficKinds> bytes_{};
  std::array<sc_core::sc_time, kLinkTrafficKinds> busy_{};
  int64_t transfers_ = 0;
  int64_t requested_bytes_ = 0;
  // Traced: a bus that ends one transfer and starts the next in the same instant stays busy.
  int active_ = 0;
  TracedValue<bool> busy_flag_;
  TracedValue<int64_t> bytes_in_flight_;
  // Which traffic holds the bus: scatter, load, NPU (reads and writes).
  std::array<WaveSignal, 3> kind_wave_;
  SpanLog* log_ = nullptr;
  int log_track_ = -1;
};

}  // namespace h2sim

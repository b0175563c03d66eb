#pragma once
// Observing the commands the DRAM engine issues (command traces, waveforms).
//
// Attach an observer to an Lpddr5Channel with set_command_observer(); the engine then reports
// every command it issues on both paths (external x16 interface, hybrid-bonded ports) and the
// refresh commands of its calendar. With no observer attached the engine pays one predictable
// branch per call and per external command.
//
// ORDER. Commands are reported in the order the engine decides them, which is NOT time order:
// the two paths and the banks of the hybrid-bonded path are scheduled call by call, and a call
// may place commands later than those of the next call. Instead the engine announces a horizon:
// after on_horizon(channel, h), no command of that channel will be reported with time_ps < h.
// A consumer that needs time order buffers commands and releases those before the horizon
// (DramCommandSorter below does exactly that, in bounded memory for the engine's call patterns).
// Lpddr5Channel::finish_commands(end_ps) reports the refreshes that started before end_ps and
// sends the final horizon (kDramCommandEnd).
#include <cstddef>
#include <cstdint>
#include <queue>
#include <utility>
#include <vector>

namespace h2sim {

// The two data paths of a channel (see models/dram/lpddr5_channel.hpp).
// `refresh` only labels the refresh calendar's commands reported to an observer.
// `pim`: the in-die PIM stream (nmp_kind in_die), driven by the host over the external command bus.
enum class DramPath { external, hb, refresh, pim };

enum class DramCommandKind : uint8_t {
  act,       // ACT: open `row` in `bank`
  pre,       // PRE (per bank): external, HB row switch, or closing a bank for its REFpb
  pre_all,   // PREab: all banks, before each all-bank refresh
  rd,        // RD: one external read burst (burst_bytes) at `column`
  wr,        // WR: one external write burst at `column`
  rda,       // RDA: RD with auto-precharge (closed page): the bank precharges itself as soon as
             // nRAS and nRTP allow
  wra,       // WRA: WR with auto-precharge: precharge as soon as nRAS and write recovery allow
  ref_all,   // REFab: all banks, blocks them for tRFCab
  ref_bank,  // REFpb: one bank, blocks it for tRFCpb
  hb_rd,     // HB_RD: one column access of hb_port.column_access_bytes through a hybrid-bonded port
  act_all,   // ACTab: in-die PIM, one ganged ACT opening `row` in every bank (in_die.activation all_bank)
  mac_all,   // MACab: in-die PIM, every bank reads one burst at `column` of its open row into its PE
  hb_fill,   // HB_FILL: hb_port.row_switch prefetch_buffer, the open `row` copied into the bank's row latch
             // (the HB_RDs of that row then read the latch)
};
inline constexpr int kDramCommandKinds = 13;

// Trace name of a command: ACT PRE PREab RD WR RDA WRA REFab REFpb HB_RD ACTab MACab HB_FILL.
const char* dram_command_name(DramCommandKind k);

struct DramCommandEvent {
  int64_t time_ps = 0;  // issue time (external commands sit on CK edges; HB_RD may not)
  int64_t cycle = 0;    // memory clock cycle: floor(time_ps / tCK)
  DramCommandKind command = DramCommandKind::act;
  // external, hb or pim; refresh for the refresh calendar's PREab, REFab, REFpb and the PRE that
  // closes a bank for its REFpb.
  DramPath path = DramPath::external;
  int bank = -1;        // channel-wide bank index (bank_group * banks_per_group + bank in group); -1: all banks
  int bank_group = -1;  // -1: all banks
  int64_t row = -1;     // ACT, RD, WR, HB_RD; -1 otherwise
  int64_t column = -1;  // RD, WR, HB_RD: first burst of the access within the row (burst_bytes units); -1 otherwise
};

class DramCommandObserver {
 public:
  virtual ~DramCommandObserver() = default;
  // One command of `channel` (the id given to set_command_observer), in decision order.
  virtual void on_command(int channel, const DramCommandEvent& e) = 0;
  // No command of `channel` reported after this call will have time_ps < horizon_ps.
  virtual void on_horizon(int channel, int64_t horizon_ps) { (void)channel, (void)horizon_ps; }
};

inline constexpr int64_t kDramCommandEnd = INT64_MAX;

// Passes every command and horizon on to several observers (a channel takes one observer:
// --command-trace and --vcd together need both).
class DramCommandFanout : public DramCommandObserver {
 public:
  explicit DramCommandFanout(std::vector<DramCommandObserver*> sinks) : sinks_(std::move(sinks)) {}
  void on_command(int channel, const DramCommandEvent& e) override {
    for (DramCommandObserver* s : sinks_) s->on_command(channel, e);
  }
  void on_horizon(int channel, int64_t horizon_ps) override {
    for (DramCommandObserver* s : sinks_) s->on_horizon(channel, horizon_ps);
  }

 private:
  std::vector<DramCommandObserver*> sinks_;
};

// Puts the commands of each channel in time order (ties: decision order) and passes them on to
// `sink` as soon as the channel's horizon allows. Memory: the commands between a channel's
// horizon and its latest command (one call's worth: a row per hybrid-bonded stream, a few
// commands on the external path).
class DramCommandSorter : public DramCommandObserver {
 public:
  explicit DramCommandSorter(DramCommandObserver& sink) : sink_(sink) {}
  void on_command(int channel, const DramCommandEvent& e) override;
  void on_horizon(int channel, int64_t horizon_ps) override;
  size_t buffered() const;  // commands held back, all channels

 private:
  struct Item {
    DramCommandEvent e;
    uint64_t seq;
    bool operator>(const Item& o) const { return e.time_ps != o.e.time_ps ? e.time_ps > o.e.time_ps : seq > o.seq; }
  };
  using Heap = std::priority_queue<Item, std::vector<Item>, std::greater<Item>>;
  DramCommandObserver& sink_;
  std::vector<Heap> heaps_;  // per channel
  uint64_t seq_ = 0;
};

}  // namespace h2sim

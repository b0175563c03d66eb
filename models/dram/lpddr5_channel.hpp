#pragma once
// Cycle-level timing engine of one LPDDR5 channel, in plain C++ (no SystemC).
//
// Event-driven: for every command it COMPUTES the earliest legal issue time from the bank,
// bank-group, bus, activate-window and refresh constraints, instead of ticking cycles. Times are
// integer picoseconds; external-path commands sit on CK edges.
//
// Two data paths share the banks:
//  - external: the x16 interface (one command bus, one data bus), driven by an FR-FCFS
//    controller over a request queue (run_external / complete_external);
//  - hb (NMP channels): one hybrid-bonded port per bank to its PE, column accesses of
//    `hb_port.column_access_bytes` at the per-PE bandwidth, issued by the logic die (so not on
//    the external command bus), still paying ACT/PRE, nRAS/nRC, tRRD/tFAW and refresh.
//
// Arbitration between paths is first-come-first-served at call granularity: a call sees the
// banks as left by all earlier calls and schedules after them; what a path waits for the other
// on a shared bank is counted (DramPathStats::conflict_wait_ps, conflict_row_switches).
// Calls must come in non-decreasing `now_ps` (SystemC time does); an earlier `now_ps` is taken
// as the latest one seen.
//
// Refresh runs on a fixed calendar: all-bank windows [k*tREFI, +nRPab+tRFCab) for k >= 1, or
// per-bank windows staggered by tREFI/banks. A command is only issued if the refresh that follows
// can still start on time (an ACT leaves nRAS, a RD nRTP, a WR its write recovery), so refresh is
// never postponed and its cost is deterministic.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "models/dram/dram_command_observer.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/dram_port.hpp"  // DramAccess (a plain C++ header)

namespace h2sim {

struct HardwareConfig;

enum class DramCommand { act, pre, rd, wr };

inline constexpr int64_t kDramNever = INT64_MAX / 4;

struct DramAddress {
  int bank = 0;        // channel-wide bank index: bank_group * banks_per_group + bank in group
  int bank_group = 0;
  int64_t row = 0;
  int64_t column = 0;  // burst index within the row
};

// Mixed-radix decoding of a byte address: burst offset, then the fields in the configured order.
class DramAddressMapping {
 public:
  DramAddressMapping(const DramStandard& standard, int64_t rows_per_bank);
  DramAddress decode(int64_t address) const;
  int64_t encode(const DramAddress& a) const;  // first byte of that burst
  int64_t capacity_bytes() const { return capacity_bytes_; }

 private:
  struct Field {
    AddressField kind;
    int64_t radix;
    int shift;  // >= 0 when radix is a power of two (fast path), else -1
  };
  std::vector<Field> fields_;
  int64_t burst_bytes_;
  int burst_shift_;
  int64_t banks_per_group_;
  int64_t capacity_bytes_;
};

struct DramCommandCounts {
  int64_t act = 0;
  int64_t pre = 0;       // per-bank precharges (explicit, auto-precharge and HB row switches)
  int64_t pre_all = 0;   // PREab before each all-bank refresh
  int64_t rd = 0;        // external read bursts
  int64_t wr = 0;        // external write bursts
  int64_t ref_all = 0;   // REFab
  int64_t ref_bank = 0;  // REFpb
  int64_t hb_rd = 0;     // column reads through the hybrid-bonded ports
  int64_t hb_fill = 0;   // hb_port.row_switch prefetch_buffer: whole rows copied into a bank's row latch
  int64_t mac_all = 0;   // in-die PIM: all-bank MAC commands (MACab)
  int64_t act_all = 0;   // in-die PIM: ganged all-bank ACTs (ACTab); per-bank ACTs count in `act`
  int64_t pim_pre_all = 0;  // in-die PIM: PREab closing the banks between rows (not refresh's)

  // Per bank, whatever command did it (energy is per bank): rows opened, bursts read from the
  // arrays (external RD, HB column accesses, one burst of every bank per MACab).
  int64_t bank_activations(int64_t banks) const { return act + act_all * banks; }
  int64_t array_reads(int64_t banks) const { return rd + hb_rd + mac_all * banks; }
  int64_t precharge_commands() const { return pre + pre_all + pim_pre_all; }
};

struct DramPathStats {
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t column_accesses = 0;      // bursts (external) or port accesses (hb)
  int64_t row_hits = 0;             // column accesses whose row was already open (no ACT for them)
  int64_t activates = 0;
  int64_t precharges = 0;
  int64_t reads_timed = 0;          // external: read bursts; hb: hb_read calls
  int64_t read_latency_sum_ps = 0;  // external: queue entry to last data; hb: call to last data
  int64_t read_latency_max_ps = 0;
  int64_t conflict_wait_ps = 0;       // time spent waiting for the other path on a shared bank
  int64_t conflict_row_switches = 0;  // rows closed because the other path had opened them
  int64_t last_data_ps = 0;

  double row_hit_rate() const { return column_accesses ? double(row_hits) / double(column_accesses) : 0.0; }
  double avg_read_latency_ps() const { return reads_timed ? double(read_latency_sum_ps) / double(reads_timed) : 0.0; }
};

// The in-die PIM stream (nmp_kind in_die): what the host's controller did on the command bus.
struct DramPimStats {
  int64_t mac_commands = 0;          // MACab: one burst of every bank into its PE
  int64_t act_commands = 0;          // ACT (per_bank: one per bank) or ACTab (all_bank: one per row)
  int64_t pre_commands = 0;          // PREab closing a row of every bank
  int64_t rows_opened = 0;           // row switches of the whole bank array (one per lockstep row)
  int64_t command_bus_busy_ps = 0;   // one CK per command on the command bus
  int64_t act_window_stall_ps = 0;   // ACTs delayed by nRRD / nFAW beyond their bank's own readiness
  int64_t row_switch_ps = 0;         // exposed: last MAC of a row + interval to the first MAC of the next (refresh waits included)
  int64_t refresh_stall_ps = 0;      // ACTs held for a refresh, or rows split by one (tRFC + nRPab each)
  int64_t compute_paced_ps = 0;      // MAC spacing beyond in_die.mac_interval_ck: the PEs compute slower
  int64_t first_command_ps = -1;     // span of the stream, for the command bus utilization
  int64_t last_command_ps = 0;
  double command_bus_utilization() const {
    const int64_t span = last_command_ps - first_command_ps;
    return first_command_ps >= 0 && span > 0 ? double(command_bus_busy_ps) / double(span) : 0.0;
  }
};

struct DramStats {
  DramCommandCounts commands;
  DramPimStats pim;
  DramPathStats external;
  DramPathStats hb;
  std::vector<int64_t> bank_busy_ps;  // row open + precharging + refreshing, per bank
  int64_t end_ps = 0;                 // last data moved on either path

  double bank_utilization(int bank) const {
    return end_ps > 0 ? double(bank_busy_ps[size_t(bank)]) / double(end_ps) : 0.0;
  }
  double mean_bank_utilization() const;
};

// One burst on the external path.
struct ExternalRequest {
  DramAccess kind = DramAccess::read;
  int64_t address = 0;
  int64_t arrival_ps = 0;  // non-decreasing along a source
};

class ExternalRequestSource {
 public:
  virtual ~ExternalRequestSource() = default;
  virtual bool next(ExternalRequest& out) = 0;  // false when exhausted
};

struct HbReadResult {
  int64_t data_done_ps = 0;     // last byte at the PE
  // Earliest time a follow-on request for the same bank can be placed without losing anything
  // a single longer call would have gained (its PRE may start then): call again at this time to
  // stream row by row and still let the other path in between rows.
  int64_t next_request_ps = 0;
};

class Lpddr5Channel {
 public:
  // `hb_ports`: this channel is hybrid-bonded to an NMP die (hb_read allowed). Throws InputError
  // if the hardware config does not fit the standard (banks, burst size, capacity, bandwidth).
  Lpddr5Channel(const DramStandard& standard, const HardwareConfig& hw, bool hb_ports);

  // --- Single external-path commands (component harness; the scheduler uses the same rules).
  // Earliest legal issue time >= from_ps, or kDramNever if the command is illegal in the bank's
  // state (RD to a closed/other row, ACT to an open bank, PRE to a closed bank).
  int64_t earliest(DramCommand cmd, int bank, int64_t row, int64_t from_ps);
  // Issues at exactly at_ps; InternalError if that is not the earliest legal time >= at_ps.
  // `column` is only reported to a command observer (RD/WR).
  void issue(DramCommand cmd, int bank, int64_t row, int64_t at_ps, int64_t column = 0);

  // --- External path: FR-FCFS over the source's bursts (queue of controller.queue_depth).
  // Returns the time the last data moved (read data delivered / write data written).
  int64_t run_external(ExternalRequestSource& source, int64_t now_ps);
  // Contiguous bytes at `address`, split into bursts, all arriving at now_ps.
  int64_t complete_external(DramAccess kind, int64_t address, int64_t bytes, int64_t now_ps);

  // --- Hybrid-bonded path: `bytes` of `bank` from the start of `row` (continuing in row+1...).
  // Row switches follow hb_port.row_switch (dram_standard.hpp, HbRowSwitch). `continues`: the
  // PE's stream goes on with the row after this call's last one, so the die's controller may open
  // it ahead (ping_pong, prefetch_buffer); without it nothing is opened speculatively.
  HbReadResult hb_read(int bank, int64_t row, int64_t bytes, int64_t now_ps, bool continues = false);
  int64_t complete_hb_read(int bank, int64_t row, int64_t bytes, int64_t now_ps) {
    return hb_read(bank, row, bytes, now_ps).data_done_ps;
  }

  // --- In-die PIM (hw.nmp_kind in_die, channels with NMP): the host's controller streams
  // `bytes_per_bank` of EVERY bank, from the start of `row` on (continuing in row+1...), into the
  // banks' PEs in lockstep: per row a PREab if rows are open, the ACTs (in_die.activation), then
  // one MACab per burst, spaced max(in_die.mac_interval_ck, the PEs' compute time per burst
  // `pe_interval_ps` rounded up to CK). All commands use the external command bus (one CK each).
  // A refresh that falls inside a row closes it; the stream re-opens the row after tRFCab.
  // Returns the time the last burst reached the PEs (the last MACab + hb_port.read_latency_ck).
  int64_t pim_stream(int64_t row, int64_t bytes_per_bank, int64_t pe_interval_ps, int64_t now_ps);
  bool in_die_pim() const { return pim_; }
  int64_t pim_mac_interval_ps() const { return pim_mac_ps_; }

  DramStats stats() const;

  // Histogram of external read latencies (queue entry to last data) in whole CK cycles, rounded
  // up: element i counts reads of i cycles. Off unless enabled (trace replay reports its p99).
  void enable_read_latency_histogram() { latency_hist_on_ = true; }
  const std::vector<int64_t>& read_latency_histogram_ck() const { return latency_hist_ck_; }
  // --- Command observation (models/dram/dram_command_observer.hpp). Every command issued from
  // now on, on both paths, and the refresh calendar's commands are reported to `observer` with
  // `channel` as their channel id; nullptr detaches. Without an observer nothing is recorded.
  void set_command_observer(DramCommandObserver* observer, int channel);
  // Reports the refresh windows that start before end_ps (stats() counts the same ones for
  // end_ps = stats().end_ps) and the final horizon. Call once, after the last request.
  void finish_commands(int64_t end_ps);

  const DramStandard& standard() const { return s_; }
  const DramAddressMapping& mapping() const { return mapping_; }
  int64_t rows_per_bank() const { return rows_per_bank_; }
  int64_t tck_ps() const { return s_.tck_ps; }
  double peak_external_bandwidth_bytes_per_s() const { return s_.peak_bandwidth_bytes_per_s(); }
  double hb_bandwidth_per_bank_bytes_per_s() const { return hb_bandwidth_bytes_per_s_; }
  int64_t hb_access_period_ps() const { return hb_period_ps_; }
  // Start of the refresh window that follows t for `bank` (all banks alike in all-bank mode).
  int64_t next_refresh_ps(int bank, int64_t t) const;
  int64_t refresh_block_ps() const { return ref_block_ps_; }

 private:
  struct Bank {
    int64_t open_row = -1;
    int64_t act_ps = 0;
    int64_t closes_at_ps = kDramNever;  // start of the refresh window that will close open_row
    int64_t next_act_ps = 0;            // nRC after ACT, nRP after PRE, end of refresh
    int64_t next_col_ps = 0;            // nRCD after ACT
    int64_t pre_after_act_ps = 0;       // ACT + nRAS
    int64_t pre_after_col_ps = 0;       // external RD + nRTP / WR data + nWR
    int64_t pre_after_hb_col_ps = 0;    // HB access (or FILL) + nRTP
    int64_t hb_last_col_ps = -kDramNever;  // last HB access to the array (salp: + nRA to a sibling ACT)
    // prefetch_buffer: the row in the bank's latch, when it was filled, when the port is done with it.
    int64_t buf_row = -1;
    int64_t buf_ready_ps = 0;
    int64_t buf_free_ps = 0;
    // ping_pong: the other half's open row (the half of a row is row % 2) and its timing.
    int64_t side_row = -1;
    int64_t side_act_ps = 0;
    int64_t side_closes_at_ps = kDramNever;
    int64_t side_pre_after_ps = 0;      // ACT + nRAS, last access + nRTP
    int64_t half_next_act_ps[2] = {0, 0};  // per half: its PRE + nRPpb, ACT + nRC
    int64_t ext_busy_until_ps = 0;      // bank array used by the external path until
    int64_t hb_busy_until_ps = 0;       // bank array / port used by the HB path until
    int64_t refresh_closed_ps = -1;     // start of the last refresh window that closed a row (observer)
    bool fresh = false;                 // no column access yet since the ACT (next is a miss)
    DramPath opened_by = DramPath::external;
    int64_t busy_ps = 0;
  };
  struct Entry {
    int64_t seq;
    int64_t arrival_ps;
    int64_t row;
    DramAccess kind;
    int32_t column;  // reported to a command observer only
  };

  // Fixed refresh calendar.
  int64_t refresh_legal(int bank, int64_t t, int64_t lead_ps) const;
  int64_t refreshes_started_by(int bank, int64_t t) const;
  // Activate window (tRRD, tFAW), shared by both paths.
  // `bg`: the bank group of the ACT (nRRD_L to the same group when the standard has one).
  size_t acts_after(int64_t x) const;  // index of the first remembered ACT later than x
  bool act_window_legal(int64_t t, int bg) const;
  int64_t act_window_earliest(int64_t t, int bg) const;
  void act_window_insert(int64_t t, int bg);

  int64_t enter(int64_t now_ps);
  int64_t align_ck(int64_t t) const { return (t + s_.tck_ps - 1) / s_.tck_ps * s_.tck_ps; }
  // A refresh window closes the bank's rows: the open one and (ping_pong) the other half's if it
  // was open by then; the _main / _side variants close one of them.
  void close_by_refresh(int bank);
  void close_main_by_refresh(int bank);
  void close_side_by_refresh(int bank);
  void sync_refresh(int bank, int64_t t);
  // salp / ping_pong bookkeeping of a row's precharge at t (its subarray's or half's next ACT).
  void note_row_closed(int bank, int64_t row, int64_t t);

  int64_t col_earliest(int bank, DramAccess kind, int64_t from) const;
  int64_t act_earliest(int bank, int64_t from, bool external) const;
  // The bank's refresh calendar and the activate window only (the caller applied the bank's or
  // subarray's own ACT rules to `from`).
  int64_t act_window_and_refresh(int bank, int64_t from) const;
  // hb_port.row_switch: open `row` of `bank` for the HB stream (the bank's open row is another one
  // or none), by the mechanism's rules; its ACT no earlier than `act_not_before`.
  void hb_open_row(int bank, int64_t row, int64_t now, int64_t act_not_before = 0);
  // ping_pong: bring the bank's other half forward (its row becomes the open one) / close it.
  void ping_pong_swap(int bank);
  void close_side(int bank, int64_t t, DramPath path);
  int salp_subarray(int64_t row) const { return int(row % s_.hb.subarrays_per_bank); }
  size_t sa_index(int bank, int64_t row) const {  // into sa_act_ps_ / sa_pre_ps_
    return size_t(bank * s_.hb.subarrays_per_bank + salp_subarray(row));
  }
  int64_t pre_earliest(int bank, int64_t from) const;
  // `ganged`: one bank of an all-bank ACTab (not counted, reported or put in the activate window
  // on its own).
  void do_act(int bank, int64_t row, int64_t t, DramPath path, bool ganged = false);
  void do_pre(int bank, int64_t t, DramPath path);
  void do_col(int bank, DramAccess kind, int64_t t, int64_t column, bool auto_pre = false);
  void auto_precharge(int bank);
  // Command observation: report one command; report the refresh windows that start before h,
  // then the horizon h.
  void observe(DramCommandKind kind, DramPath path, int bank, int64_t row, int64_t column, int64_t t) {
    DramCommandEvent e;
    e.time_ps = t;
    e.cycle = t / tck_;
    e.command = kind;
    e.path = path;
    e.bank = bank;
    e.bank_group = bank >= 0 ? bg_of_[size_t(bank)] : -1;
    e.row = row;
    e.column = column;
    obs_->on_command(obs_channel_, e);
  }
  void observe_advance(int64_t h);
  void refresh_candidate(int bank);

  DramStandard s_;
  DramAddressMapping mapping_;
  int64_t rows_per_bank_;
  bool hb_ports_;
  double hb_bandwidth_bytes_per_s_;
  int64_t hb_period_ps_;
  HbRowSwitch row_switch_ = HbRowSwitch::exposed;  // hb_port.row_switch (hybrid-bonded channels)
  int64_t salp_nra_ps_ = 0;
  std::vector<int64_t> sa_act_ps_, sa_pre_ps_;  // salp: per bank x subarray, last ACT / PRE
  bool pim_ = false;           // in-die PIM channel (pim_stream instead of hb_read)
  bool pim_all_bank_act_ = false;
  int64_t pim_mac_ps_ = 0;     // in_die.mac_interval_ck in ps
  int64_t pim_last_mac_ps_ = -1;  // last MACab of the previous row (row-switch exposure)
  DramPimStats pim_stats_;

  // Timing in ps.
  int64_t tck_, bl_, cl_, cwl_, rcd_, rppb_, ras_, rc_, rtp_, wr_, ccd_s_, ccd_l_, rrd_, faw_;
  int64_t wtr_s_, wtr_l_, ppd_, wr_lead_;
  int64_t rrd_l_, rtw_;  // nRRD_L (== rrd_ without bank-group rule), RD-to-WR command spacing (0: none)
  bool bg_rrd_;          // rrd_l_ > rrd_: ACTs in one bank group are spaced further than any two
  int64_t ref_phase_step_, ref_period_, ref_block_ps_;
  bool per_bank_refresh_;

  std::vector<Bank> banks_;
  std::vector<int> bg_of_;
  // External bus state.
  int64_t cmd_free_ = 0;
  int64_t data_free_ = 0;
  int64_t last_col_ = -kDramNever;
  int64_t last_pre_ = -kDramNever;
  int64_t wr_end_ = -kDramNever;
  int64_t last_rd_ = -kDramNever;  // last external RD command (for nRTW)
  std::vector<int64_t> last_col_bg_, wr_end_bg_;
  // Activate history, sorted; entries before act_head_ can no longer constrain anything.
  std::vector<int64_t> acts_;
  std::vector<int> acts_bg_;  // bank group of each ACT in acts_ (kept only when bg_rrd_)
  size_t act_head_ = 0;
  int64_t latest_now_ = 0;

  // Per-bank request queue of the FR-FCFS controller: a ring, oldest first.
  struct BankQueue {
    std::vector<Entry> ring;  // power-of-two capacity >= queue depth
    int mask = 0;
    int head = 0;
    int size = 0;
    Entry& at(int i) { return ring[size_t((head + i) & mask)]; }
    void push(const Entry& e) { ring[size_t((head + size++) & mask)] = e; }
    void erase(int i);
  };
  std::vector<BankQueue> queues_;
  // Each bank's FR-FCFS candidate, minus the channel-wide limits (added per decision); recomputed
  // only when the bank's state or queue changed (bit set in dirty_).
  struct Candidate {
    int64_t local_ps;  // bank-local earliest time (arrival, nRCD, nRAS, nRP, other path)
    int64_t limit_ps;  // latest legal issue before the refresh closes the row
    int64_t seq;
    int idx;           // queue position of the request served
    DramCommand cmd;
    int cat;           // scheduling category: which channel-wide bound applies (bound_ index)
    int rank;          // 0 column command, 1 row command (ties go to column commands)
  };
  std::vector<Candidate> cand_;
  // Channel-wide bound of each category for the current decision: [0] PRE, [1 + g] RD and
  // [1 + G + g] WR in bank group g, [act_cat0_ + g'] ACT (g' = g with an nRRD_L rule, else 0).
  int act_cat0_ = 0, n_cats_ = 0;
  std::vector<int64_t> bound_, act_min_from_;
  // Earliest legal ACT time at or after a `from` (activate window + refresh calendar), per ACT
  // category, remembered until the activate history changes (acts_version_): valid for every
  // `from` between the one asked and the answer.
  std::vector<int64_t> act_cache_from_, act_cache_time_;
  std::vector<uint64_t> act_cache_version_;
  uint64_t acts_version_ = 1;
  int64_t act_time_all_bank(int64_t from, int bg);  // all-bank refresh: the same for every bank of bg
  uint64_t dirty_ = ~uint64_t(0);

  DramCommandCounts counts_;
  DramPathStats ext_, hb_;
  int64_t rpab_ = 0;
  void pim_command(int64_t t) {  // one CK on the command bus
    cmd_free_ = t + tck_;
    pim_stats_.command_bus_busy_ps += tck_;
    if (pim_stats_.first_command_ps < 0) pim_stats_.first_command_ps = t;
    pim_stats_.last_command_ps = std::max(pim_stats_.last_command_ps, t + tck_);
  }
  bool latency_hist_on_ = false;
  std::vector<int64_t> latency_hist_ck_;

  DramCommandObserver* obs_ = nullptr;
  int obs_channel_ = 0;
  int64_t obs_next_refresh_ = 0;  // index of the next refresh window to report (calendar order)
  int64_t obs_horizon_ = 0;
};

}  // namespace h2sim

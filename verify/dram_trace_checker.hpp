#pragma once
// An independent checker of DRAM command traces (`h2sim verify-trace`).
//
// Written apart from the engine (models/dram/lpddr5_channel.*), whose scheduling code it never
// uses: it reads the standard's table (models/dram/dram_standard, the loader the engine shares)
// and the hardware config, derives every rule from them, and replays the trace command by
// command, keeping its own per-bank, per-bank-group, per-channel and refresh state. The rules,
// their names and sources are listed in docs/dram.md ("Checking command traces").
//
// Input: the CSV of `--command-trace` (models/dram/dram_command_trace.hpp documents the columns),
// in time order within each channel (channels may interleave).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "models/dram/dram_standard.hpp"

namespace h2sim {

// The rules, in the order the docs list them. Names are what a violation report prints.
enum class TraceRule : int {
  format,              // a line that is not a valid command (time order, fields, CK edges)
  address_range,       // bank, bank group, row, column, channel within the design
  row_state,           // ACT to an open bank; PRE to a closed bank; RD/WR/HB_RD to a closed bank or another row
  nRCD,                // ACT -> RD/WR/HB_RD, same bank
  nRAS,                // ACT -> PRE (or auto-precharge, PREab), same bank
  nRC,                 // ACT -> ACT, same bank
  nRP,                 // PRE (or auto-precharge) -> ACT/REF, same bank: nRPpb
  nRPab,               // PREab -> ACT/REF: nRPab
  nRTP,                // RD -> PRE, same bank
  nWR,                 // end of WR data -> PRE, same bank
  nRRD,                // ACT -> ACT, any banks of the channel (both paths): nRRD_S
  nRRD_L,              // ACT -> ACT, same bank group (standards with nrrd_l_ck > nrrd_ck)
  nFAW,                // at most activates_per_faw ACTs in any nFAW window
  nPPD,                // PRE -> PRE on the command bus
  command_bus,         // one external command per CK
  nCCD_S,              // column -> column, different bank group
  nCCD_L,              // column -> column, same bank group
  nWTR_S,              // end of WR data -> RD, different bank group
  nWTR_L,              // end of WR data -> RD, same bank group
  read_to_write,       // RD -> WR: the write data may start only after the read data left the bus
  data_bus,            // bursts of one direction do not overlap on the data bus
  refresh_precharged,  // REF to a bank with an open row
  nRFCab,              // nothing to any bank during tRFCab after REFab
  nRFCpb,              // nothing to the bank during tRFCpb after its REFpb
  refresh_schedule,    // REFs keep up with tREFI within the postponement allowance
  hb_rate,             // HB_RD -> HB_RD, same bank: one column access per port period
  hb_nRTP,             // HB_RD (or HB_FILL) -> PRE, same bank: nRTP
  hb_port_sharing,     // external column and HB column access on one bank: each waits for the other
  pim_mac_interval,    // MACab -> MACab: in_die.mac_interval_ck (in-die PIM designs)
  salp_nRA,            // hb_port.row_switch salp: RD/HB_RD -> ACT of another subarray nRA, ACT -> its ACT nRCD + nRA
  hb_buffer,           // hb_port.row_switch prefetch_buffer: HB_RD reads the latched row; HB_FILL waits for the port
  count
};
inline constexpr int kTraceRules = int(TraceRule::count);
const char* trace_rule_name(TraceRule r);
const char* trace_rule_meaning(TraceRule r);

struct TraceViolation {
  TraceRule rule = TraceRule::format;
  int64_t line = 0;        // the offending command's line (1-based, header = line 1)
  int64_t other_line = 0;  // the earlier command it conflicts with; 0 = none
  int64_t shortfall_ps = 0;
  std::string detail;      // what was required, in CK and ps
};

struct TraceCheckSummary {
  int64_t commands = 0;
  std::vector<std::pair<std::string, int64_t>> per_command;  // name -> count, fixed order
  std::vector<int64_t> checks;                               // per rule: constraints evaluated
  int64_t channels = 0;
  int64_t last_ps = 0;
};

// One command as the checker sees it (parsed from a trace line).
enum class TraceCmd : uint8_t { ACT, PRE, PREab, RD, WR, RDA, WRA, REFab, REFpb, HB_RD, ACTab, MACab, HB_FILL };
enum class TracePath : uint8_t { external, hb, refresh, pim };
const char* trace_command_name(TraceCmd c);  // as the trace spells it: ACT ... HB_FILL
int trace_command_kinds();
struct TraceCommand {
  int64_t time_ps = 0;
  int64_t cycle = 0;
  int channel = 0;
  TracePath path = TracePath::external;
  TraceCmd cmd = TraceCmd::ACT;
  int bank_group = -1, bank = -1;
  int64_t row = -1, column = -1;
};

class DramTraceChecker {
 public:
  // Throws InputError if the design has no usable DRAM (no banks, no rows).
  DramTraceChecker(const DramStandard& standard, const HardwareConfig& hw);

  // Checks one command (line numbers are for reports). False at the first violation.
  bool check(const TraceCommand& c, int64_t line);
  // End of trace: the refresh schedule up to each channel's last command. False on a violation.
  bool finish();
  const TraceViolation& violation() const { return violation_; }
  TraceCheckSummary summary() const;

  // Tests: called for every constraint evaluated (rule, the command's line, the time it needed,
  // the earlier command's line).
  using Listener = std::function<void(TraceRule rule, int64_t line, int64_t required_ps, int64_t other_line)>;
  void set_listener(Listener l) { listener_ = std::move(l); }
  int64_t tck_ps() const { return tck_; }

 private:
  struct Bank {
    int64_t open_row = -1;
    int64_t act_t, act_line = 0;         // last ACT
    int64_t close_t, close_line = 0;     // last PRE / PREab / auto-precharge
    bool closed_by_all = false;          // ... by PREab (nRPab) rather than per bank (nRPpb)
    int64_t rd_t, rd_line = 0;           // last external RD of the open row
    int64_t wr_end_t, wr_line = 0;       // end of the last WR data of the open row
    int64_t hb_t, hb_line = 0;           // last HB_RD of the open row
    int64_t hb_any_t, hb_any_line = 0;   // last HB_RD (port period spans row switches)
    int64_t col_t, col_line = 0;         // last external column command
    // prefetch_buffer: the row in the bank's latch (HB_FILL) and when it was filled.
    int64_t buf_row = -1, buf_t, buf_line = 0;
    // salp: per subarray, the last ACT and close (the bank-wide act_t / close_t are the last of any).
    std::vector<int64_t> sa_act_t, sa_act_line, sa_close_t, sa_close_line;
    std::vector<char> sa_close_all;
    int64_t ref_until, ref_line = 0;     // end of the bank's refresh (tRFC)
    bool ref_all = false;
  };
  struct Channel {
    std::vector<Bank> banks;
    int64_t last_t, last_line = 0;
    int64_t bus_t, bus_line = 0;                  // last external command
    int64_t pre_t, pre_line = 0;                  // last external PRE
    int64_t mac_t = INT64_MIN / 4, mac_line = 0;  // last MACab (in-die PIM)
    std::vector<int64_t> col_bg_t, col_bg_line;   // last column command per bank group
    std::vector<int64_t> wr_end_bg_t, wr_bg_line; // end of the last WR data per bank group
    int64_t rd_data_end, rd_data_line = 0;
    int64_t wr_data_end, wr_data_line = 0;
    std::vector<int64_t> acts_t, acts_line;       // ring of the last activates_per_faw ACTs
    std::vector<int64_t> act_bg_t, act_bg_line;   // last ACT per bank group (nRRD_L)
    int64_t rd_t, rd_line = 0;                    // last external read command (nRTW)
    size_t acts_n = 0, acts_head = 0;
    int64_t refab = 0, refpb = 0;
    int64_t first_t = 0;  // the channel's first command: the refresh schedule counts from it
    bool used = false;
  };

  bool need(TraceRule r, int64_t t, int64_t required, int64_t other_line, int64_t line);
  bool fail(TraceRule r, int64_t line, int64_t other_line, int64_t shortfall, std::string detail);
  bool precharge_bank(Channel& ch, Bank& b, int64_t t, int64_t line, bool all);
  bool column(Channel& ch, const TraceCommand& c, int64_t line);
  bool refresh_schedule(Channel& ch, int64_t t, int64_t line);
  Channel& channel(int id);

  // The standard's rules, in ps.
  int64_t tck_, nbl_, ncl_, ncwl_, nrcd_, nrppb_, nrpab_, nras_, nrc_, nrtp_, nwr_, nccd_s_, nccd_l_, nrrd_,
      nfaw_, nwtr_s_, nwtr_l_, nppd_, nrfcab_, nrfcpb_, trefi_ab_, trefi_pb_, nrrd_l_, nrtw_;
  int64_t faw_acts_, postponed_max_;
  bool per_bank_refresh_;
  int64_t hb_period_;
  // hb_port.row_switch (hybrid-bonded designs): ping_pong checks each half of a bank (row % 2) as a
  // bank of its own, with the port shared; salp keeps per-subarray state.
  HbRowSwitch row_switch_ = HbRowSwitch::exposed;
  int halves_ = 1;
  int64_t n_sa_ = 0, nra_ = 0;
  Bank& bank_of(Channel& ch, int bank, int64_t row) {
    return ch.banks[size_t(bank * halves_ + (halves_ > 1 && row >= 0 ? int(row % halves_) : 0))];
  }
  Bank& port_of(Channel& ch, int bank) { return ch.banks[size_t(bank * halves_)]; }
  int64_t pim_mac_ = 0;  // in_die.mac_interval_ck in ps (0: not an in-die design)
  int banks_, banks_per_group_, bank_groups_;
  int64_t rows_per_bank_, bursts_per_row_, hb_bursts_;
  int64_t channels_;

  std::vector<Channel> channels_state_;
  std::vector<int64_t> counts_;
  std::vector<int64_t> checks_;
  int64_t commands_ = 0;
  TraceViolation violation_;
  Listener listener_;
};

struct TraceCheckResult {
  bool ok = true;
  TraceViolation violation;
  std::string report;  // the violation with both trace lines, or the summary
  TraceCheckSummary summary;
};

// Parses and checks a trace file. Malformed lines are reported as violations of `format`
// naming file:line (they are not command traces h2sim writes).
TraceCheckResult check_command_trace_file(const std::string& path, const DramStandard& standard,
                                          const HardwareConfig& hw,
                                          DramTraceChecker::Listener listener = nullptr);

}  // namespace h2sim

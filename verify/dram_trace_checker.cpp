#include "verify/dram_trace_checker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "config/errors.hpp"

namespace h2sim {

namespace {
constexpr int64_t kLongAgo = INT64_MIN / 4;  // "no such command yet": every rule is met

// Refresh postponement: JEDEC lets a controller postpone up to 8 all-bank refreshes (LPDDR5:
// JESD209-5 "Refresh Requirement": at most 8 REFab postponed, the interval between two REFab
// at most 9 x tREFI; DDR4 JESD79-4 and HBM3 have the same 8). Per-bank refresh: the same debt
// in time, 8 x banks REFpb (assumption: JESD209-5's per-bank postponement figure was not
// available here; the debt is the all-bank one expressed in REFpb).
constexpr int64_t kRefreshPostponeMax = 8;

const char* const kCmdNames[] = {"ACT",   "PRE",   "PREab", "RD",    "WR",    "RDA",   "WRA",
                                 "REFab", "REFpb", "HB_RD", "ACTab", "MACab", "HB_FILL"};
constexpr int kCmdKinds = int(sizeof(kCmdNames) / sizeof(kCmdNames[0]));
}  // namespace

const char* trace_command_name(TraceCmd c) { return kCmdNames[int(c)]; }
int trace_command_kinds() { return kCmdKinds; }

const char* trace_rule_name(TraceRule r) {
  switch (r) {
    case TraceRule::format: return "format";
    case TraceRule::address_range: return "address_range";
    case TraceRule::row_state: return "row_state";
    case TraceRule::nRCD: return "nRCD";
    case TraceRule::nRAS: return "nRAS";
    case TraceRule::nRC: return "nRC";
    case TraceRule::nRP: return "nRP";
    case TraceRule::nRPab: return "nRPab";
    case TraceRule::nRTP: return "nRTP";
    case TraceRule::nWR: return "nWR";
    case TraceRule::nRRD: return "nRRD";
    case TraceRule::nRRD_L: return "nRRD_L";
    case TraceRule::nFAW: return "nFAW";
    case TraceRule::nPPD: return "nPPD";
    case TraceRule::command_bus: return "command_bus";
    case TraceRule::nCCD_S: return "nCCD_S";
    case TraceRule::nCCD_L: return "nCCD_L";
    case TraceRule::nWTR_S: return "nWTR_S";
    case TraceRule::nWTR_L: return "nWTR_L";
    case TraceRule::read_to_write: return "read_to_write";
    case TraceRule::data_bus: return "data_bus";
    case TraceRule::refresh_precharged: return "refresh_precharged";
    case TraceRule::nRFCab: return "nRFCab";
    case TraceRule::nRFCpb: return "nRFCpb";
    case TraceRule::refresh_schedule: return "refresh_schedule";
    case TraceRule::hb_rate: return "hb_rate";
    case TraceRule::hb_nRTP: return "hb_nRTP";
    case TraceRule::hb_port_sharing: return "hb_port_sharing";
    case TraceRule::salp_nRA: return "salp_nRA";
    case TraceRule::hb_buffer: return "hb_buffer";
    case TraceRule::pim_mac_interval: return "pim_mac_interval";
    case TraceRule::count: break;
  }
  return "?";
}

const char* trace_rule_meaning(TraceRule r) {
  switch (r) {
    case TraceRule::format: return "a well-formed trace line, in time order within its channel";
    case TraceRule::address_range: return "channel, bank group, bank, row and column exist in the design";
    case TraceRule::row_state: return "ACT only to a closed bank, PRE only to an open one, column commands only to the open row";
    case TraceRule::nRCD: return "ACT to column command, same bank";
    case TraceRule::nRAS: return "ACT to precharge, same bank";
    case TraceRule::nRC: return "ACT to ACT, same bank";
    case TraceRule::nRP: return "per-bank precharge (PRE, auto-precharge) to ACT or REF, same bank";
    case TraceRule::nRPab: return "PREab to ACT or REF";
    case TraceRule::nRTP: return "RD to precharge, same bank";
    case TraceRule::nWR: return "end of write data to precharge, same bank (write recovery)";
    case TraceRule::nRRD: return "ACT to ACT, different banks of the channel (nRRD, nRRD_S)";
    case TraceRule::nRRD_L: return "ACT to ACT, same bank group (nRRD_L)";
    case TraceRule::nFAW: return "at most activates_per_faw ACTs in any nFAW window";
    case TraceRule::nPPD: return "PRE to PRE on the command bus";
    case TraceRule::command_bus: return "one external command per CK, on CK edges";
    case TraceRule::nCCD_S: return "column to column command, different bank groups";
    case TraceRule::nCCD_L: return "column to column command, same bank group";
    case TraceRule::nWTR_S: return "end of write data to RD, different bank groups";
    case TraceRule::nWTR_L: return "end of write data to RD, same bank group";
    case TraceRule::read_to_write: return "RD to WR: write data (WR + nCWL) after the read data (RD + nCL + nBL), and nRTW if the standard has one";
    case TraceRule::data_bus: return "bursts (nBL each) of one direction do not overlap on the data bus";
    case TraceRule::refresh_precharged: return "REF only to precharged banks";
    case TraceRule::nRFCab: return "nothing to any bank during tRFCab after REFab";
    case TraceRule::nRFCpb: return "nothing to the bank during tRFCpb after its REFpb";
    case TraceRule::refresh_schedule: return "at most 8 tREFI of refresh postponed";
    case TraceRule::hb_rate: return "one HB column access per port period (column_access_bytes / pe.hb_bandwidth), same bank";
    case TraceRule::hb_nRTP: return "HB_RD (array read) or HB_FILL to PRE, same bank: nRTP";
    case TraceRule::salp_nRA:
      return "hb_port.row_switch salp (SALP-2): RD/HB_RD to an ACT of another subarray nRA = ceil(nCL/2); ACT to "
             "another subarray's ACT nRCD + nRA; WR data end to it nWR/2";
    case TraceRule::hb_buffer:
      return "hb_port.row_switch prefetch_buffer: HB_RD reads the row the last HB_FILL latched; HB_FILL waits one "
             "port period after the latch's last HB_RD";
    case TraceRule::hb_port_sharing: return "external column (busy nCCD_L) and HB access (busy one port period) on one bank";
    case TraceRule::pim_mac_interval: return "MACab to MACab: in_die.mac_interval_ck (in-die PIM)";
    case TraceRule::count: break;
  }
  return "?";
}

DramTraceChecker::DramTraceChecker(const DramStandard& s, const HardwareConfig& hw) {
  tck_ = s.tck_ps;
  auto ps = [&](int64_t ck) { return ck * tck_; };
  const DramTimingCk& t = s.t;
  nbl_ = ps(t.nbl), ncl_ = ps(t.ncl), ncwl_ = ps(t.ncwl), nrcd_ = ps(t.nrcd), nrppb_ = ps(t.nrppb);
  nrpab_ = ps(t.nrpab), nras_ = ps(t.nras), nrc_ = ps(t.nrc), nrtp_ = ps(t.nrtp), nwr_ = ps(t.nwr);
  nccd_s_ = ps(t.nccd_s), nccd_l_ = ps(t.nccd_l), nrrd_ = ps(t.nrrd), nfaw_ = ps(t.nfaw);
  nwtr_s_ = ps(t.nwtr_s), nwtr_l_ = ps(t.nwtr_l), nppd_ = ps(t.nppd);
  nrrd_l_ = ps(std::max(t.nrrd_l, t.nrrd));  // a standard with one nRRD has nrrd_l == nrrd
  nrtw_ = ps(t.nrtw);                         // 0: the data bus rule alone
  nrfcab_ = ps(s.refresh.nrfcab_ck), nrfcpb_ = ps(s.refresh.nrfcpb_ck);
  faw_acts_ = t.activates_per_faw;
  per_bank_refresh_ = s.refresh.mode == RefreshMode::per_bank;
  trefi_ab_ = ps(s.refresh.nrefi_ck);
  banks_ = int(s.banks());
  banks_per_group_ = int(s.banks_per_group);
  bank_groups_ = int(s.bank_groups);
  // JEDEC's tREFIpb = tREFI / banks (rounding down keeps the requirement the stricter one).
  trefi_pb_ = banks_ > 0 ? ps(s.refresh.nrefi_ck / banks_) : 0;
  postponed_max_ = per_bank_refresh_ ? kRefreshPostponeMax * banks_ : kRefreshPostponeMax;
  rows_per_bank_ = s.row_bytes > 0 ? hw.bank_capacity_bytes / s.row_bytes : 0;
  bursts_per_row_ = s.burst_bytes > 0 ? s.row_bytes / s.burst_bytes : 0;
  hb_bursts_ = s.burst_bytes > 0 ? std::max<int64_t>(1, s.hb.column_access_bytes / s.burst_bytes) : 1;
  // The port moves column_access_bytes per access at the PE's hybrid-bonding bandwidth.
  hb_period_ = hw.pe.hb_bandwidth_bytes_per_s > 0
                   ? std::llround(double(s.hb.column_access_bytes) * 1e12 / hw.pe.hb_bandwidth_bytes_per_s)
                   : 0;
  // Row switches on the hybrid-bonded die (dram_standard.hpp, HbRowSwitch).
  row_switch_ = hw.nmp_kind == NmpKind::in_die ? HbRowSwitch::exposed : s.hb.row_switch;
  halves_ = row_switch_ == HbRowSwitch::ping_pong ? 2 : 1;
  n_sa_ = row_switch_ == HbRowSwitch::salp ? s.hb.subarrays_per_bank : 0;
  nra_ = ps(s.salp_nra_ck());
  // In-die PIM: all-bank MAC commands every in_die.mac_interval_ck at the most.
  if (hw.nmp_kind == NmpKind::in_die) pim_mac_ = ps(hw.in_die.mac_interval_ck);
  channels_ = hw.channels;
  if (banks_ <= 0 || rows_per_bank_ <= 0 || bursts_per_row_ <= 0 || tck_ <= 0 || faw_acts_ <= 0) {
    throw InputError(fmt::format("{}: the design's DRAM has no banks, rows or columns to check", hw.source_file));
  }
  counts_.assign(kCmdKinds, 0);
  checks_.assign(kTraceRules, 0);
}

DramTraceChecker::Channel& DramTraceChecker::channel(int id) {
  if (size_t(id) >= channels_state_.size()) channels_state_.resize(size_t(id) + 1);
  Channel& ch = channels_state_[size_t(id)];
  if (!ch.used) {
    ch.used = true;
    Bank b;
    b.act_t = b.close_t = b.rd_t = b.wr_end_t = b.hb_t = b.hb_any_t = b.col_t = b.ref_until = b.buf_t = kLongAgo;
    if (n_sa_ > 0) {
      b.sa_act_t.assign(size_t(n_sa_), kLongAgo);
      b.sa_act_line.assign(size_t(n_sa_), 0);
      b.sa_close_t.assign(size_t(n_sa_), kLongAgo);
      b.sa_close_line.assign(size_t(n_sa_), 0);
      b.sa_close_all.assign(size_t(n_sa_), 0);
    }
    ch.banks.assign(size_t(banks_ * halves_), b);
    ch.last_t = ch.bus_t = ch.pre_t = ch.rd_data_end = ch.wr_data_end = kLongAgo;
    ch.col_bg_t.assign(size_t(bank_groups_), kLongAgo);
    ch.col_bg_line.assign(size_t(bank_groups_), 0);
    ch.wr_end_bg_t.assign(size_t(bank_groups_), kLongAgo);
    ch.wr_bg_line.assign(size_t(bank_groups_), 0);
    ch.act_bg_t.assign(size_t(bank_groups_), kLongAgo);
    ch.act_bg_line.assign(size_t(bank_groups_), 0);
    ch.rd_t = kLongAgo;
    ch.acts_t.assign(size_t(faw_acts_), kLongAgo);
    ch.acts_line.assign(size_t(faw_acts_), 0);
  }
  return ch;
}

bool DramTraceChecker::fail(TraceRule r, int64_t line, int64_t other_line, int64_t shortfall, std::string detail) {
  violation_.rule = r;
  violation_.line = line;
  violation_.other_line = other_line;
  violation_.shortfall_ps = shortfall;
  violation_.detail = std::move(detail);
  return false;
}

inline bool DramTraceChecker::need(TraceRule r, int64_t t, int64_t required, int64_t other_line, int64_t line) {
  ++checks_[size_t(r)];
  if (listener_) listener_(r, line, required, other_line);
  if (t >= required) return true;
  return fail(r, line, other_line, required - t,
              fmt::format("needs time >= {} ps ({} {} earlier than allowed)", required, required - t, "ps"));
}

bool DramTraceChecker::precharge_bank(Channel& ch, Bank& b, int64_t t, int64_t line, bool all) {
  (void)ch;
  if (b.open_row < 0) return true;  // PREab: banks already closed stay closed
  if (!need(TraceRule::nRAS, t, b.act_t + nras_, b.act_line, line)) return false;
  if (!need(TraceRule::nRTP, t, b.rd_t + nrtp_, b.rd_line, line)) return false;
  if (!need(TraceRule::nWR, t, b.wr_end_t + nwr_, b.wr_line, line)) return false;
  if (!need(TraceRule::hb_nRTP, t, b.hb_t + nrtp_, b.hb_line, line)) return false;
  if (n_sa_ > 0) {
    const size_t sa = size_t(b.open_row % n_sa_);
    b.sa_close_t[sa] = t;
    b.sa_close_line[sa] = line;
    b.sa_close_all[sa] = all;
  }
  b.open_row = -1;
  b.close_t = t;
  b.close_line = line;
  b.closed_by_all = all;
  return true;
}

bool DramTraceChecker::column(Channel& ch, const TraceCommand& c, int64_t line) {
  Bank& b = bank_of(ch, c.bank, c.row);
  Bank& port = port_of(ch, c.bank);
  const int64_t t = c.time_ps;
  if (c.cmd == TraceCmd::HB_RD && row_switch_ == HbRowSwitch::prefetch_buffer) {
    // The port reads the bank's latch, not the array.
    ++checks_[size_t(TraceRule::hb_buffer)];
    if (b.buf_row != c.row) {
      return fail(TraceRule::hb_buffer, line, b.buf_line, 0,
                  b.buf_row < 0 ? fmt::format("HB_RD of row {}: bank {}'s latch holds no row", c.row, c.bank)
                                : fmt::format("HB_RD of row {}: bank {}'s latch holds row {}", c.row, c.bank, b.buf_row));
    }
    // (The latch holds the row from its HB_FILL on: in time order, that line came first.)
    if (!need(TraceRule::hb_rate, t, port.hb_any_t + hb_period_, port.hb_any_line, line)) return false;
    port.hb_any_t = t;
    port.hb_any_line = line;
    return true;
  }
  if (b.open_row < 0 || b.open_row != c.row) {
    return fail(TraceRule::row_state, line, b.open_row < 0 ? b.close_line : b.act_line, 0,
                b.open_row < 0 ? fmt::format("bank {} is closed", c.bank)
                               : fmt::format("bank {} has row {} open, not row {}", c.bank, b.open_row, c.row));
  }
  if (!need(TraceRule::nRCD, t, b.act_t + nrcd_, b.act_line, line)) return false;
  if (c.cmd == TraceCmd::HB_FILL) {
    // The whole open row into the latch: an array read (nRTP before PRE), once the port has read
    // the latch's previous row, not during an external column access to the bank.
    if (!need(TraceRule::hb_buffer, t, port.hb_any_t + hb_period_, port.hb_any_line, line)) return false;
    if (!need(TraceRule::hb_port_sharing, t, port.col_t + nccd_l_, port.col_line, line)) return false;
    b.hb_t = t;
    b.hb_line = line;
    b.buf_row = c.row;
    b.buf_t = t;
    b.buf_line = line;
    return true;
  }
  if (c.cmd == TraceCmd::HB_RD) {
    if (!need(TraceRule::hb_rate, t, port.hb_any_t + hb_period_, port.hb_any_line, line)) return false;
    if (!need(TraceRule::hb_port_sharing, t, port.col_t + nccd_l_, port.col_line, line)) return false;
    b.hb_t = t;
    b.hb_line = line;
    port.hb_any_t = t;
    port.hb_any_line = line;
    return true;
  }
  // External column command.
  const int g = c.bank_group;
  if (!need(TraceRule::hb_port_sharing, t, port.hb_any_t + hb_period_, port.hb_any_line, line)) return false;
  if (!need(TraceRule::nCCD_L, t, ch.col_bg_t[size_t(g)] + nccd_l_, ch.col_bg_line[size_t(g)], line)) return false;
  int64_t other_t = kLongAgo, other_line = 0, other_wr = kLongAgo, other_wr_line = 0;
  for (int k = 0; k < bank_groups_; ++k) {
    if (k == g) continue;
    if (ch.col_bg_t[size_t(k)] > other_t) other_t = ch.col_bg_t[size_t(k)], other_line = ch.col_bg_line[size_t(k)];
    if (ch.wr_end_bg_t[size_t(k)] > other_wr) other_wr = ch.wr_end_bg_t[size_t(k)], other_wr_line = ch.wr_bg_line[size_t(k)];
  }
  const bool read = c.cmd == TraceCmd::RD || c.cmd == TraceCmd::RDA;
  // Data bus first: the loader keeps nCCD_S >= nBL, so a same-direction burst that overlaps the
  // previous one also breaks nCCD_S; the data bus is the rule that matters. Times are stated as
  // the command's (data time less nCL or nCWL).
  if (read) {
    if (!need(TraceRule::nWTR_L, t, ch.wr_end_bg_t[size_t(g)] + nwtr_l_, ch.wr_bg_line[size_t(g)], line)) return false;
    if (!need(TraceRule::nWTR_S, t, other_wr + nwtr_s_, other_wr_line, line)) return false;
    if (!need(TraceRule::data_bus, t, ch.rd_data_end - ncl_, ch.rd_data_line, line)) return false;
    if (!need(TraceRule::data_bus, t, ch.wr_data_end - ncl_, ch.wr_data_line, line)) return false;
  } else {
    if (!need(TraceRule::read_to_write, t, ch.rd_data_end - ncwl_, ch.rd_data_line, line)) return false;
    if (nrtw_ > 0 && !need(TraceRule::read_to_write, t, ch.rd_t + nrtw_, ch.rd_line, line)) return false;
    if (!need(TraceRule::data_bus, t, ch.wr_data_end - ncwl_, ch.wr_data_line, line)) return false;
  }
  if (!need(TraceRule::nCCD_S, t, other_t + nccd_s_, other_line, line)) return false;
  if (read) {
    ch.rd_data_end = t + ncl_ + nbl_;
    ch.rd_data_line = line;
    ch.rd_t = t;
    ch.rd_line = line;
    b.rd_t = t;
    b.rd_line = line;
  } else {
    const int64_t end = t + ncwl_ + nbl_;
    ch.wr_data_end = end;
    ch.wr_data_line = line;
    ch.wr_end_bg_t[size_t(g)] = end;
    ch.wr_bg_line[size_t(g)] = line;
    b.wr_end_t = end;
    b.wr_line = line;
  }
  ch.col_bg_t[size_t(g)] = t;
  ch.col_bg_line[size_t(g)] = line;
  port.col_t = t;
  port.col_line = line;
  if (c.cmd == TraceCmd::RDA || c.cmd == TraceCmd::WRA) {
    // Auto-precharge: the bank precharges itself at the earliest time nRAS, nRTP and write
    // recovery (and the HB port's nRTP) allow; the bank is closed for every later command.
    const int64_t ap = std::max({b.act_t + nras_, b.rd_t + nrtp_, b.wr_end_t + nwr_, b.hb_t + nrtp_});
    if (n_sa_ > 0) {
      const size_t sa = size_t(b.open_row % n_sa_);
      b.sa_close_t[sa] = ap;
      b.sa_close_line[sa] = line;
      b.sa_close_all[sa] = 0;
    }
    b.open_row = -1;
    b.close_t = ap;
    b.close_line = line;
    b.closed_by_all = false;
  }
  return true;
}

bool DramTraceChecker::refresh_schedule(Channel& ch, int64_t t, int64_t line) {
  // By time t the schedule asks for floor((t - first) / tREFI) refreshes (a trace may start in
  // the middle of a run); at most postponed_max_ may be owed.
  const int64_t done = per_bank_refresh_ ? ch.refpb : ch.refab;
  const int64_t interval = per_bank_refresh_ ? trefi_pb_ : trefi_ab_;
  const int64_t due = (t - ch.first_t) / interval;
  ++checks_[size_t(TraceRule::refresh_schedule)];
  if (due - done > postponed_max_) {
    const int64_t deadline = ch.first_t + (done + postponed_max_ + 1) * interval;
    return fail(TraceRule::refresh_schedule, line, 0, t - deadline,
                fmt::format("{} {} issued by {} ps, {} due (tREFI{} {} ps): {} postponed, at most {} allowed", done,
                            per_bank_refresh_ ? "REFpb" : "REFab", t, due, per_bank_refresh_ ? "pb" : "", interval,
                            due - done, postponed_max_));
  }
  return true;
}

bool DramTraceChecker::check(const TraceCommand& c, int64_t line) {
  if (c.channel < 0 || (channels_ > 0 && c.channel >= channels_)) {
    return fail(TraceRule::address_range, line, 0, 0,
                fmt::format("channel {} (the design has {})", c.channel, channels_));
  }
  Channel& ch = channel(c.channel);
  const int64_t t = c.time_ps;
  if (ch.last_line == 0) ch.first_t = t;
  if (t < ch.last_t) {
    return fail(TraceRule::format, line, ch.last_line, ch.last_t - t, "time goes backwards within the channel");
  }
  if (c.cycle != (t >= 0 ? t / tck_ : -1) || t < 0) {
    return fail(TraceRule::format, line, 0, 0, fmt::format("cycle {} is not floor(time_ps / tCK {} ps)", c.cycle, tck_));
  }
  const bool all_banks = c.cmd == TraceCmd::PREab || c.cmd == TraceCmd::REFab || c.cmd == TraceCmd::ACTab ||
                         c.cmd == TraceCmd::MACab;
  if (all_banks) {
    if (c.bank != -1 || c.bank_group != -1) {
      return fail(TraceRule::address_range, line, 0, 0, "all-bank commands have bank and bank_group -1");
    }
  } else {
    if (c.bank < 0 || c.bank >= banks_ || c.bank_group != c.bank / banks_per_group_) {
      return fail(TraceRule::address_range, line, 0, 0,
                  fmt::format("bank {} in bank group {} (the standard has {} banks, {} per group)", c.bank,
                              c.bank_group, banks_, banks_per_group_));
    }
  }
  const bool col = c.cmd == TraceCmd::RD || c.cmd == TraceCmd::WR || c.cmd == TraceCmd::RDA ||
                   c.cmd == TraceCmd::WRA || c.cmd == TraceCmd::HB_RD || c.cmd == TraceCmd::HB_FILL;
  if (c.cmd == TraceCmd::HB_FILL && row_switch_ != HbRowSwitch::prefetch_buffer) {
    return fail(TraceRule::format, line, 0, 0, "HB_FILL in a design whose hb_port.row_switch is not prefetch_buffer");
  }
  const bool pim_cmd = c.cmd == TraceCmd::ACTab || c.cmd == TraceCmd::MACab;
  if (pim_cmd && pim_mac_ == 0) {
    return fail(TraceRule::format, line, 0, 0, "ACTab / MACab in a design that is not nmp_kind in_die");
  }
  if ((col || c.cmd == TraceCmd::ACT || pim_cmd) && (c.row < 0 || c.row >= rows_per_bank_)) {
    return fail(TraceRule::address_range, line, 0, 0, fmt::format("row {} (banks have {} rows)", c.row, rows_per_bank_));
  }
  if (col || c.cmd == TraceCmd::MACab) {
    const int64_t width = c.cmd == TraceCmd::HB_RD ? hb_bursts_ : 1;
    if (c.column < 0 || c.column + width > bursts_per_row_ || c.column % width != 0) {
      return fail(TraceRule::address_range, line, 0, 0,
                  fmt::format("column {} (rows have {} bursts; accesses of {} bursts aligned)", c.column,
                              bursts_per_row_, width));
    }
  }
  // Path: external commands use the command bus; HB commands come from the logic die; the
  // refresh calendar's commands are the controller's.
  // In-die PIM commands come from the host's controller too: they share the command bus.
  const bool external = c.path == TracePath::external || c.path == TracePath::pim;
  const bool path_ok = (c.cmd == TraceCmd::HB_RD || c.cmd == TraceCmd::HB_FILL) ? c.path == TracePath::hb
                       : pim_cmd ? c.path == TracePath::pim
                       : c.cmd == TraceCmd::PREab ? (c.path == TracePath::refresh || c.path == TracePath::pim)
                       : (c.cmd == TraceCmd::REFab || c.cmd == TraceCmd::REFpb) ? c.path == TracePath::refresh
                       : col ? c.path == TracePath::external
                       : true;
  if (!path_ok) return fail(TraceRule::format, line, 0, 0, "command not allowed on this path");
  if (external) {
    ++checks_[size_t(TraceRule::command_bus)];
    if (t % tck_ != 0) return fail(TraceRule::command_bus, line, 0, t % tck_, "external command off a CK edge");
    if (!need(TraceRule::command_bus, t, ch.bus_t + tck_, ch.bus_line, line)) return false;
  }

  ++commands_;
  ++counts_[size_t(c.cmd)];
  switch (c.cmd) {
    case TraceCmd::ACT: {
      Bank& b = bank_of(ch, c.bank, c.row);
      if (b.open_row >= 0) {
        return fail(TraceRule::row_state, line, b.act_line, 0, fmt::format("ACT to bank {} with row {} open", c.bank, b.open_row));
      }
      if (n_sa_ > 0) {
        // salp: the target subarray's own nRC and nRP; SALP-2's sibling rules against the bank's
        // last row if that was in another subarray (ramulator src/SALP.cpp).
        const size_t sa = size_t(c.row % n_sa_);
        if (!need(TraceRule::nRC, t, b.sa_act_t[sa] + nrc_, b.sa_act_line[sa], line)) return false;
        if (!need(b.sa_close_all[sa] ? TraceRule::nRPab : TraceRule::nRP, t,
                  b.sa_close_t[sa] + (b.sa_close_all[sa] ? nrpab_ : nrppb_), b.sa_close_line[sa], line)) {
          return false;
        }
        if (b.act_t > kLongAgo && b.act_t != b.sa_act_t[sa]) {
          if (!need(TraceRule::salp_nRA, t, b.act_t + nrcd_ + nra_, b.act_line, line)) return false;
          if (!need(TraceRule::salp_nRA, t, b.rd_t + nra_, b.rd_line, line)) return false;
          if (!need(TraceRule::salp_nRA, t, b.hb_t + nra_, b.hb_line, line)) return false;
          if (!need(TraceRule::salp_nRA, t, b.wr_end_t + nwr_ / 2, b.wr_line, line)) return false;
          if (!need(TraceRule::row_state, t, b.close_t + tck_, b.close_line, line)) return false;
        } else {
          if (!need(b.closed_by_all ? TraceRule::nRPab : TraceRule::nRP, t,
                    b.close_t + (b.closed_by_all ? nrpab_ : nrppb_), b.close_line, line)) {
            return false;
          }
        }
        b.sa_act_t[sa] = t;
        b.sa_act_line[sa] = line;
      } else {
        if (!need(TraceRule::nRC, t, b.act_t + nrc_, b.act_line, line)) return false;
        if (!need(b.closed_by_all ? TraceRule::nRPab : TraceRule::nRP, t, b.close_t + (b.closed_by_all ? nrpab_ : nrppb_),
                  b.close_line, line)) {
          return false;
        }
      }
      if (!need(b.ref_all ? TraceRule::nRFCab : TraceRule::nRFCpb, t, b.ref_until, b.ref_line, line)) return false;
      // Activate window, shared by both paths: the previous ACT (nRRD) and the ACT
      // activates_per_faw back (nFAW).
      const size_t n = size_t(faw_acts_);
      const size_t newest = (ch.acts_head + n - 1) % n;
      if (!need(TraceRule::nRRD, t, ch.acts_t[newest] + nrrd_, ch.acts_line[newest], line)) return false;
      const size_t g = size_t(c.bank_group);
      if (nrrd_l_ > nrrd_ && !need(TraceRule::nRRD_L, t, ch.act_bg_t[g] + nrrd_l_, ch.act_bg_line[g], line)) return false;
      ch.act_bg_t[g] = t;
      ch.act_bg_line[g] = line;
      if (!need(TraceRule::nFAW, t, ch.acts_t[ch.acts_head] + nfaw_, ch.acts_line[ch.acts_head], line)) return false;
      ch.acts_t[ch.acts_head] = t;
      ch.acts_line[ch.acts_head] = line;
      ch.acts_head = (ch.acts_head + 1) % n;
      b.open_row = c.row;
      b.act_t = t;
      b.act_line = line;
      b.rd_t = b.wr_end_t = b.hb_t = kLongAgo;
      break;
    }
    case TraceCmd::PRE: {
      // ping_pong: a PRE naming a row closes that half; one without a row closes every open half.
      // (At most two halves: a fixed array, no allocation per PRE.)
      Bank* closing[2] = {nullptr, nullptr};
      int n_closing = 0;
      if (halves_ > 1 && c.row >= 0) {
        closing[n_closing++] = &bank_of(ch, c.bank, c.row);
      } else {
        for (int h = 0; h < halves_; ++h) {
          Bank& b = ch.banks[size_t(c.bank * halves_ + h)];
          if (b.open_row >= 0 || halves_ == 1) closing[n_closing++] = &b;
        }
      }
      if (n_closing == 0 || closing[0]->open_row < 0) {
        const Bank& b = n_closing == 0 ? port_of(ch, c.bank) : *closing[0];
        return fail(TraceRule::row_state, line, b.close_line, 0, fmt::format("PRE to bank {}, which is closed", c.bank));
      }
      if (halves_ > 1 && c.row >= 0 && closing[0]->open_row != c.row) {
        return fail(TraceRule::row_state, line, closing[0]->act_line, 0,
                    fmt::format("PRE of row {} in bank {}, whose half has row {} open", c.row, c.bank,
                                closing[0]->open_row));
      }
      if (external) {
        if (!need(TraceRule::nPPD, t, ch.pre_t + nppd_, ch.pre_line, line)) return false;
        ch.pre_t = t;
        ch.pre_line = line;
      }
      for (int i = 0; i < n_closing; ++i) {
        if (!precharge_bank(ch, *closing[i], t, line, false)) return false;
      }
      break;
    }
    case TraceCmd::PREab:
      for (Bank& b : ch.banks) {
        if (!precharge_bank(ch, b, t, line, true)) return false;
      }
      break;
    case TraceCmd::ACTab: {
      // One ganged ACT (in_die.activation all_bank): every bank closed and past its nRC, nRP and
      // refresh; it takes a place in the activate history but, by the design's assumption, is
      // not itself bounded by nRRD or nFAW.
      for (int k = 0; k < banks_; ++k) {
        Bank& b = ch.banks[size_t(k)];
        if (b.open_row >= 0) {
          return fail(TraceRule::row_state, line, b.act_line, 0, fmt::format("ACTab with bank {} row {} open", k, b.open_row));
        }
        if (!need(TraceRule::nRC, t, b.act_t + nrc_, b.act_line, line)) return false;
        if (!need(b.closed_by_all ? TraceRule::nRPab : TraceRule::nRP, t,
                  b.close_t + (b.closed_by_all ? nrpab_ : nrppb_), b.close_line, line)) {
          return false;
        }
        if (!need(b.ref_all ? TraceRule::nRFCab : TraceRule::nRFCpb, t, b.ref_until, b.ref_line, line)) return false;
      }
      for (Bank& b : ch.banks) {
        b.open_row = c.row;
        b.act_t = t;
        b.act_line = line;
        b.rd_t = b.wr_end_t = b.hb_t = kLongAgo;
      }
      const size_t n = size_t(faw_acts_);
      ch.acts_t[ch.acts_head] = t;
      ch.acts_line[ch.acts_head] = line;
      ch.acts_head = (ch.acts_head + 1) % n;
      break;
    }
    case TraceCmd::MACab: {
      // Every bank reads the burst at `column` of `row`: all open to that row, nRCD each; MACs
      // at most one per in_die.mac_interval_ck; each bank's next PRE waits nRTP after it.
      for (int k = 0; k < banks_; ++k) {
        Bank& b = ch.banks[size_t(k)];
        if (b.open_row != c.row) {
          return fail(TraceRule::row_state, line, b.open_row < 0 ? b.close_line : b.act_line, 0,
                      b.open_row < 0 ? fmt::format("MACab with bank {} closed", k)
                                     : fmt::format("MACab to row {} with bank {} at row {}", c.row, k, b.open_row));
        }
        if (!need(TraceRule::nRCD, t, b.act_t + nrcd_, b.act_line, line)) return false;
      }
      if (!need(TraceRule::pim_mac_interval, t, ch.mac_t + pim_mac_, ch.mac_line, line)) return false;
      for (Bank& b : ch.banks) {
        b.rd_t = t;
        b.rd_line = line;
      }
      ch.mac_t = t;
      ch.mac_line = line;
      break;
    }
    case TraceCmd::RD:
    case TraceCmd::WR:
    case TraceCmd::RDA:
    case TraceCmd::WRA:
    case TraceCmd::HB_RD:
    case TraceCmd::HB_FILL:
      if (!column(ch, c, line)) return false;
      break;
    case TraceCmd::REFab:
    case TraceCmd::REFpb: {
      const bool all = c.cmd == TraceCmd::REFab;
      for (int k = all ? 0 : c.bank * halves_; k < (all ? banks_ : c.bank + 1) * halves_; ++k) {
        Bank& b = ch.banks[size_t(k)];
        if (b.open_row >= 0) {
          return fail(TraceRule::refresh_precharged, line, b.act_line, 0,
                      fmt::format("bank {} has row {} open", k / halves_, b.open_row));
        }
        if (!need(b.closed_by_all ? TraceRule::nRPab : TraceRule::nRP, t,
                  b.close_t + (b.closed_by_all ? nrpab_ : nrppb_), b.close_line, line)) {
          return false;
        }
        if (!need(b.ref_all ? TraceRule::nRFCab : TraceRule::nRFCpb, t, b.ref_until, b.ref_line, line)) return false;
      }
      for (int k = all ? 0 : c.bank * halves_; k < (all ? banks_ : c.bank + 1) * halves_; ++k) {
        Bank& b = ch.banks[size_t(k)];
        b.ref_until = t + (all ? nrfcab_ : nrfcpb_);
        b.ref_line = line;
        b.ref_all = all;
      }
      if (all == per_bank_refresh_) {
        return fail(TraceRule::refresh_schedule, line, 0, 0,
                    fmt::format("{} in {} refresh mode", all ? "REFab" : "REFpb", per_bank_refresh_ ? "per_bank" : "all_bank"));
      }
      (all ? ch.refab : ch.refpb) += 1;
      if (!refresh_schedule(ch, t, line)) return false;
      break;
    }
  }
  if (external) {
    ch.bus_t = t;
    ch.bus_line = line;
  }
  ch.last_t = t;
  ch.last_line = line;
  return true;
}

bool DramTraceChecker::finish() {
  for (Channel& ch : channels_state_) {
    if (ch.used && !refresh_schedule(ch, ch.last_t, ch.last_line)) return false;
  }
  return true;
}

TraceCheckSummary DramTraceChecker::summary() const {
  TraceCheckSummary s;
  s.commands = commands_;
  for (int k = 0; k < kCmdKinds; ++k) s.per_command.emplace_back(kCmdNames[k], counts_[size_t(k)]);
  s.checks = checks_;
  for (const Channel& ch : channels_state_) {
    if (ch.used) {
      ++s.channels;
      s.last_ps = std::max(s.last_ps, ch.last_t);
    }
  }
  return s;
}

}  // namespace h2sim

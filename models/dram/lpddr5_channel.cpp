#include "models/dram/lpddr5_channel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"

namespace h2sim {

// ---------------------------------------------------------------------------------------------
// Construction

Lpddr5Channel::Lpddr5Channel(const DramStandard& s, const HardwareConfig& hw, bool hb_ports)
    : s_(s),
      mapping_(s, s.row_bytes > 0 ? hw.bank_capacity_bytes / s.row_bytes : 0),
      rows_per_bank_(s.row_bytes > 0 ? hw.bank_capacity_bytes / s.row_bytes : 0),
      hb_ports_(hb_ports) {
  const std::string where = fmt::format("{} (dram_standard {})", hw.source_file, s.source_file);
  if (hw.banks_per_channel != s.banks()) {
    throw InputError(fmt::format("{}: key 'banks_per_channel' is {} but the DRAM standard has {} banks "
                                 "(organisation.bank_groups x organisation.banks_per_group)",
                                 where, hw.banks_per_channel, s.banks()));
  }
  if (hw.burst_bytes != s.burst_bytes) {
    throw InputError(fmt::format("{}: key 'burst_bytes' is {} but the DRAM standard's burst is {} B",
                                 where, hw.burst_bytes, s.burst_bytes));
  }
  if (hw.bank_capacity_bytes % s.row_bytes != 0 || rows_per_bank_ <= 0) {
    throw InputError(fmt::format("{}: key 'bank_capacity_mib' ({} B) is not a whole number of {} B rows",
                                 where, hw.bank_capacity_bytes, s.row_bytes));
  }
  double peak = s.peak_bandwidth_bytes_per_s();
  if (std::fabs(hw.external_bandwidth_bytes_per_s - peak) > 1e-3 * peak) {
    throw InputError(fmt::format("{}: key 'external_bandwidth_gbps' is {} but the DRAM standard peaks at {} GB/s",
                                 where, hw.external_bandwidth_bytes_per_s / 1e9, peak / 1e9));
  }
  hb_bandwidth_bytes_per_s_ = hb_ports ? hw.pe.hb_bandwidth_bytes_per_s : 0.0;
  hb_period_ps_ = 0;
  if (hb_ports) {
    if (!(hb_bandwidth_bytes_per_s_ > 0)) {
      throw InputError(fmt::format("{}: key 'pe.hb_bandwidth_gbps' is required for hybrid-bonded channels", where));
    }
    hb_period_ps_ = std::llround(double(s.hb.column_access_bytes) * 1e12 / hb_bandwidth_bytes_per_s_);
    if (hb_period_ps_ < 1) {
      throw InputError(fmt::format("{}: key 'pe.hb_bandwidth_gbps' is too high for {} B column accesses",
                                   where, s.hb.column_access_bytes));
    }
  }

  tck_ = s.tck_ps;
  const DramTimingCk& t = s.t;
  bl_ = s.ps(t.nbl); cl_ = s.ps(t.ncl); cwl_ = s.ps(t.ncwl); rcd_ = s.ps(t.nrcd); rppb_ = s.ps(t.nrppb);
  ras_ = s.ps(t.nras); rc_ = s.ps(t.nrc); rtp_ = s.ps(t.nrtp); wr_ = s.ps(t.nwr);
  ccd_s_ = s.ps(t.nccd_s); ccd_l_ = s.ps(t.nccd_l); rrd_ = s.ps(t.nrrd); faw_ = s.ps(t.nfaw);
  wtr_s_ = s.ps(t.nwtr_s); wtr_l_ = s.ps(t.nwtr_l); ppd_ = s.ps(t.nppd);
  wr_lead_ = cwl_ + bl_ + wr_;
  rrd_l_ = s.ps(t.nrrd_l);
  rtw_ = s.ps(t.nrtw);
  bg_rrd_ = rrd_l_ > rrd_;
  row_switch_ = hb_ports && hw.nmp_kind != NmpKind::in_die ? s.hb.row_switch : HbRowSwitch::exposed;
  salp_nra_ps_ = s.ps(s.salp_nra_ck());

  per_bank_refresh_ = s.refresh.mode == RefreshMode::per_bank;
  if (per_bank_refresh_) {
    // tREFIpb = tREFI / banks, rounded down to CK (refreshing slightly early is always legal).
    int64_t refi_pb = s.ps(s.refresh.nrefi_ck / s.banks());
    ref_phase_step_ = refi_pb;
    ref_period_ = refi_pb * s.banks();
    ref_block_ps_ = s.ps(t.nrppb + s.refresh.nrfcpb_ck);
  } else {
    ref_phase_step_ = 0;
    ref_period_ = s.ps(s.refresh.nrefi_ck);
    ref_block_ps_ = s.ps(t.nrpab + s.refresh.nrfcab_ck);
  }

  rpab_ = s.ps(t.nrpab);
  pim_ = hb_ports && hw.nmp_kind == NmpKind::in_die;
  if (pim_ && s.hb.row_switch != HbRowSwitch::exposed) {
    throw InputError(fmt::format("{}: the DRAM standard's hb_port.row_switch is {}, a mechanism of the hybrid-bonded "
                                 "die's per-bank controller; an nmp_kind in_die design streams every bank in lockstep "
                                 "from the host's controller (set hb_port.row_switch to exposed)",
                                 where, to_string(s.hb.row_switch)));
  }
  if (pim_) {
    if (per_bank_refresh_) {
      throw InputError(fmt::format("{}: nmp_kind in_die drives every bank in lockstep, which needs all-bank refresh "
                                   "(the standard's refresh.mode is per_bank; set it to all_bank)", where));
    }
    if (hw.in_die.mac_interval_ck < t.nccd_l) {
      throw InputError(fmt::format("{}: key 'in_die.mac_interval_ck' is {} CK, but an all-bank MAC reads every bank "
                                   "group, so two are at least nCCD_L = {} CK apart (timing.nccd_l_ck)",
                                   where, hw.in_die.mac_interval_ck, t.nccd_l));
    }
    pim_mac_ps_ = s.ps(hw.in_die.mac_interval_ck);
    pim_all_bank_act_ = hw.in_die.activation == InDieActivation::all_bank;
    // One burst per bank per MACab: the per-bank rate the analytic model takes from
    // pe.hb_bandwidth_gbps is the command timing's here, so the two must agree.
    const double implied = double(s.burst_bytes) * 1e12 / double(pim_mac_ps_);
    if (std::fabs(implied - hw.pe.hb_bandwidth_bytes_per_s) > 1e-3 * implied) {
      throw InputError(fmt::format(
          "{}: key 'pe.hb_bandwidth_gbps' is {} but in-die all-bank MACs every {} CK ({} ns) move one {} B burst "
          "per bank: {} GB/s. Make pe.hb_bandwidth_gbps agree with in_die.mac_interval_ck",
          where, hw.pe.hb_bandwidth_bytes_per_s / 1e9, hw.in_die.mac_interval_ck, double(pim_mac_ps_) / 1e3,
          s.burst_bytes, implied / 1e9));
    }
  }

  banks_.assign(size_t(s.banks()), Bank{});
  if (row_switch_ == HbRowSwitch::salp) {
    sa_act_ps_.assign(size_t(s.banks() * s.hb.subarrays_per_bank), -kDramNever);
    sa_pre_ps_.assign(size_t(s.banks() * s.hb.subarrays_per_bank), -kDramNever);
  }
  for (int b = 0; b < s.banks(); ++b) bg_of_.push_back(int(b / s.banks_per_group));
  last_col_bg_.assign(size_t(s.bank_groups), -kDramNever);
  wr_end_bg_.assign(size_t(s.bank_groups), -kDramNever);
  queues_.resize(size_t(s.banks()));
  cand_.resize(size_t(s.banks()));
  act_cat0_ = 1 + 2 * int(s.bank_groups);
  n_cats_ = act_cat0_ + (bg_rrd_ ? int(s.bank_groups) : 1);
  bound_.assign(size_t(n_cats_), 0);
  act_min_from_.assign(size_t(n_cats_), kDramNever);
  act_cache_from_.assign(size_t(n_cats_), -1);
  act_cache_time_.assign(size_t(n_cats_), 0);
  act_cache_version_.assign(size_t(n_cats_), 0);
  int capacity = 1;
  while (capacity < s.controller.queue_depth) capacity *= 2;
  for (auto& q : queues_) {
    q.ring.resize(size_t(capacity));
    q.mask = capacity - 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Refresh calendar: bank b's windows start at phase(b) + j * period, j >= 0.

int64_t Lpddr5Channel::next_refresh_ps(int bank, int64_t t) const {
  int64_t ph = per_bank_refresh_ ? ref_phase_step_ * (bank + 1) : ref_period_;
  if (t < ph) return ph;
  return ph + ((t - ph) / ref_period_ + 1) * ref_period_;
}

int64_t Lpddr5Channel::refresh_legal(int bank, int64_t t, int64_t lead_ps) const {
  int64_t ph = per_bank_refresh_ ? ref_phase_step_ * (bank + 1) : ref_period_;
  // The first window that has not ended by t.
  int64_t j = t < ph + ref_block_ps_ ? 0 : (t - ph - ref_block_ps_) / ref_period_ + 1;
  int64_t start = ph + j * ref_period_;
  // The command (with what it commits the bank to) must finish before the window starts.
  if (t + lead_ps > start) return start + ref_block_ps_;
  return t;
}

int64_t Lpddr5Channel::refreshes_started_by(int bank, int64_t t) const {
  int64_t ph = per_bank_refresh_ ? ref_phase_step_ * (bank + 1) : ref_period_;
  if (t <= ph) return 0;
  return (t - 1 - ph) / ref_period_ + 1;
}

void Lpddr5Channel::close_main_by_refresh(int bank) {
  Bank& k = banks_[size_t(bank)];
  dirty_ |= uint64_t(1) << bank;
  if (k.open_row >= 0) {
    k.busy_ps += k.closes_at_ps - k.act_ps;
    k.next_act_ps = std::max(k.next_act_ps, k.closes_at_ps + ref_block_ps_);
    for (int64_t& h : k.half_next_act_ps) h = std::max(h, k.closes_at_ps + ref_block_ps_);
    k.refresh_closed_ps = k.closes_at_ps;
  }
  k.open_row = -1;
  k.closes_at_ps = kDramNever;
}

void Lpddr5Channel::close_side_by_refresh(int bank) {
  Bank& k = banks_[size_t(bank)];
  if (k.side_row < 0) return;
  dirty_ |= uint64_t(1) << bank;
  k.busy_ps += k.side_closes_at_ps - k.side_act_ps;
  k.next_act_ps = std::max(k.next_act_ps, k.side_closes_at_ps + ref_block_ps_);
  for (int64_t& h : k.half_next_act_ps) h = std::max(h, k.side_closes_at_ps + ref_block_ps_);
  k.refresh_closed_ps = std::max(k.refresh_closed_ps, k.side_closes_at_ps);
  k.side_row = -1;
  k.side_closes_at_ps = kDramNever;
}

void Lpddr5Channel::close_by_refresh(int bank) {
  Bank& k = banks_[size_t(bank)];
  // ping_pong: the same window closes the other half's row if it was open by then.
  const bool side_too = k.side_row >= 0 && (k.open_row < 0 || k.side_closes_at_ps <= k.closes_at_ps);
  close_main_by_refresh(bank);
  if (side_too) close_side_by_refresh(bank);
}

void Lpddr5Channel::sync_refresh(int bank, int64_t t) {
  const Bank& k = banks_[size_t(bank)];
  if (k.open_row >= 0 && k.closes_at_ps <= t) {
    close_by_refresh(bank);
  } else if (k.side_row >= 0 && k.side_closes_at_ps <= t) {
    close_side_by_refresh(bank);
  }
}

void Lpddr5Channel::note_row_closed(int bank, int64_t row, int64_t t) {
  if (row_switch_ == HbRowSwitch::salp) sa_pre_ps_[sa_index(bank, row)] = t;
  if (row_switch_ == HbRowSwitch::ping_pong) {
    int64_t& h = banks_[size_t(bank)].half_next_act_ps[row % 2];
    h = std::max(h, t + rppb_);
  }
}

// ---------------------------------------------------------------------------------------------
// Activate window: at most activates_per_faw ACTs in any nFAW, and nRRD between any two.

size_t Lpddr5Channel::acts_after(int64_t x) const {
  // Queries are almost always near the newest ACTs: gallop back from the end, then bisect.
  size_t hi = acts_.size(), step = 1;
  size_t lo = hi;
  while (lo > act_head_ && acts_[lo - 1] > x) {
    hi = lo;
    lo = lo > act_head_ + step ? lo - step : act_head_;
    step *= 2;
  }
  if (lo == hi) return hi;
  return size_t(std::upper_bound(acts_.begin() + std::ptrdiff_t(lo), acts_.begin() + std::ptrdiff_t(hi), x) -
                acts_.begin());
}

bool Lpddr5Channel::act_window_legal(int64_t t, int bg) const {
  const size_t first = acts_after(t - faw_);  // ACTs > t - nFAW
  auto lo = acts_.begin() + std::ptrdiff_t(first);
  int64_t buf[64];
  int n = 0;
  bool placed = false;
  for (auto it = lo; it != acts_.end() && *it < t + faw_; ++it) {
    if (*it > t - rrd_ && *it < t + rrd_) return false;
    if (bg_rrd_ && *it > t - rrd_l_ && *it < t + rrd_l_ && acts_bg_[size_t(it - acts_.begin())] == bg) return false;
    if (!placed && *it > t) {
      buf[n++] = t;
      placed = true;
    }
    if (n >= 63) break;  // only reached with absurd activate limits; the window is then full
    buf[n++] = *it;
  }
  if (!placed) buf[n++] = t;
  const int limit = int(s_.t.activates_per_faw);
  for (int i = 0; i + limit < n; ++i) {
    if (buf[i + limit] - buf[i] < faw_) return false;
  }
  return true;
}

int64_t Lpddr5Channel::act_window_earliest(int64_t t, int bg) const {
  while (!act_window_legal(t, bg)) {
    // The legal set's left ends are ACT + nRRD, ACT + nRRD_L and ACT + nFAW: step to the next
    // one after t.
    int64_t next = kDramNever;
    size_t a1 = acts_after(t - rrd_);
    if (a1 < acts_.size()) next = std::min(next, acts_[a1] + rrd_);
    if (bg_rrd_) {
      for (size_t i = acts_after(t - rrd_l_); i < acts_.size() && acts_[i] < t + rrd_l_; ++i) {
        if (acts_bg_[i] == bg) {
          next = std::min(next, acts_[i] + rrd_l_);
          break;
        }
      }
    }
    size_t a2 = acts_after(t - faw_);
    if (a2 < acts_.size()) next = std::min(next, acts_[a2] + faw_);
    if (next <= t) throw InternalError("activate window search did not advance");
    t = next;
  }
  return t;
}

void Lpddr5Channel::act_window_insert(int64_t t, int bg) {
  ++acts_version_;
  if (acts_.empty() || acts_.back() <= t) {
    acts_.push_back(t);
    if (bg_rrd_) acts_bg_.push_back(bg);
  } else {
    const size_t at = acts_after(t);
    acts_.insert(acts_.begin() + std::ptrdiff_t(at), t);
    if (bg_rrd_) acts_bg_.insert(acts_bg_.begin() + std::ptrdiff_t(at), bg);
  }
}

int64_t Lpddr5Channel::enter(int64_t now_ps) {
  now_ps = std::max(now_ps, latest_now_);
  latest_now_ = now_ps;
  if (obs_) observe_advance(now_ps);
  // No later command can be issued before now: older ACTs beyond nFAW constrain nothing.
  while (act_head_ < acts_.size() && acts_[act_head_] <= now_ps - faw_) ++act_head_;
  ++acts_version_;
  if (act_head_ > 4096 && act_head_ * 2 > acts_.size()) {
    acts_.erase(acts_.begin(), acts_.begin() + std::ptrdiff_t(act_head_));
    if (bg_rrd_) acts_bg_.erase(acts_bg_.begin(), acts_bg_.begin() + std::ptrdiff_t(act_head_));
    act_head_ = 0;
  }
  return align_ck(now_ps);
}

// ---------------------------------------------------------------------------------------------
// Earliest legal times (external path) and command effects.

int64_t Lpddr5Channel::col_earliest(int bank, DramAccess kind, int64_t from) const {
  const Bank& k = banks_[size_t(bank)];
  const size_t g = size_t(bg_of_[size_t(bank)]);
  int64_t t = std::max({from, cmd_free_, k.next_col_ps, k.hb_busy_until_ps, last_col_bg_[g] + ccd_l_,
                        last_col_ + ccd_s_});
  int64_t lead;
  if (kind == DramAccess::read) {
    t = std::max({t, data_free_ - cl_, wr_end_bg_[g] + wtr_l_, wr_end_ + wtr_s_});
    lead = rtp_;
  } else {
    t = std::max(t, data_free_ - cwl_);
    if (rtw_ > 0) t = std::max(t, last_rd_ + rtw_);
    lead = wr_lead_;
  }
  // The ACT left room before the next refresh; past that the refresh closes the row first.
  return t + lead > k.closes_at_ps ? kDramNever : t;
}

int64_t Lpddr5Channel::pre_earliest(int bank, int64_t from) const {
  const Bank& k = banks_[size_t(bank)];
  int64_t t = std::max({from, cmd_free_, k.pre_after_act_ps, k.pre_after_col_ps, k.pre_after_hb_col_ps,
                        last_pre_ + ppd_});
  return t + tck_ > k.closes_at_ps ? kDramNever : t;
}

int64_t Lpddr5Channel::act_earliest(int bank, int64_t from, bool external) const {
  const Bank& k = banks_[size_t(bank)];
  int64_t t = std::max(from, k.next_act_ps);
  if (external) t = std::max(t, cmd_free_);
  for (;;) {
    t = refresh_legal(bank, t, ras_);
    int64_t t2 = act_window_earliest(t, bg_of_[size_t(bank)]);
    if (t2 == t) return t;
    t = t2;
  }
}

int64_t Lpddr5Channel::act_window_and_refresh(int bank, int64_t t) const {
  for (;;) {
    t = refresh_legal(bank, t, ras_);
    const int64_t t2 = act_window_earliest(t, bg_of_[size_t(bank)]);
    if (t2 == t) return t;
    t = t2;
  }
}

int64_t Lpddr5Channel::act_time_all_bank(int64_t t, int bg) {
  // act_earliest without the bank's own limits (the caller's `from` includes them): with all-bank
  // refresh the calendar is the same for every bank.
  for (;;) {
    t = refresh_legal(0, t, ras_);
    const int64_t t2 = act_window_earliest(t, bg);
    if (t2 == t) return t;
    t = t2;
  }
}

void Lpddr5Channel::do_act(int bank, int64_t row, int64_t t, DramPath path, bool ganged) {
  Bank& k = banks_[size_t(bank)];
  dirty_ |= uint64_t(1) << bank;
  if (!ganged) act_window_insert(t, bg_of_[size_t(bank)]);
  k.open_row = row;
  k.act_ps = t;
  if (row_switch_ == HbRowSwitch::salp) sa_act_ps_[sa_index(bank, row)] = t;
  if (row_switch_ == HbRowSwitch::ping_pong) k.half_next_act_ps[row % 2] = t + rc_;
  k.closes_at_ps = next_refresh_ps(bank, t);
  k.next_col_ps = t + rcd_;
  k.pre_after_act_ps = t + ras_;
  k.next_act_ps = t + rc_;
  k.fresh = true;
  k.opened_by = path;
  if (ganged) {  // one bank of an ACTab: the caller counts and reports the command
    ++hb_.activates;
    return;
  }
  ++counts_.act;
  if (obs_) observe(DramCommandKind::act, path, bank, row, -1, t);
  if (path == DramPath::external) {
    cmd_free_ = t + tck_;
    ++ext_.activates;
  } else {
    ++hb_.activates;
  }
}

void Lpddr5Channel::do_pre(int bank, int64_t t, DramPath path) {
  Bank& k = banks_[size_t(bank)];
  dirty_ |= uint64_t(1) << bank;
  DramPathStats& ps = path == DramPath::external ? ext_ : hb_;
  if (k.opened_by != path) ++ps.conflict_row_switches;
  k.busy_ps += t + rppb_ - k.act_ps;
  k.next_act_ps = std::max(k.next_act_ps, t + rppb_);
  note_row_closed(bank, k.open_row, t);
  // ping_pong: the PRE names the row it closes (the half it precharges; docs/dram.md).
  const int64_t closed_row = row_switch_ == HbRowSwitch::ping_pong ? k.open_row : -1;
  k.open_row = -1;
  k.closes_at_ps = kDramNever;
  ++counts_.pre;
  ++ps.precharges;
  if (obs_) observe(DramCommandKind::pre, path, bank, closed_row, -1, t);
  if (path == DramPath::external) {
    cmd_free_ = t + tck_;
    last_pre_ = t;
  }
}

void Lpddr5Channel::do_col(int bank, DramAccess kind, int64_t t, int64_t column, bool auto_pre) {
  Bank& k = banks_[size_t(bank)];
  if (obs_) {
    const DramCommandKind c = kind == DramAccess::read ? (auto_pre ? DramCommandKind::rda : DramCommandKind::rd)
                                                       : (auto_pre ? DramCommandKind::wra : DramCommandKind::wr);
    observe(c, DramPath::external, bank, k.open_row, column, t);
  }
  dirty_ |= uint64_t(1) << bank;
  const size_t g = size_t(bg_of_[size_t(bank)]);
  last_col_bg_[g] = t;
  last_col_ = t;
  cmd_free_ = t + tck_;
  k.ext_busy_until_ps = std::max(k.ext_busy_until_ps, t + ccd_l_);
  if (kind == DramAccess::read) {
    data_free_ = t + cl_ + bl_;
    last_rd_ = t;
    k.pre_after_col_ps = std::max(k.pre_after_col_ps, t + rtp_);
    ++counts_.rd;
    ext_.bytes_read += s_.burst_bytes;
  } else {
    data_free_ = t + cwl_ + bl_;
    wr_end_ = wr_end_bg_[g] = data_free_;
    k.pre_after_col_ps = std::max(k.pre_after_col_ps, data_free_ + wr_);
    ++counts_.wr;
    ext_.bytes_written += s_.burst_bytes;
  }
  ++ext_.column_accesses;
  if (!k.fresh) ++ext_.row_hits;
  k.fresh = false;
  ext_.last_data_ps = std::max(ext_.last_data_ps, data_free_);
}

void Lpddr5Channel::auto_precharge(int bank) {
  // RDA/WRA: the bank closes itself as soon as nRAS and nRTP / write recovery allow.
  Bank& k = banks_[size_t(bank)];
  dirty_ |= uint64_t(1) << bank;
  int64_t p = std::max(k.pre_after_act_ps, k.pre_after_col_ps);
  k.busy_ps += p + rppb_ - k.act_ps;
  k.next_act_ps = std::max(k.next_act_ps, p + rppb_);
  note_row_closed(bank, k.open_row, p);
  k.open_row = -1;
  k.closes_at_ps = kDramNever;
  ++counts_.pre;
  ++ext_.precharges;
}

// ---------------------------------------------------------------------------------------------
// Single-command harness

int64_t Lpddr5Channel::earliest(DramCommand cmd, int bank, int64_t row, int64_t from_ps) {
  if (bank < 0 || bank >= int(banks_.size())) throw InternalError(fmt::format("bank {} out of range", bank));
  from_ps = align_ck(from_ps);
  sync_refresh(bank, from_ps);
  const Bank& k = banks_[size_t(bank)];
  switch (cmd) {
    case DramCommand::act:
      return k.open_row >= 0 ? kDramNever : act_earliest(bank, from_ps, true);
    case DramCommand::pre:
      return k.open_row < 0 ? kDramNever : pre_earliest(bank, from_ps);
    case DramCommand::rd:
    case DramCommand::wr:
      if (k.open_row != row) return kDramNever;
      return col_earliest(bank, cmd == DramCommand::rd ? DramAccess::read : DramAccess::write, from_ps);
  }
  return kDramNever;
}

void Lpddr5Channel::issue(DramCommand cmd, int bank, int64_t row, int64_t at_ps, int64_t column) {
  int64_t e = earliest(cmd, bank, row, at_ps);
  if (e != at_ps) {
    throw InternalError(fmt::format("command {} to bank {} at {} ps is illegal (earliest legal: {})", int(cmd),
                                    bank, at_ps, e == kDramNever ? std::string("never") : std::to_string(e)));
  }
  switch (cmd) {
    case DramCommand::act: do_act(bank, row, at_ps, DramPath::external); break;
    case DramCommand::pre: do_pre(bank, at_ps, DramPath::external); break;
    case DramCommand::rd: do_col(bank, DramAccess::read, at_ps, column); break;
    case DramCommand::wr: do_col(bank, DramAccess::write, at_ps, column); break;
  }
}

// ---------------------------------------------------------------------------------------------
// Command observation

void Lpddr5Channel::set_command_observer(DramCommandObserver* observer, int channel) {
  obs_ = observer;
  obs_channel_ = channel;
  obs_next_refresh_ = 0;
  obs_horizon_ = 0;
  if (obs_) observe_advance(latest_now_);
}

void Lpddr5Channel::observe_advance(int64_t h) {
  // Refresh windows in calendar order: all-bank k starts at (k + 1) * tREFI; per-bank k is bank
  // k % banks at (k + 1) * tREFIpb (next_refresh_ps). A window is reported once no later call can
  // change what happened at its start (h > start): whether its bank had a row open then.
  const int n_banks = int(banks_.size());
  const int64_t step = per_bank_refresh_ ? ref_phase_step_ : ref_period_;
  for (int64_t s = (obs_next_refresh_ + 1) * step; s < h; s = (++obs_next_refresh_ + 1) * step) {
    if (!per_bank_refresh_) {
      observe(DramCommandKind::pre_all, DramPath::refresh, -1, -1, -1, s);
      observe(DramCommandKind::ref_all, DramPath::refresh, -1, -1, -1, s + s_.ps(s_.t.nrpab));
    } else {
      const int b = int(obs_next_refresh_ % n_banks);
      const Bank& k = banks_[size_t(b)];
      if ((k.open_row >= 0 && k.closes_at_ps == s) || k.refresh_closed_ps == s) {
        observe(DramCommandKind::pre, DramPath::refresh, b, -1, -1, s);
      }
      observe(DramCommandKind::ref_bank, DramPath::refresh, b, -1, -1, s + rppb_);
    }
  }
  if (h > obs_horizon_) {
    obs_horizon_ = h;
    obs_->on_horizon(obs_channel_, h);
  }
}

void Lpddr5Channel::finish_commands(int64_t end_ps) {
  if (!obs_) return;
  observe_advance(end_ps);
  obs_->on_horizon(obs_channel_, kDramCommandEnd);
  obs_horizon_ = kDramCommandEnd;
}

// ---------------------------------------------------------------------------------------------
// Statistics

DramStats Lpddr5Channel::stats() const {
  DramStats st;
  st.commands = counts_;
  st.external = ext_;
  st.hb = hb_;
  st.pim = pim_stats_;
  st.end_ps = std::max(ext_.last_data_ps, hb_.last_data_ps);
  const int64_t end = st.end_ps;
  for (int b = 0; b < int(banks_.size()); ++b) {
    const Bank& k = banks_[size_t(b)];
    int64_t busy = k.busy_ps;
    if (k.open_row >= 0 && k.act_ps < end) busy += std::min(end, k.closes_at_ps) - k.act_ps;
    int64_t n = refreshes_started_by(b, end);
    if (n > 0) {
      int64_t last_start = next_refresh_ps(b, end - 1) - ref_period_;  // the last start before end
      busy += (n - 1) * ref_block_ps_ + std::min(ref_block_ps_, end - last_start);
    }
    st.bank_busy_ps.push_back(busy);
    if (per_bank_refresh_) {
      st.commands.ref_bank += n;
    } else if (b == 0) {
      st.commands.ref_all = n;
      st.commands.pre_all = n;
    }
  }
  return st;
}

}  // namespace h2sim

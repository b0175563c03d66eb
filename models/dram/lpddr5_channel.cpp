#include "models/dram/lpddr5_channel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"

namespace h2sim {

namespace {
int log2_exact(int64_t v) {  // -1 unless v is a power of two
  if (v <= 0 || (v & (v - 1)) != 0) return -1;
  int s = 0;
  while ((int64_t(1) << s) < v) ++s;
  return s;
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Address mapping

DramAddressMapping::DramAddressMapping(const DramStandard& s, int64_t rows_per_bank)
    : burst_bytes_(s.burst_bytes),
      burst_shift_(log2_exact(s.burst_bytes)),
      banks_per_group_(s.banks_per_group),
      capacity_bytes_(s.banks() * rows_per_bank * s.row_bytes) {
  for (AddressField f : s.controller.address_mapping) {
    int64_t radix = 0;
    switch (f) {
      case AddressField::bank_group: radix = s.bank_groups; break;
      case AddressField::bank: radix = s.banks_per_group; break;
      case AddressField::column: radix = s.bursts_per_row(); break;
      case AddressField::row: radix = rows_per_bank; break;
    }
    fields_.push_back({f, radix, log2_exact(radix)});
  }
}

DramAddress DramAddressMapping::decode(int64_t address) const {
  int64_t x = burst_shift_ >= 0 ? (address >> burst_shift_) : address / burst_bytes_;
  DramAddress a;
  int64_t bank_in_group = 0;
  for (const Field& f : fields_) {
    int64_t v;
    if (f.shift >= 0) {
      v = x & (f.radix - 1);
      x >>= f.shift;
    } else {
      v = x % f.radix;
      x /= f.radix;
    }
    switch (f.kind) {
      case AddressField::bank_group: a.bank_group = int(v); break;
      case AddressField::bank: bank_in_group = v; break;
      case AddressField::column: a.column = v; break;
      case AddressField::row: a.row = v; break;
    }
  }
  a.bank = int(a.bank_group * banks_per_group_ + bank_in_group);
  return a;
}

int64_t DramAddressMapping::encode(const DramAddress& a) const {
  int64_t x = 0;
  for (auto it = fields_.rbegin(); it != fields_.rend(); ++it) {
    int64_t v = 0;
    switch (it->kind) {
      case AddressField::bank_group: v = a.bank_group; break;
      case AddressField::bank: v = a.bank % banks_per_group_; break;
      case AddressField::column: v = a.column; break;
      case AddressField::row: v = a.row; break;
    }
    x = x * it->radix + v;
  }
  return x * burst_bytes_;
}

double DramStats::mean_bank_utilization() const {
  if (bank_busy_ps.empty()) return 0.0;
  double sum = 0;
  for (size_t b = 0; b < bank_busy_ps.size(); ++b) sum += bank_utilization(int(b));
  return sum / double(bank_busy_ps.size());
}

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
  hb_hidden_ps_ = std::llround(s.hb.row_switch_overlap * double(rtp_ + rppb_ + rcd_));

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

void Lpddr5Channel::close_by_refresh(int bank) {
  Bank& k = banks_[size_t(bank)];
  dirty_ |= uint64_t(1) << bank;
  k.busy_ps += k.closes_at_ps - k.act_ps;
  k.next_act_ps = std::max(k.next_act_ps, k.closes_at_ps + ref_block_ps_);
  k.refresh_closed_ps = k.closes_at_ps;
  k.open_row = -1;
  k.closes_at_ps = kDramNever;
}

void Lpddr5Channel::sync_refresh(int bank, int64_t t) {
  const Bank& k = banks_[size_t(bank)];
  if (k.open_row >= 0 && k.closes_at_ps <= t) close_by_refresh(bank);
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
  k.open_row = -1;
  k.closes_at_ps = kDramNever;
  ++counts_.pre;
  ++ps.precharges;
  if (obs_) observe(DramCommandKind::pre, path, bank, -1, -1, t);
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
// External path: FR-FCFS

void Lpddr5Channel::BankQueue::erase(int i) {
  if (i == 0) {
    head = (head + 1) & mask;
  } else {
    for (int j = i; j + 1 < size; ++j) at(j) = at(j + 1);
  }
  --size;
}

void Lpddr5Channel::refresh_candidate(int b) {
  // Its oldest row hit (column command), else PRE if a row is open, else ACT for the oldest.
  const Bank& k = banks_[size_t(b)];
  BankQueue& q = queues_[size_t(b)];
  Candidate& c = cand_[size_t(b)];
  if (k.open_row >= 0) {
    int idx = -1;
    for (int i = 0; i < q.size; ++i) {
      if (q.at(i).row == k.open_row) {
        idx = i;
        break;
      }
    }
    if (idx >= 0) {
      const Entry& e = q.at(idx);
      const bool rd = e.kind == DramAccess::read;
      const int g = bg_of_[size_t(b)];
      c = {std::max({e.arrival_ps, k.next_col_ps, k.hb_busy_until_ps}), k.closes_at_ps - (rd ? rtp_ : wr_lead_), e.seq,
           idx, rd ? DramCommand::rd : DramCommand::wr, rd ? 1 + g : 1 + int(s_.bank_groups) + g, 0};
    } else {
      c = {std::max({q.at(0).arrival_ps, k.pre_after_act_ps, k.pre_after_col_ps, k.pre_after_hb_col_ps}),
           k.closes_at_ps - tck_, q.at(0).seq, 0, DramCommand::pre, 0, 1};
    }
  } else {
    c = {std::max(q.at(0).arrival_ps, k.next_act_ps), kDramNever, q.at(0).seq, 0, DramCommand::act,
         act_cat0_ + (bg_rrd_ ? bg_of_[size_t(b)] : 0), 1};
  }
}

int64_t Lpddr5Channel::run_external(ExternalRequestSource& source, int64_t now_ps) {
  const int64_t now = enter(now_ps);
  const int depth = int(s_.controller.queue_depth);
  const bool closed_page = s_.controller.page_policy == PagePolicy::closed;
  const int n_bg = int(s_.bank_groups);
  int64_t slot_free = now;  // a request enters the queue when a slot frees (or when it arrives)
  int64_t seq = 0;
  int64_t last_data = now;
  uint64_t nonempty = 0;
  int queued = 0, queued_writes = 0;
  bool more = true;
  ExternalRequest req;

  struct ActCandidate {
    int64_t from;  // earliest time before the activate window and refresh are applied
    int64_t seq;
    int bank;
  };
  ActCandidate acts[64];
  dirty_ = ~uint64_t(0);  // the other path may have changed any bank since the last call
  int64_t col_bound[2][64];  // [read, write][bank group]: bus, bank-group and turnaround limits

  for (;;) {
    while (queued < depth && more) {
      if (!source.next(req)) {
        more = false;
        break;
      }
      if (req.address < 0 || req.address >= mapping_.capacity_bytes()) {
        throw InputError(fmt::format("external access at byte {} is outside the channel's {} B",
                                     req.address, mapping_.capacity_bytes()));
      }
      DramAddress a = mapping_.decode(req.address);
      queues_[size_t(a.bank)].push(
          {seq++, align_ck(std::max(req.arrival_ps, slot_free)), a.row, req.kind, int32_t(a.column)});
      nonempty |= uint64_t(1) << a.bank;
      dirty_ |= uint64_t(1) << a.bank;
      ++queued;
      if (req.kind == DramAccess::write) ++queued_writes;
    }
    if (queued == 0) break;

    // The limits every column command of a bank group shares (col_earliest, hoisted).
    const int64_t any_col = std::max(cmd_free_, last_col_ + ccd_s_);
    for (int g = 0; g < n_bg; ++g) {
      int64_t bg = std::max(any_col, last_col_bg_[size_t(g)] + ccd_l_);
      col_bound[0][g] = std::max({bg, data_free_ - cl_, wr_end_bg_[size_t(g)] + wtr_l_, wr_end_ + wtr_s_});
      if (queued_writes) col_bound[1][g] = std::max({bg, data_free_ - cwl_, rtw_ > 0 ? last_rd_ + rtw_ : bg});
    }

    // Each bank with work offers one command: its oldest row hit, else PRE (a miss is waiting and
    // no hit is), else ACT for its oldest request. The earliest wins; ties go to column commands
    // (first ready), then to the oldest request (first come).
    int64_t best_key = 2 * kDramNever, best_seq = INT64_MAX;
    int best_bank = -1, best_idx = 0;
    DramCommand best_cmd = DramCommand::act;
    int n_acts = 0;
    // Few banks with work (a sequential stream keeps about one per bank group busy): the single
    // pass below is cheaper; many (random traffic): two passes. Both give the same decision.
    if (!per_bank_refresh_ && (bg_rrd_ || __builtin_popcountll(nonempty) >= 8)) {
      // The same decision in two passes without a branch per command kind (random traffic mixes
      // them, and mispredicted branches dominated the scan). A candidate's time is
      // max(its bank-local time, its category's channel-wide bound). For ACTs the bound is the
      // earliest legal ACT at or after the category's smallest `from`: with all-bank refresh that
      // function is the same for every bank of the category and monotone, so every ACT whose
      // `from` is not later ties at it, and a later one cannot win (see the slow path below).
      int64_t* bound = bound_.data();
      bound[0] = std::max(cmd_free_, last_pre_ + ppd_);
      for (int g = 0; g < n_bg; ++g) {
        bound[1 + g] = col_bound[0][g];
        bound[1 + n_bg + g] = queued_writes ? col_bound[1][g] : kDramNever;
      }
      for (int a = act_cat0_; a < n_cats_; ++a) {
        bound[a] = -kDramNever;
        act_min_from_[size_t(a)] = kDramNever;
      }
      for (uint64_t m = nonempty; m; m &= m - 1) {
        const int b = __builtin_ctzll(m);
        const uint64_t bit = uint64_t(1) << b;
        if (dirty_ & bit) {
          refresh_candidate(b);
          dirty_ &= ~bit;
        }
        const Candidate* c = &cand_[size_t(b)];
        if (std::max(c->local_ps, bound[c->cat]) > c->limit_ps) {
          close_by_refresh(b);  // nothing fits before the refresh, which closes the row
          refresh_candidate(b);
          dirty_ &= ~bit;
          c = &cand_[size_t(b)];
        }
        // Smallest `from` per category (only the ACT categories' entries are read; no branch).
        int64_t& mf = act_min_from_[size_t(c->cat)];
        mf = std::min(mf, c->local_ps);
      }
      for (int a = act_cat0_; a < n_cats_; ++a) {
        const int64_t mf = act_min_from_[size_t(a)];
        if (mf >= kDramNever) continue;
        const int64_t from = std::max(mf, cmd_free_);
        // A remembered answer T for an earlier `from'` still holds for any from in [from', T]: T is
        // legal and nothing in [from', T) is.
        if (act_cache_version_[size_t(a)] != acts_version_ || from < act_cache_from_[size_t(a)] ||
            from > act_cache_time_[size_t(a)]) {
          act_cache_from_[size_t(a)] = from;
          act_cache_version_[size_t(a)] = acts_version_;
          act_cache_time_[size_t(a)] = act_time_all_bank(from, a - act_cat0_);
        }
        bound[a] = act_cache_time_[size_t(a)];
      }
      for (uint64_t m = nonempty; m; m &= m - 1) {
        const int b = __builtin_ctzll(m);
        const Candidate& c = cand_[size_t(b)];
        const int64_t key = 2 * std::max(c.local_ps, bound[c.cat]) + c.rank;
        if (key < best_key || (key == best_key && c.seq < best_seq)) {
          best_key = key, best_seq = c.seq, best_bank = b, best_idx = c.idx, best_cmd = c.cmd;
        }
      }
    } else
    for (uint64_t m = nonempty; m; m &= m - 1) {
      const int b = __builtin_ctzll(m);
      const uint64_t bit = uint64_t(1) << b;
      Candidate& c = cand_[size_t(b)];
      for (;;) {
        if (dirty_ & bit) {
          refresh_candidate(b);
          dirty_ &= ~bit;
        }
        int64_t t;
        if (c.cmd == DramCommand::act) {
          acts[n_acts++] = {std::max(c.local_ps, cmd_free_), c.seq, b};
          break;
        } else if (c.cmd == DramCommand::pre) {
          t = std::max({c.local_ps, cmd_free_, last_pre_ + ppd_});
        } else {
          t = std::max(c.local_ps, col_bound[c.cmd == DramCommand::rd ? 0 : 1][bg_of_[size_t(b)]]);
        }
        if (t > c.limit_ps) {
          close_by_refresh(b);  // nothing fits before the refresh, which closes the row
          continue;
        }
        // Order: time, then column before row commands (2t + rank, one integer), then age.
        const int64_t key = 2 * t + (c.cmd == DramCommand::pre ? 1 : 0);
        if (key < best_key || (key == best_key && c.seq < best_seq)) {
          best_key = key, best_seq = c.seq, best_bank = b, best_idx = c.idx, best_cmd = c.cmd;
        }
        break;
      }
    }
    // ACT candidates: the activate window and the refresh calendar only move a time later, and
    // "earliest legal time >= x" is monotone in x. With all-bank refresh that function is the same
    // for every bank, so one evaluation at the smallest `from` gives the earliest ACT, and every
    // candidate whose `from` is not later ties with it. Per-bank refresh or an nRRD_L rule (the
    // function then depends on the bank): evaluate each candidate that could still win.
    if (n_acts > 0) {
      if (!per_bank_refresh_ && !bg_rrd_) {
        int lo = 0;
        for (int i = 1; i < n_acts; ++i) {
          if (acts[i].from < acts[lo].from) lo = i;
        }
        const int64_t t = act_earliest(acts[lo].bank, acts[lo].from, true);
        for (int i = 0; i < n_acts; ++i) {
          if (acts[i].from > t) continue;
          if (2 * t + 1 < best_key || (2 * t + 1 == best_key && acts[i].seq < best_seq)) {
            best_key = 2 * t + 1, best_seq = acts[i].seq, best_bank = acts[i].bank, best_idx = 0;
            best_cmd = DramCommand::act;
          }
        }
      } else {
        for (int i = 0; i < n_acts; ++i) {
          if (2 * acts[i].from > best_key) continue;
          const int64_t t = act_earliest(acts[i].bank, acts[i].from, true);
          if (2 * t + 1 < best_key || (2 * t + 1 == best_key && acts[i].seq < best_seq)) {
            best_key = 2 * t + 1, best_seq = acts[i].seq, best_bank = acts[i].bank, best_idx = 0;
            best_cmd = DramCommand::act;
          }
        }
      }
    }

    const int64_t best_t = best_key / 2;
    BankQueue& q = queues_[size_t(best_bank)];
    Bank& k = banks_[size_t(best_bank)];
    switch (best_cmd) {
      case DramCommand::act: do_act(best_bank, q.at(0).row, best_t, DramPath::external); break;
      case DramCommand::pre: do_pre(best_bank, best_t, DramPath::external); break;
      case DramCommand::rd:
      case DramCommand::wr: {
        const Entry e = q.at(best_idx);
        q.erase(best_idx);
        dirty_ |= uint64_t(1) << best_bank;
        if (q.size == 0) nonempty &= ~(uint64_t(1) << best_bank);
        --queued;
        if (e.kind == DramAccess::write) --queued_writes;
        if (k.hb_busy_until_ps > e.arrival_ps) {
          ext_.conflict_wait_ps += std::min(best_t, k.hb_busy_until_ps) - e.arrival_ps;
        }
        // Closed page: the last queued hit to this row closes the bank (RDA/WRA).
        bool auto_pre = false;
        if (closed_page) {
          auto_pre = true;
          for (int i = 0; i < q.size && auto_pre; ++i) auto_pre = q.at(i).row != k.open_row;
        }
        do_col(best_bank, e.kind, best_t, e.column, auto_pre);
        if (e.kind == DramAccess::read) {
          int64_t latency = data_free_ - e.arrival_ps;
          ++ext_.reads_timed;
          ext_.read_latency_sum_ps += latency;
          ext_.read_latency_max_ps = std::max(ext_.read_latency_max_ps, latency);
          if (latency_hist_on_) {
            const size_t ck = size_t((latency + tck_ - 1) / tck_);
            if (ck >= latency_hist_ck_.size()) latency_hist_ck_.resize(ck + 1, 0);
            ++latency_hist_ck_[ck];
          }
        }
        last_data = std::max(last_data, data_free_);
        slot_free = best_t;
        if (auto_pre) auto_precharge(best_bank);
        break;
      }
    }
    // Without hybrid-bonded ports every later command waits for the command bus.
    if (obs_ && !hb_ports_) observe_advance(cmd_free_);
  }
  return last_data;
}

namespace {
class ContiguousSource : public ExternalRequestSource {
 public:
  ContiguousSource(DramAccess kind, int64_t first, int64_t count, int64_t burst, int64_t at)
      : kind_(kind), next_(first), end_(first + count * burst), burst_(burst), at_(at) {}
  bool next(ExternalRequest& out) override {
    if (next_ >= end_) return false;
    out = {kind_, next_, at_};
    next_ += burst_;
    return true;
  }

 private:
  DramAccess kind_;
  int64_t next_, end_, burst_, at_;
};
}  // namespace

int64_t Lpddr5Channel::complete_external(DramAccess kind, int64_t address, int64_t bytes, int64_t now_ps) {
  if (bytes <= 0) throw InternalError(fmt::format("external access of {} bytes", bytes));
  if (address < 0 || address + bytes > mapping_.capacity_bytes()) {
    throw InputError(fmt::format("external access of {} B at byte {} is outside the channel's {} B", bytes,
                                 address, mapping_.capacity_bytes()));
  }
  const int64_t burst = s_.burst_bytes;
  int64_t first = address / burst * burst;
  int64_t count = (address + bytes - first + burst - 1) / burst;
  ContiguousSource src(kind, first, count, burst, now_ps);
  return run_external(src, now_ps);
}

// ---------------------------------------------------------------------------------------------
// Hybrid-bonded path

HbReadResult Lpddr5Channel::hb_read(int bank, int64_t row, int64_t bytes, int64_t now_ps) {
  if (!hb_ports_) throw InternalError("hb_read on a channel without hybrid-bonded ports");
  if (bank < 0 || bank >= int(banks_.size())) throw InternalError(fmt::format("hb_read: bank {} out of range", bank));
  if (bytes <= 0) throw InternalError(fmt::format("hb_read of {} bytes", bytes));
  const int64_t last_row = row + (bytes - 1) / s_.row_bytes;
  if (row < 0 || last_row >= rows_per_bank_) {
    throw InternalError(fmt::format("hb_read: rows {}..{} of bank {} exceed its {} rows", row, last_row, bank,
                                    rows_per_bank_));
  }
  const int64_t now = enter(now_ps);
  Bank& k = banks_[size_t(bank)];
  const int64_t width = s_.hb.column_access_bytes;
  const int64_t p = hb_period_ps_;
  const int64_t ext_block = k.ext_busy_until_ps;

  int64_t r = row, offset = 0, remaining = bytes;
  int64_t data_done = now, first_access = -1;
  while (remaining > 0) {
    sync_refresh(bank, now);
    if (k.open_row != r) {
      if (k.open_row >= 0) {
        // Row switch. The design hides `row_switch_overlap` of PRE + ACT behind the previous row
        // (the PRE may start that much before nRTP after the last access would allow).
        int64_t pre = align_ck(std::max({now, k.pre_after_act_ps, k.pre_after_col_ps,
                                         k.pre_after_hb_col_ps - hb_hidden_ps_}));
        if (pre + tck_ > k.closes_at_ps) {
          close_by_refresh(bank);
        } else {
          do_pre(bank, pre, DramPath::hb);
        }
      }
      do_act(bank, r, act_earliest(bank, align_ck(std::max(now, k.next_act_ps)), false), DramPath::hb);
    }
    const int64_t c0 = std::max({now, k.next_col_ps, k.hb_busy_until_ps, k.ext_busy_until_ps});
    const int64_t chunk = std::min(remaining, s_.row_bytes - offset);
    const int64_t n = (chunk + width - 1) / width;
    // Accesses that still leave nRTP before the refresh that closes the row.
    int64_t m = n;
    if (c0 + (n - 1) * p + rtp_ > k.closes_at_ps) m = c0 + rtp_ <= k.closes_at_ps ? (k.closes_at_ps - rtp_ - c0) / p + 1 : 0;
    if (m > 0) {
      const int64_t last = c0 + (m - 1) * p;
      if (obs_) {
        for (int64_t i = 0; i < m; ++i) {
          observe(DramCommandKind::hb_rd, DramPath::hb, bank, r, (offset + i * width) / s_.burst_bytes, c0 + i * p);
        }
      }
      if (first_access < 0) first_access = c0;
      k.pre_after_hb_col_ps = std::max(k.pre_after_hb_col_ps, last + rtp_);
      k.hb_busy_until_ps = last + p;
      hb_.row_hits += k.fresh ? m - 1 : m;
      k.fresh = false;
      hb_.column_accesses += m;
      counts_.hb_rd += m;
      const int64_t moved = std::min(chunk, m * width);
      hb_.bytes_read += moved;
      remaining -= moved;
      offset += moved;
      data_done = last + s_.ps(s_.hb.read_latency_ck) + p;
    }
    if (m < n) {
      close_by_refresh(bank);  // the rest of this row is read again after the refresh
    } else if (offset == s_.row_bytes) {
      ++r;
      offset = 0;
    }
  }
  if (ext_block > now) hb_.conflict_wait_ps += std::min(first_access, ext_block) - now;
  hb_.last_data_ps = std::max(hb_.last_data_ps, data_done);
  ++hb_.reads_timed;
  hb_.read_latency_sum_ps += data_done - now;
  hb_.read_latency_max_ps = std::max(hb_.read_latency_max_ps, data_done - now);

  HbReadResult res;
  res.data_done_ps = data_done;
  res.next_request_ps = std::max(now, std::min(k.hb_busy_until_ps, k.pre_after_hb_col_ps - hb_hidden_ps_));
  return res;
}

// ---------------------------------------------------------------------------------------------
// In-die PIM: the host's controller drives every bank in lockstep (see the header).

int64_t Lpddr5Channel::pim_stream(int64_t row, int64_t bytes, int64_t pe_interval_ps, int64_t now_ps) {
  if (!pim_) throw InternalError("pim_stream on a channel without in-die PIM");
  if (bytes <= 0) throw InternalError(fmt::format("pim_stream of {} bytes", bytes));
  const int64_t last_row = row + (bytes - 1) / s_.row_bytes;
  if (row < 0 || last_row >= rows_per_bank_) {
    throw InternalError(fmt::format("pim_stream: rows {}..{} exceed the banks' {} rows", row, last_row, rows_per_bank_));
  }
  const int64_t now = enter(now_ps);
  const int nb = int(banks_.size());
  const int64_t width = s_.burst_bytes;
  // The MACab spacing: the device's interval, or the PEs' compute per burst if that is longer
  // (a MAC command is issued only when the PEs can take its burst: operands sit in registers).
  const int64_t step = std::max(pim_mac_ps_, align_ck(std::max<int64_t>(pe_interval_ps, 0)));
  int64_t t = now;  // the controller's earliest next command
  int64_t r = row, offset = 0, remaining = bytes, data_done = now;
  while (remaining > 0) {
    for (int b = 0; b < nb; ++b) sync_refresh(b, t);
    bool all_open = true, any_open = false;
    for (const Bank& k : banks_) {
      all_open = all_open && k.open_row == r;
      any_open = any_open || k.open_row >= 0;
    }
    if (!all_open) {
      if (any_open) {
        // One PREab closes every bank (LPDDR5 has it; JESD209-5), after nRAS / nRTP of each.
        int64_t tp = std::max({t, cmd_free_, last_pre_ + ppd_});
        for (const Bank& k : banks_) {
          if (k.open_row >= 0) tp = std::max({tp, k.pre_after_act_ps, k.pre_after_col_ps, k.pre_after_hb_col_ps});
        }
        tp = align_ck(tp);
        int64_t first_close = kDramNever;
        for (const Bank& k : banks_) first_close = std::min(first_close, k.closes_at_ps);
        if (tp + tck_ > first_close) {  // a refresh closes (some of) them first
          for (int b = 0; b < nb; ++b) {
            if (banks_[size_t(b)].open_row >= 0 && banks_[size_t(b)].closes_at_ps == first_close) close_by_refresh(b);
          }
          t = std::max(t, first_close);
          continue;
        } else {
          if (obs_) observe(DramCommandKind::pre_all, DramPath::pim, -1, -1, -1, tp);
          for (int b = 0; b < nb; ++b) {
            Bank& k = banks_[size_t(b)];
            if (k.open_row < 0) continue;
            dirty_ |= uint64_t(1) << b;
            if (k.opened_by != DramPath::pim) ++hb_.conflict_row_switches;
            k.busy_ps += tp + rpab_ - k.act_ps;
            k.next_act_ps = std::max(k.next_act_ps, tp + rpab_);
            k.open_row = -1;
            k.closes_at_ps = kDramNever;
            ++hb_.precharges;
          }
          last_pre_ = tp;
          ++counts_.pim_pre_all;
          ++pim_stats_.pre_commands;
          pim_command(tp);
        }
      }
      ++pim_stats_.rows_opened;
      if (pim_all_bank_act_) {
        // One ganged ACT: every bank's nRC / nRP and the refresh calendar, no activate window
        // (the assumption in InDieActivation). It enters the window as one activate.
        int64_t ta = std::max(t, cmd_free_);
        for (const Bank& k : banks_) ta = std::max(ta, k.next_act_ps);
        ta = refresh_legal(0, align_ck(ta), ras_);
        if (obs_) observe(DramCommandKind::act_all, DramPath::pim, -1, r, -1, ta);
        for (int b = 0; b < nb; ++b) do_act(b, r, ta, DramPath::pim, /*ganged=*/true);
        act_window_insert(ta, 0);  // one activate in the window
        ++counts_.act_all;
        ++pim_stats_.act_commands;
        pim_command(ta);
      } else {
        // A controller that knows its refresh calendar holds the ACTs until after a refresh the
        // sixteen ACTs, nRCD and one MAC would run into (rather than open rows it must close).
        const int64_t from0 = align_ck(std::max(t, cmd_free_));
        const int64_t act_gap = std::max(rrd_, (faw_ + s_.t.activates_per_faw - 1) / s_.t.activates_per_faw);
        const int64_t need = (nb - 1) * act_gap + rcd_ + rtp_ + tck_;
        const int64_t ref = next_refresh_ps(0, from0);
        if (from0 + need > ref) {
          pim_stats_.refresh_stall_ps += ref + ref_block_ps_ - from0;
          t = std::max(t, ref + ref_block_ps_);
        }
        // One ACT per bank, alternating bank groups (nRRD_S between groups where nRRD_L applies).
        const int groups = int(s_.bank_groups), per = int(s_.banks_per_group);
        for (int i = 0; i < per; ++i) {
          for (int g = 0; g < groups; ++g) {
            const int b = g * per + i;
            const Bank& k = banks_[size_t(b)];
            const int64_t from = align_ck(std::max(t, cmd_free_));
            const int64_t own = refresh_legal(b, align_ck(std::max(from, k.next_act_ps)), ras_);
            const int64_t ta = act_earliest(b, from, true);
            pim_stats_.act_window_stall_ps += ta - own;
            do_act(b, r, ta, DramPath::pim);
            ++pim_stats_.act_commands;
            pim_command(ta);
          }
        }
      }
    }
    // The banks' rows close at the same refresh unless the ACTs straddled one (other traffic
    // held them back): then the banks opened before it are refreshed and the row is opened again.
    int64_t closes = kDramNever, closes_last = 0;
    for (const Bank& k : banks_) closes = std::min(closes, k.closes_at_ps), closes_last = std::max(closes_last, k.closes_at_ps);
    if (closes != closes_last) {
      for (int b = 0; b < nb; ++b) {
        if (banks_[size_t(b)].open_row >= 0 && banks_[size_t(b)].closes_at_ps == closes) close_by_refresh(b);
      }
      pim_stats_.refresh_stall_ps += ref_block_ps_;
      t = std::max(t, closes);
      continue;
    }
    int64_t c0 = std::max({t, cmd_free_});
    for (const Bank& k : banks_) c0 = std::max({c0, k.next_col_ps, k.hb_busy_until_ps, k.ext_busy_until_ps});
    c0 = align_ck(c0);
    const bool fresh = banks_[0].fresh;
    if (pim_last_mac_ps_ >= 0 && fresh) pim_stats_.row_switch_ps += c0 - (pim_last_mac_ps_ + step);
    const int64_t chunk = std::min(remaining, s_.row_bytes - offset);
    const int64_t n = (chunk + width - 1) / width;
    int64_t m = n;
    if (c0 + (n - 1) * step + rtp_ > closes) m = c0 + rtp_ <= closes ? (closes - rtp_ - c0) / step + 1 : 0;
    if (m > 0) {
      const int64_t last = c0 + (m - 1) * step;
      for (int64_t i = 0; i < m; ++i) {
        const int64_t tm = c0 + i * step;
        if (obs_) observe(DramCommandKind::mac_all, DramPath::pim, -1, r, (offset + i * width) / width, tm);
        pim_command(tm);
      }
      for (int b = 0; b < nb; ++b) {
        Bank& k = banks_[size_t(b)];
        dirty_ |= uint64_t(1) << b;
        k.pre_after_hb_col_ps = std::max(k.pre_after_hb_col_ps, last + rtp_);
        k.hb_busy_until_ps = std::max(k.hb_busy_until_ps, last + step);
        k.fresh = false;
      }
      counts_.mac_all += m;
      pim_stats_.mac_commands += m;
      pim_stats_.compute_paced_ps += m * (step - pim_mac_ps_);
      hb_.row_hits += int64_t(nb) * (fresh ? m - 1 : m);  // the first access after an ACT misses
      hb_.column_accesses += int64_t(nb) * m;
      const int64_t moved = std::min(chunk, m * width);
      hb_.bytes_read += int64_t(nb) * moved;
      remaining -= moved;
      offset += moved;
      pim_last_mac_ps_ = last;
      t = last + step;
      data_done = last + s_.ps(s_.hb.read_latency_ck);
    }
    if (m < n) {
      // The refresh closes the row mid-stream; the rest is read after it.
      pim_stats_.refresh_stall_ps += ref_block_ps_;
      for (int b = 0; b < nb; ++b) close_by_refresh(b);  // all open, all closing at `closes`
      t = std::max(t, closes);
    } else if (offset == s_.row_bytes) {
      ++r;
      offset = 0;
    }
  }
  hb_.last_data_ps = std::max(hb_.last_data_ps, data_done);
  ++hb_.reads_timed;
  hb_.read_latency_sum_ps += data_done - now;
  hb_.read_latency_max_ps = std::max(hb_.read_latency_max_ps, data_done - now);
  return data_done;
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

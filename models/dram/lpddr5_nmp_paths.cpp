// The engine's NMP data paths (declared in models/dram/lpddr5_channel.hpp): the hybrid-bonded
// port of each bank, driven by the logic die (Lpddr5Channel::hb_read), and the in-die PIM stream,
// driven in lockstep by the host's controller (Lpddr5Channel::pim_stream).
#include "models/dram/lpddr5_channel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"

namespace h2sim {

// ---------------------------------------------------------------------------------------------
// Hybrid-bonded path

void Lpddr5Channel::close_side(int bank, int64_t t, DramPath path) {
  Bank& k = banks_[size_t(bank)];
  if (k.side_row < 0) return;
  int64_t pre = align_ck(std::max(t, k.side_pre_after_ps));
  if (pre + tck_ > k.side_closes_at_ps) {  // the refresh closes it first
    close_side_by_refresh(bank);
    return;
  }
  dirty_ |= uint64_t(1) << bank;
  k.busy_ps += pre + rppb_ - k.side_act_ps;
  note_row_closed(bank, k.side_row, pre);
  k.next_act_ps = std::max(k.next_act_ps, pre + rppb_);
  ++counts_.pre;
  ++hb_.precharges;
  if (obs_) observe(DramCommandKind::pre, path, bank, k.side_row, -1, pre);
  k.side_row = -1;
  k.side_closes_at_ps = kDramNever;
}

void Lpddr5Channel::ping_pong_swap(int bank) {
  Bank& k = banks_[size_t(bank)];
  // Close the half the port has just streamed, then select the other one.
  if (k.open_row >= 0) {
    const int64_t pre = align_ck(std::max({latest_now_, k.pre_after_act_ps, k.pre_after_col_ps, k.pre_after_hb_col_ps}));
    if (pre + tck_ > k.closes_at_ps) {
      close_main_by_refresh(bank);  // the refresh closes the streamed half
      if (k.side_closes_at_ps <= pre) {  // ... and, the same window, the other half
        close_side_by_refresh(bank);
        return;
      }
    } else {
      do_pre(bank, pre, DramPath::hb);
    }
  }
  k.open_row = k.side_row;
  k.act_ps = k.side_act_ps;
  k.closes_at_ps = k.side_closes_at_ps;
  k.next_col_ps = k.side_act_ps + rcd_;
  k.pre_after_act_ps = k.side_act_ps + ras_;
  k.pre_after_hb_col_ps = k.side_pre_after_ps;
  k.pre_after_col_ps = 0;
  k.fresh = true;
  k.opened_by = DramPath::hb;
  k.side_row = -1;
  k.side_closes_at_ps = kDramNever;
}

void Lpddr5Channel::hb_open_row(int bank, int64_t r, int64_t now, int64_t act_not_before) {
  Bank& k = banks_[size_t(bank)];
  if (row_switch_ == HbRowSwitch::ping_pong) {
    if (k.side_row == r) {
      ping_pong_swap(bank);
      if (k.open_row == r) return;
    } else {
      close_side(bank, now, DramPath::hb);
    }
  }
  // Close the open row (exposed: the JEDEC sequence; the other mechanisms differ in the ACT).
  const int64_t prev_row = k.open_row;
  const int64_t prev_act = k.act_ps;
  const bool prev_hb_only = k.opened_by == DramPath::hb && k.pre_after_col_ps <= prev_act;
  int64_t pre = -kDramNever;
  if (k.open_row >= 0) {
    pre = align_ck(std::max({now, k.pre_after_act_ps, k.pre_after_col_ps, k.pre_after_hb_col_ps}));
    if (pre + tck_ > k.closes_at_ps) {
      close_by_refresh(bank);
      pre = -kDramNever;
    } else {
      do_pre(bank, pre, DramPath::hb);
    }
  }
  int64_t t;
  if (row_switch_ == HbRowSwitch::salp && pre > -kDramNever && prev_hb_only &&
      salp_subarray(prev_row) != salp_subarray(r)) {
    // SALP-2: the next subarray's ACT overlaps the previous one's precharge. Sibling rules
    // (ramulator src/SALP.cpp): RD -> sibling ACT nRA, ACT -> sibling ACT nRCD + nRA; the
    // target subarray's own nRC and nRPpb; after the PRE (one open row per bank here).
    const size_t sa = sa_index(bank, r);
    t = std::max({now, pre + tck_, k.hb_last_col_ps + salp_nra_ps_, prev_act + rcd_ + salp_nra_ps_,
                  sa_act_ps_[sa] + rc_, sa_pre_ps_[sa] + rppb_});
    t = act_window_and_refresh(bank, align_ck(std::max(t, act_not_before)));
  } else if (row_switch_ == HbRowSwitch::ping_pong) {
    // The target half's own rules only (the other half precharges on its own).
    t = act_window_and_refresh(bank, align_ck(std::max({now, k.half_next_act_ps[r % 2], act_not_before})));
  } else {
    t = act_earliest(bank, align_ck(std::max({now, k.next_act_ps, act_not_before})), false);
  }
  do_act(bank, r, t, DramPath::hb);
}

HbReadResult Lpddr5Channel::hb_read(int bank, int64_t row, int64_t bytes, int64_t now_ps, bool continues) {
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
  const bool buffered = row_switch_ == HbRowSwitch::prefetch_buffer;

  int64_t r = row, offset = 0, remaining = bytes;
  int64_t data_done = now, first_access = -1;
  // `count` port accesses of row r from c0, one per port period (from the array or the latch):
  // reported, counted, and the stream's position advanced by the bytes they move.
  auto stream = [&](int64_t c0, int64_t count, int64_t chunk) {
    const int64_t last = c0 + (count - 1) * p;
    if (obs_) {
      for (int64_t i = 0; i < count; ++i) {
        observe(DramCommandKind::hb_rd, DramPath::hb, bank, r, (offset + i * width) / s_.burst_bytes, c0 + i * p);
      }
    }
    if (first_access < 0) first_access = c0;
    k.hb_busy_until_ps = last + p;
    hb_.row_hits += k.fresh ? count - 1 : count;
    k.fresh = false;
    hb_.column_accesses += count;
    counts_.hb_rd += count;
    const int64_t moved = std::min(chunk, count * width);
    hb_.bytes_read += moved;
    remaining -= moved;
    offset += moved;
    data_done = last + s_.ps(s_.hb.read_latency_ck) + p;
  };
  while (remaining > 0) {
    sync_refresh(bank, now);
    const int64_t chunk = std::min(remaining, s_.row_bytes - offset);
    const int64_t n = (chunk + width - 1) / width;
    // The stream goes on with row r + 1 after this row (this call's bytes or the caller's word).
    const bool next_follows = (remaining > chunk || continues) && offset + chunk == s_.row_bytes && r + 1 < rows_per_bank_;
    if (buffered) {
      // prefetch_buffer: the port reads the bank's row latch; the array is only read by FILLs.
      if (k.buf_row != r) {
        if (k.open_row != r) hb_open_row(bank, r, now);
        const int64_t fill = std::max({now, k.next_col_ps, k.buf_free_ps, k.ext_busy_until_ps, k.hb_busy_until_ps});
        if (fill + rtp_ > k.closes_at_ps) {
          close_by_refresh(bank);  // the refresh comes first: open the row again after it
          continue;
        }
        if (obs_) observe(DramCommandKind::hb_fill, DramPath::hb, bank, r, 0, fill);
        ++counts_.hb_fill;
        k.pre_after_hb_col_ps = std::max(k.pre_after_hb_col_ps, fill + rtp_);
        k.hb_last_col_ps = fill;
        k.buf_row = r;
        k.buf_ready_ps = fill;
        k.fresh = true;
      }
      const int64_t c0 = std::max({now, k.hb_busy_until_ps, k.buf_ready_ps});
      const int64_t last = c0 + (n - 1) * p;
      if (next_follows && k.open_row == r) {
        // Open the next row while the port streams the latch (PRE nRTP after the FILL), just in
        // time: its ACT aims at nRCD + one activate window (nFAW) before the latch frees, so a
        // row needed later does not take activate-window slots from other banks' rows needed now.
        hb_open_row(bank, r + 1, now, last + p - rcd_ - faw_);
      }
      stream(c0, n, chunk);
      k.buf_free_ps = last + p;
      if (offset == s_.row_bytes) ++r, offset = 0;
      continue;
    }
    if (k.open_row != r) hb_open_row(bank, r, now);
    const int64_t c0 = std::max({now, k.next_col_ps, k.hb_busy_until_ps, k.ext_busy_until_ps});
    // Accesses that still leave nRTP before the refresh that closes the row.
    int64_t m = n;
    if (c0 + (n - 1) * p + rtp_ > k.closes_at_ps) m = c0 + rtp_ <= k.closes_at_ps ? (k.closes_at_ps - rtp_ - c0) / p + 1 : 0;
    if (m > 0) {
      const int64_t last = c0 + (m - 1) * p;
      k.pre_after_hb_col_ps = std::max(k.pre_after_hb_col_ps, last + rtp_);
      k.hb_last_col_ps = last;
      stream(c0, m, chunk);
    }
    if (row_switch_ == HbRowSwitch::ping_pong && next_follows && m == n && k.side_row < 0 && k.open_row == r) {
      // Open the next row in the other half while the port streams this one.
      const int64_t nr = r + 1;
      // Just in time, as prefetch_buffer: nRCD + one nFAW before this row's stream ends.
      const int64_t t = act_window_and_refresh(
          bank, align_ck(std::max({now, k.half_next_act_ps[nr % 2], k.hb_busy_until_ps - rcd_ - faw_})));
      act_window_insert(t, bg_of_[size_t(bank)]);
      ++counts_.act;
      ++hb_.activates;
      if (obs_) observe(DramCommandKind::act, DramPath::hb, bank, nr, -1, t);
      k.side_row = nr;
      k.side_act_ps = t;
      k.side_closes_at_ps = next_refresh_ps(bank, t);
      k.side_pre_after_ps = t + ras_;
      k.half_next_act_ps[nr % 2] = t + rc_;
      k.next_act_ps = std::max(k.next_act_ps, t + rc_);
      dirty_ |= uint64_t(1) << bank;
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
  // The next call loses nothing if it comes when the port is free or the bank may close its row
  // (exposed, salp), whichever is first; through the latch, when the port is free.
  res.next_request_ps = std::max(now, buffered ? k.hb_busy_until_ps : std::min(k.hb_busy_until_ps, k.pre_after_hb_col_ps));
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

}  // namespace h2sim

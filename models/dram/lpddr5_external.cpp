// The engine's external path: the FR-FCFS controller over a request queue (Lpddr5Channel::
// run_external, complete_external; declared in models/dram/lpddr5_channel.hpp).
#include "models/dram/lpddr5_channel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"

namespace h2sim {

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
  // ping_pong: a half the HB stream opened ahead is closed before the external path uses the banks
  // (the external path sees one open row per bank).
  if (row_switch_ == HbRowSwitch::ping_pong) {
    for (int b = 0; b < int(banks_.size()); ++b) close_side(b, now, DramPath::hb);
  }
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

}  // namespace h2sim

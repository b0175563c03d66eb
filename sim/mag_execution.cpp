// Role: MAG execution on the chip (see sim/mag_execution.hpp).
#include "sim/mag_execution.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "config/errors.hpp"
#include "mapping/roofline.hpp"
#include "models/lpddr5_dram.hpp"
#include "models/sc_time_util.hpp"
#include "sim/gemm_runner.hpp"
#include "sim/llm_activity.hpp"

namespace h2sim {

std::vector<MagGroup> group_mags(const std::vector<LoweredOperator>& ops) {
  std::vector<MagGroup> mags;
  for (const auto& op : ops) {
    if (op.mag >= int(mags.size())) mags.resize(size_t(op.mag) + 1);
    MagGroup& g = mags[size_t(op.mag)];
    if (op.mpg >= int(g.mpgs.size())) g.mpgs.resize(size_t(op.mpg) + 1);
    auto& mpg = g.mpgs[size_t(op.mpg)];
    if (op.tier >= int(mpg.size())) mpg.resize(size_t(op.tier) + 1);
    mpg[size_t(op.tier)].push_back(&op);
    g.ops.push_back(&op);
  }
  return mags;
}

std::string shape_key(const GemmShape& s) { return fmt::format("{}x{}x{}x{}", s.batch, s.m, s.k, s.n); }

namespace {
std::string mag_names(const MagGroup& g) {
  std::vector<std::string> names;
  for (const auto* op : g.ops) names.push_back(op->name);
  return fmt::format("{}", fmt::join(names, ", "));
}
// Spans merged where one continues the previous on its track (an NPU stream's chunks, a run of
// scatters): fewer events, same busy time.
std::vector<ActivitySpan> compact_spans(std::vector<ActivitySpan> spans) {
  std::stable_sort(spans.begin(), spans.end(), [](const ActivitySpan& a, const ActivitySpan& b) {
    return a.track != b.track ? a.track < b.track : a.start_ps < b.start_ps;
  });
  std::vector<ActivitySpan> out;
  for (const ActivitySpan& s : spans) {
    if (!out.empty() && out.back().track == s.track && std::string(out.back().what) == s.what &&
        s.start_ps <= out.back().end_ps) {
      out.back().end_ps = std::max(out.back().end_ps, s.end_ps);
      out.back().bytes += s.bytes;
    } else {
      out.push_back(s);
    }
  }
  return out;
}
}  // namespace

MagExecutor::MagExecutor(Chip& chip, const HardwareConfig& hw, const ModelConfig& model, int64_t batch, bool ideal,
                         bool artifact_compat)
    : chip_(chip), hw_(hw), model_(model), batch_(batch), ideal_(ideal), artifact_compat_(artifact_compat) {}

MagMeasurement MagExecutor::play(bool prefill, const MagGroup& mag) {
  MagMeasurement m;
  m.op_ns.assign(mag.ops.size(), 0);
  std::vector<int> completions(mag.ops.size(), 0);
  current_work = fmt::format("driver: playing a {} MAG of {} operator(s) ({})", prefill ? "prefill" : "decode",
                             mag.ops.size(), mag_names(mag));
  const ActivityCounts before = chip_activity(chip_, hw_);
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  if (timeline != nullptr) {
    m.timeline.ops.resize(mag.ops.size());
    span_log->clear();
    span_log->enable(true);
  }
  sc_core::sc_event_and_list all;
  std::vector<sc_core::sc_process_handle> mpgs;
  for (size_t p = 0; p < mag.mpgs.size(); ++p) {
    mpgs.push_back(sc_core::sc_spawn([this, &mag, &m, &completions, p, prefill, t0]() {
      for (const auto& tier : mag.mpgs[p]) {
        sc_core::sc_event_and_list tier_done;
        std::vector<sc_core::sc_process_handle> ops;
        for (const auto* op : tier) {
          const size_t index = size_t(std::find(mag.ops.begin(), mag.ops.end(), op) - mag.ops.begin());
          ops.push_back(sc_core::sc_spawn([this, op, &m, &completions, index, p, prefill, t0]() {
            const sc_core::sc_time start = sc_core::sc_time_stamp();
            play_operator(*op, int(p), prefill);
            ++completions[index];
            m.op_ns[index] = time_to_ns(sc_core::sc_time_stamp() - start);
            if (timeline != nullptr) {
              TimelineOp& t = m.timeline.ops[index];
              t.name = op->name;
              t.lane = int(p);
              t.start_ns = time_to_ns(start - t0);
              t.dur_ns = m.op_ns[index];
              if (!prefill) t.channels = op->nmp_channels;
              t.on_npu = prefill || op->exec == ExecKind::npu || op->npu_part.batch > 0;
            }
          }));
          tier_done &= ops.back().terminated_event();
        }
        if (!ops.empty()) sc_core::wait(tier_done);
      }
    }));
    all &= mpgs.back().terminated_event();
  }
  if (!mpgs.empty()) sc_core::wait(all);
  // Invariant: every operator scheduled in this MAG completed exactly once.
  for (size_t k = 0; k < completions.size(); ++k) {
    if (completions[k] != 1) {
      violations.push_back(fmt::format("driver: operator '{}' completed {} time(s) in a {} MAG, expected once",
                                       mag.ops[k]->name, completions[k], prefill ? "prefill" : "decode"));
    }
  }
  current_work.clear();
  m.ns = time_to_ns(sc_core::sc_time_stamp() - t0);
  m.activity = activity_difference(chip_activity(chip_, hw_), before);
  if (timeline != nullptr) record_timeline(m, mag, t0);
  return m;
}

void MagExecutor::record_timeline(MagMeasurement& m, const MagGroup& mag, const sc_core::sc_time& t0) {
  span_log->enable(false);
  const int64_t start = time_to_ps(t0), end = time_to_ps(sc_core::sc_time_stamp());
  std::vector<ActivitySpan> spans = span_log->spans();
  span_log->clear();
  for (int c = 0; c < chip_.channel_count(); ++c) {
    const auto* lp = dynamic_cast<const Lpddr5Dram*>(&chip_.channel(c).dram());
    if (lp == nullptr || refresh_tracks[size_t(c)] < 0) continue;
    // The calendar's windows (bank 0's in per-bank mode) that start within the MAG; more than
    // kRefreshSpans of them (a window every tREFI = 3.9 us) become one span over the MAG
    // saying how many (the trace stays small: a prefill MAG holds thousands).
    constexpr size_t kRefreshSpans = 8;
    std::vector<ActivitySpan> windows;
    for (int64_t t = start;;) {
      const int64_t r = lp->engine().next_refresh_ps(0, t);
      if (r >= end || r < t) break;
      windows.push_back(ActivitySpan{refresh_tracks[size_t(c)], r, std::min(end, r + lp->engine().refresh_block_ps()), "refresh", 0});
      t = r + 1;
    }
    if (windows.size() <= kRefreshSpans) {
      spans.insert(spans.end(), windows.begin(), windows.end());
    } else {
      spans.push_back(ActivitySpan{refresh_tracks[size_t(c)], windows.front().start_ps, windows.back().end_ps,
                                   "refresh windows (see args)", int64_t(windows.size())});
    }
  }
  for (ActivitySpan& s : spans) {
    s.start_ps -= start;
    s.end_ps -= start;
  }
  m.timeline.spans = compact_spans(std::move(spans));
  m.timeline.name = mag_names(mag);
  m.timeline.ns = m.ns;
  m.timeline.external_bytes = m.activity.external_bytes;
  m.timeline.hb_bytes = m.activity.hb_bytes;
}

void MagExecutor::play_operator(const LoweredOperator& op, int queue, bool prefill) {
  std::vector<int> holding = op.nmp_channels;
  holding.insert(holding.end(), op.normal_channels.begin(), op.normal_channels.end());
  if (prefill || op.exec == ExecKind::npu) {
    const GemmShape s = (!prefill && op.npu_part.batch > 0) ? op.npu_part : op.shape;
    chip_.npu().gemm(s, holding, queue);
    return;
  }
  if (op.exec == ExecKind::nmp) {
    play_nmp(op.nmp_part.batch > 0 ? op.nmp_part : op.shape, op.nmp_channels, queue);
    return;
  }
  // MIX: both parts at once. The NPU part lives on the normal pool (the artifact also charges
  // it the NMP channels' bandwidth; reproduced only with artifact_compat).
  std::vector<int> npu_channels = op.normal_channels;
  if (artifact_compat_) npu_channels.insert(npu_channels.end(), op.nmp_channels.begin(), op.nmp_channels.end());
  sc_core::sc_process_handle nmp;
  const bool has_nmp = op.nmp_part.batch > 0, has_npu = op.npu_part.batch > 0;
  if (has_nmp) nmp = sc_core::sc_spawn([this, &op, queue]() { play_nmp(op.nmp_part, op.nmp_channels, queue); });
  if (has_npu) chip_.npu().gemm(op.npu_part, npu_channels, queue);
  if (has_nmp && !nmp.terminated()) sc_core::wait(nmp.terminated_event());
}

const ChannelPlan& MagExecutor::plan_for(const GemmShape& tile, double charged_bytes_per_mac) {
  const std::string key = fmt::format("{}|{}", shape_key(tile), charged_bytes_per_mac);
  auto it = plans_.find(key);
  if (it != plans_.end()) return it->second;
  ChannelPlan plan = plan_channel(hw_, tile, !ideal_);
  plan.charged_hb_bytes_per_mac = charged_bytes_per_mac;
  return plans_.emplace(key, std::move(plan)).first->second;
}

void MagExecutor::play_nmp(const GemmShape& shape, const std::vector<int>& channels, int queue) {
  if (channels.empty()) throw InternalError("NMP operator with no NMP channel");
  const auto est = estimate_nmp_gemm(hw_, shape, int64_t(channels.size()));
  const InterChannelTiling& t = est.tiling;
  const double charged = ideal_ ? 1.0 / est.intensity_macs_per_byte : 0.0;
  sc_core::sc_event_and_list all;
  std::vector<sc_core::sc_process_handle> parts;
  for (size_t j = 0; j < channels.size(); ++j) {
    GemmShape tile = ideal_ ? t.per_channel : channel_tile(shape, t, int64_t(j));
    if (tile.batch == 0 || tile.k == 0 || tile.n == 0) continue;
    const ChannelPlan* plan = &plan_for(tile, charged);
    Channel* ch = &chip_.channel(channels[j]);
    parts.push_back(sc_core::sc_spawn([ch, plan]() { ch->execute(*plan); }));
    all &= parts.back().terminated_event();
  }
  if (!parts.empty()) sc_core::wait(all);
  if (!ideal_) chip_.npu().reduce(double(shape.batch) * double(t.t_k - 1) * double(shape.m) * double(shape.n), queue);
}

double MagExecutor::append_kv_cache(const std::vector<LoweredOperator>& ops, ActivityCounts& activity) {
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  const ActivityCounts before = chip_activity(chip_, hw_);
  const int64_t bytes = batch_ * model_.head_dim() * model_.kv_heads * hw_.element_bytes;
  for (const auto& op : ops) {
    if (op.kind != OpKind::qk && op.kind != OpKind::sv) continue;
    std::vector<int> holding = op.nmp_channels;
    holding.insert(holding.end(), op.normal_channels.begin(), op.normal_channels.end());
    chip_.npu().write(bytes, holding);
  }
  activity = activity_difference(chip_activity(chip_, hw_), before);
  return time_to_ns(sc_core::sc_time_stamp() - t0);
}

}  // namespace h2sim

#include "sim/llm_runner.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <systemc>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <unordered_map>

#include "config/errors.hpp"
#include "mapping/channel_plan.hpp"
#include "mapping/evaluator.hpp"
#include "mapping/roofline.hpp"
#include "mapping/tiling.hpp"
#include "models/chip.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/dram/dram_command_trace.hpp"
#include "models/lpddr5_dram.hpp"
#include "models/sc_time_util.hpp"
#include "config/atomic_file.hpp"
#include "sim/run_timeline.hpp"
#include "sim/watchdog.hpp"

namespace h2sim {

namespace {

using Clock = std::chrono::steady_clock;

// A MAG of a lowered layer: mpg -> tier -> operators.
struct MagGroup {
  std::vector<std::vector<std::vector<const LoweredOperator*>>> mpgs;
  std::vector<const LoweredOperator*> ops;  // in execution order
};

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

// Everything that decides how a MAG plays out on an idle chip.
std::string mag_signature(bool prefill, const MagGroup& g) {
  std::string key = prefill ? "P" : "D";
  for (const auto* op : g.ops) {
    key += fmt::format("|{}.{}.{}:{}:{}:{}:{}:{}:{}:{}:", op->mpg, op->tier, op->name, int(op->exec), shape_key(op->shape),
                       shape_key(op->nmp_part), shape_key(op->npu_part), op->nmp_ratio, op->normal_channels.size(),
                       fmt::join(op->nmp_channels, ","));
  }
  return key;
}

std::string mag_names(const MagGroup& g) {
  std::vector<std::string> names;
  for (const auto* op : g.ops) names.push_back(op->name);
  return fmt::format("{}", fmt::join(names, ", "));
}

ActivityCounts difference(const ActivityCounts& after, const ActivityCounts& before) {
  ActivityCounts d = after;
  d += before.scaled(-1);
  return d;
}

struct MagMeasurement {
  double ns = 0;
  ActivityCounts activity;
  std::vector<double> op_ns;  // per operator of the MAG, in order
  TimelineMag timeline;       // with --trace: operators and chip spans, relative to the MAG's start
};

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

class LlmDriver : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(LlmDriver);
  LlmDriver(sc_core::sc_module_name name, Chip& chip, const HardwareConfig& hw, const ModelConfig& model,
            const Scenario& scenario, int64_t batch, const Dataflow& df, const LlmRunOptions& opt, LlmRunResult& result)
      : sc_core::sc_module(name), chip_(chip), hw_(hw), model_(model), scenario_(scenario), batch_(batch), df_(df),
        opt_(opt), r_(result), ideal_(opt.fidelity == Fidelity::ideal) {
    SC_THREAD(run);
  }

  SpanLog* span_log = nullptr;     // with --trace: the chip's spans while a MAG is simulated
  RunTimeline* timeline = nullptr;
  std::vector<int> refresh_tracks;  // per channel with an LPDDR5 model: its "chN refresh" track, else -1
  Waveform* wave = nullptr;      // records the window only
  DramCommandTraceFile* command_trace = nullptr;  // records the window (and what leads into it)
  int64_t window_step = -1;      // 0: prefill layer 0; N: decode step N layer 0
  bool done = false;             // the whole inference has been played
  std::string current_work;      // what the driver is playing (for the watchdog's stall report)
  std::vector<std::string> violations;  // operators that did not complete exactly once

 private:
  void run() {
    const auto wall0 = Clock::now();
    const int64_t layers = model_.layers;
    // Prefill: the prompt of every sequence at once, all operators on the NPU.
    const PassShape prefill{Pass::prefill, batch_, scenario_.prompt_tokens, scenario_.prompt_tokens};
    r_.prefill_s = play_pass(prefill, layers, 0) * 1e-9;
    // Decode: step i attends over the prompt and the i tokens generated so far.
    const int64_t g = scenario_.decode_tokens;
    double decode_ns = 0;
    int64_t last_report = -1;
    for (int64_t i = 1; i <= g; ++i) {
      const int64_t ctx = std::min(scenario_.max_context_tokens, opt_.artifact_compat ? scenario_.prompt_tokens + g
                                                                                       : scenario_.prompt_tokens + i);
      decode_ns += play_pass({Pass::decode, batch_, 1, ctx}, layers, i);
      const int64_t pct = 100 * i / g;
      if (opt_.progress && pct / 10 != last_report / 10) {
        last_report = pct;
        std::cerr << fmt::format("h2sim: decode step {}/{} ({}%), MAGs simulated {}, memoized {}, wall {:.1f} s\n", i, g,
                                 pct, r_.mags_simulated, r_.mags_memoized,
                                 std::chrono::duration<double>(Clock::now() - wall0).count());
      }
    }
    r_.decode_s = decode_ns * 1e-9;
    r_.simulated_ns = time_to_ns(sc_core::sc_time_stamp());
    done = true;
  }

  // One pass over all layers; returns its latency in ns. Layers are identical, so unless
  // `exact`, one layer is played and counted `layers` times.
  // The decode contexts attention MAGs are simulated at: the first, every context_stride-th after
  // it, and the last. Returns {lo, hi} around `ctx` (lo == hi when ctx is one of them).
  std::pair<int64_t, int64_t> context_grid(int64_t ctx) const {
    const int64_t p = scenario_.prompt_tokens, g = scenario_.decode_tokens, cap = scenario_.max_context_tokens;
    const int64_t first = std::min(cap, opt_.artifact_compat ? p + g : p + 1);
    const int64_t last = std::min(cap, p + g);
    const int64_t stride = std::max<int64_t>(1, opt_.context_stride);
    if (opt_.exact || stride == 1 || ctx <= first || ctx >= last) return {ctx, ctx};
    const int64_t lo = first + (ctx - first) / stride * stride;
    if (lo == ctx) return {ctx, ctx};
    return {lo, std::min(lo + stride, last)};
  }

  static MagMeasurement interpolate(const MagMeasurement& a, const MagMeasurement& b, double f) {
    MagMeasurement m;
    m.ns = a.ns + (b.ns - a.ns) * f;
    m.activity = a.activity.scaled(1 - f);
    m.activity += b.activity.scaled(f);
    m.op_ns.resize(a.op_ns.size());
    for (size_t k = 0; k < a.op_ns.size(); ++k) m.op_ns[k] = a.op_ns[k] + (b.op_ns[k] - a.op_ns[k]) * f;
    // The timeline: operators interpolated like their times, the chip's spans those of the lower
    // context stretched to the interpolated length.
    m.timeline = a.timeline;
    m.timeline.ns = m.ns;
    for (size_t k = 0; k < m.timeline.ops.size() && k < b.timeline.ops.size(); ++k) {
      TimelineOp& op = m.timeline.ops[k];
      op.start_ns += (b.timeline.ops[k].start_ns - op.start_ns) * f;
      op.dur_ns = m.op_ns[k];
    }
    const double stretch = a.ns > 0 ? m.ns / a.ns : 1.0;
    for (ActivitySpan& s : m.timeline.spans) {
      s.start_ps = int64_t(double(s.start_ps) * stretch);
      s.end_ps = int64_t(double(s.end_ps) * stretch);
    }
    m.timeline.external_bytes = m.activity.external_bytes;
    m.timeline.hb_bytes = m.activity.hb_bytes;
    return m;
  }

  double play_pass(const PassShape& pass, int64_t layers, int64_t step) {
    const auto ops = lower_dataflow(df_, model_, hw_, pass, opt_.artifact_compat);
    const auto mags = group_mags(ops);
    // Between two grid contexts, MAGs whose shapes depend on the context are interpolated.
    const auto [lo, hi] = pass.pass == Pass::decode ? context_grid(pass.context) : std::pair<int64_t, int64_t>{0, 0};
    std::vector<LoweredOperator> ops_lo, ops_hi;
    std::vector<MagGroup> mags_lo, mags_hi;
    const bool recording = wave != nullptr || command_trace != nullptr;
    if (lo != hi && !(recording && step == window_step)) {
      PassShape at = pass;
      at.context = lo;
      ops_lo = lower_dataflow(df_, model_, hw_, at, opt_.artifact_compat);
      at.context = hi;
      ops_hi = lower_dataflow(df_, model_, hw_, at, opt_.artifact_compat);
      mags_lo = group_mags(ops_lo);
      mags_hi = group_mags(ops_hi);
    }
    const bool prefill = pass.pass == Pass::prefill;
    const int64_t played = opt_.exact ? layers : 1;
    const double weight = opt_.exact ? 1.0 : double(layers);
    double total_ns = 0;
    std::vector<TimelineLayer> timeline_layers;
    std::deque<MagMeasurement> interpolated_kept;  // interpolated measurements the timeline points to
    for (int64_t layer = 0; layer < played; ++layer) {
      if (timeline != nullptr) timeline_layers.emplace_back();
      // The waveform window is simulated (never taken from the memo) and recorded.
      const bool window = recording && layer == 0 && step == window_step;
      if (window && wave) wave->enable(true);
      if (window && command_trace) command_trace->begin_window();
      for (size_t mi = 0; mi < mags.size(); ++mi) {
        const MagGroup& mag = mags[mi];
        MagMeasurement interpolated;
        const MagMeasurement* mp = nullptr;
        const int64_t simulated_before = r_.mags_simulated;
        const char* source = "simulated";
        if (!mags_lo.empty() && mag_signature(false, mag) != mag_signature(false, mags_lo[mi])) {
          const MagMeasurement a = measure(false, mags_lo[mi], false);
          const MagMeasurement& b = measure(false, mags_hi[mi], false);
          interpolated = interpolate(a, b, double(pass.context - lo) / double(hi - lo));
          mp = &interpolated;
          source = "interpolated";
        } else {
          mp = &measure(prefill, mag, window);
          if (r_.mags_simulated == simulated_before) source = "memoized";
        }
        if (timeline != nullptr) {
          if (mp == &interpolated) mp = &interpolated_kept.emplace_back(std::move(interpolated));
          timeline_layers.back().mags.emplace_back(&mp->timeline, source);
        }
        const MagMeasurement& m = *mp;
        total_ns += m.ns * weight;
        r_.activity += m.activity.scaled(weight);
        for (size_t k = 0; k < mag.ops.size(); ++k) {
          auto& t = op_time(*mag.ops[k]);
          if (!prefill) {  // the placement the report shows is decode's
            t.exec = to_string(mag.ops[k]->exec);
            t.nmp_ratio = mag.ops[k]->nmp_ratio;
          }
          (prefill ? t.prefill_s : t.decode_s) += m.op_ns[k] * weight * 1e-9;
        }
      }
      if (!prefill && !ideal_) {
        ActivityCounts kv;
        const double kv_ns = append_kv_cache(ops, kv);
        total_ns += kv_ns * weight;
        r_.activity += kv.scaled(weight);
        if (timeline != nullptr) timeline_layers.back().kv_ns = kv_ns;
      }
      if (window && wave) wave->enable(false);
      if (window && command_trace) {
        command_trace->end_window(std::llround(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_PS)));
      }
    }
    if (timeline != nullptr) timeline->pass(step, pass.context, timeline_layers, layers);
    return total_ns;
  }

  LlmOperatorTime& op_time(const LoweredOperator& op) {
    for (auto& t : r_.operators) {
      if (t.name == op.name) return t;
    }
    r_.operators.push_back(LlmOperatorTime{op.name, to_string(op.exec), op.mag, op.mpg, op.tier, op.nmp_channels,
                                           !op.normal_channels.empty(), op.nmp_ratio, 0, 0});
    return r_.operators.back();
  }

  const MagMeasurement& measure(bool prefill, const MagGroup& mag, bool force) {
    const std::string key = mag_signature(prefill, mag);
    if (!opt_.exact && !force) {
      auto it = memo_.find(key);
      if (it != memo_.end()) {
        ++r_.mags_memoized;
        return it->second;
      }
    }
    ++r_.mags_simulated;
    MagMeasurement m;
    m.op_ns.assign(mag.ops.size(), 0);
    std::vector<int> completions(mag.ops.size(), 0);
    current_work = fmt::format("driver: playing a {} MAG of {} operator(s) ({})", prefill ? "prefill" : "decode",
                               mag.ops.size(), mag_names(mag));
    const ActivityCounts before = chip_activity();
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
    m.activity = difference(chip_activity(), before);
    if (timeline != nullptr) record_timeline(m, mag, t0);
    if (opt_.exact) {
      scratch_ = std::move(m);
      return scratch_;
    }
    auto& slot = memo_[key];
    slot = std::move(m);
    return slot;
  }

  // The MAG's chip spans (relative to its start t0) and the DRAM refresh windows that fell in it.
  void record_timeline(MagMeasurement& m, const MagGroup& mag, const sc_core::sc_time& t0) {
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

  void play_operator(const LoweredOperator& op, int queue, bool prefill) {
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
    if (opt_.artifact_compat) npu_channels.insert(npu_channels.end(), op.nmp_channels.begin(), op.nmp_channels.end());
    sc_core::sc_process_handle nmp;
    const bool has_nmp = op.nmp_part.batch > 0, has_npu = op.npu_part.batch > 0;
    if (has_nmp) nmp = sc_core::sc_spawn([this, &op, queue]() { play_nmp(op.nmp_part, op.nmp_channels, queue); });
    if (has_npu) chip_.npu().gemm(op.npu_part, npu_channels, queue);
    if (has_nmp && !nmp.terminated()) sc_core::wait(nmp.terminated_event());
  }

  const ChannelPlan& plan_for(const GemmShape& tile, double charged_bytes_per_mac) {
    const std::string key = fmt::format("{}|{}", shape_key(tile), charged_bytes_per_mac);
    auto it = plans_.find(key);
    if (it != plans_.end()) return it->second;
    ChannelPlan plan = plan_channel(hw_, tile, !ideal_);
    plan.charged_hb_bytes_per_mac = charged_bytes_per_mac;
    return plans_.emplace(key, std::move(plan)).first->second;
  }

  void play_nmp(const GemmShape& shape, const std::vector<int>& channels, int queue) {
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

  // The k and v of the new token go to the channels that hold the cache (qk's and sv's data).
  double append_kv_cache(const std::vector<LoweredOperator>& ops, ActivityCounts& activity) {
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();
    const ActivityCounts before = chip_activity();
    const int64_t bytes = batch_ * model_.head_dim() * model_.kv_heads * hw_.element_bytes;
    for (const auto& op : ops) {
      if (op.kind != OpKind::qk && op.kind != OpKind::sv) continue;
      std::vector<int> holding = op.nmp_channels;
      holding.insert(holding.end(), op.normal_channels.begin(), op.normal_channels.end());
      chip_.npu().write(bytes, holding);
    }
    activity = difference(chip_activity(), before);
    return time_to_ns(sc_core::sc_time_stamp() - t0);
  }

  ActivityCounts chip_activity() {
    ActivityCounts a;
    for (int c = 0; c < chip_.channel_count(); ++c) {
      Channel& ch = chip_.channel(c);
      const ExternalLink& link = ch.link();
      for (int k = 0; k < kLinkTrafficKinds; ++k) a.external_bytes += double(link.bytes(LinkTraffic(k)));
      a.input_buffer_bytes += 2.0 * double(link.bytes(LinkTraffic::scatter));   // written, then read by the PEs
      a.output_buffer_bytes += 2.0 * double(link.bytes(LinkTraffic::load));     // partial sums written, read out
      a.kv_cache_bytes_written += double(link.bytes(LinkTraffic::npu_write));
      a.hb_bytes += double(ch.dram().port_stats().hb_bytes);
      for (const auto& pe : ch.pes()) a.pe_macs += pe->stats().macs;
      if (auto* lp = dynamic_cast<const Lpddr5Dram*>(&ch.dram())) {
        const DramStats st = lp->dram_stats();
        a.dram_activates += double(st.commands.act);
        a.dram_read_bursts += double(st.commands.rd);
        a.dram_write_bursts += double(st.commands.wr);
        a.dram_refreshes += double(st.commands.ref_all + st.commands.ref_bank);
      } else {
        a.dram_read_bursts += double(link.bytes(LinkTraffic::npu_read)) / double(hw_.burst_bytes);
        a.dram_write_bursts += double(link.bytes(LinkTraffic::npu_write)) / double(hw_.burst_bytes);
      }
    }
    a.weight_buffer_bytes = 2.0 * a.hb_bytes;  // filled from the bank, drained by the multiplier
    a.npu_macs = chip_.npu().stats().macs;
    a.npu_adds = chip_.npu().stats().reduce_adds;
    return a;
  }

  Chip& chip_;
  const HardwareConfig& hw_;
  const ModelConfig& model_;
  const Scenario& scenario_;
  int64_t batch_;
  const Dataflow& df_;
  const LlmRunOptions& opt_;
  LlmRunResult& r_;
  bool ideal_;
  std::unordered_map<std::string, MagMeasurement> memo_;
  MagMeasurement scratch_;
  std::map<std::string, ChannelPlan> plans_;  // node-based: plans stay put while channels play them
};

// The analytic model has no simulation to count: derive the activity from the workload. Each
// NMP part streams its weights once through the HB ports and moves its inputs and partial sums
// over the links; each NPU part (and all of prefill) streams its DRAM operand once.
ActivityCounts workload_activity(const HardwareConfig& hw, const ModelConfig& model, const Scenario& sc, int64_t batch,
                                 const Dataflow& df, bool compat, int64_t row_bytes) {
  ActivityCounts a;
  const double e = double(hw.element_bytes);
  auto npu_part = [&](const GemmShape& s) {
    const double bytes = double(s.batch) * double(s.k) * double(s.n) * e;
    a.npu_macs += s.macs();
    a.external_bytes += bytes;
    a.dram_read_bursts += bytes / double(hw.burst_bytes);
    a.dram_activates += bytes / double(row_bytes);  // each row opened once
  };
  auto nmp_part = [&](const GemmShape& s, int64_t channels) {
    const auto t = tile_across_channels(s, channels, 1, 1);
    const double weights = double(s.batch) * double(s.k) * double(s.n) * e;
    a.pe_macs += s.macs();
    a.hb_bytes += weights;
    a.weight_buffer_bytes += 2 * weights;
    a.dram_activates += weights / double(row_bytes);
    const double in = double(s.batch) * double(s.m) * double(s.k) * e * double(t.t_n);
    const double out = double(s.batch) * double(s.m) * double(s.n) * e * double(t.t_k);
    a.external_bytes += in + out;
    a.input_buffer_bytes += 2 * in;
    a.output_buffer_bytes += 2 * out;
    a.npu_adds += double(s.batch) * double(t.t_k - 1) * double(s.m) * double(s.n);
  };
  auto pass = [&](const PassShape& p, double weight) {
    ActivityCounts before = a;
    a = ActivityCounts{};
    for (const auto& op : lower_dataflow(df, model, hw, p, compat)) {
      if (p.pass == Pass::prefill || op.exec == ExecKind::npu) {
        npu_part(p.pass == Pass::decode && op.npu_part.batch > 0 ? op.npu_part : op.shape);
      } else {
        if (op.nmp_part.batch > 0) nmp_part(op.nmp_part, int64_t(op.nmp_channels.size()));
        if (op.npu_part.batch > 0) npu_part(op.npu_part);
      }
    }
    before += a.scaled(weight);
    a = before;
  };
  const double layers = double(model.layers);
  pass({Pass::prefill, batch, sc.prompt_tokens, sc.prompt_tokens}, layers);
  for (int64_t i = 1; i <= sc.decode_tokens; ++i) {
    const int64_t ctx = std::min(sc.max_context_tokens, compat ? sc.prompt_tokens + sc.decode_tokens : sc.prompt_tokens + i);
    pass({Pass::decode, batch, 1, ctx}, layers);
  }
  return a;
}

}  // namespace

void validate_vcd_window(const std::string& w, int64_t decode_tokens) {
  if (w == "prefill") return;
  if (w.rfind("decode:", 0) == 0) {
    char* end = nullptr;
    const long long step = std::strtoll(w.c_str() + 7, &end, 10);
    if (end != nullptr && *end == '\0' && w.size() > 7 && step >= 1 && step <= decode_tokens) return;
  }
  throw InputError(fmt::format("--vcd-window: '{}' is not a window of this run (valid: prefill, or decode:N with "
                               "N from 1 to {})",
                               w, decode_tokens));
}

LlmRunResult run_llm(const HardwareConfig& hw, const ModelConfig& model, const Scenario& scenario, int64_t batch,
                     const Dataflow& df, const LlmRunOptions& opt) {
  const auto wall0 = Clock::now();
  if (batch < 1) throw InputError(fmt::format("--batch must be at least 1, found {}", batch));
  LlmRunResult r;
  r.design = hw.name;
  r.model = model.name;
  r.scenario = scenario.name;
  r.dataflow = df.name;
  r.fidelity = opt.fidelity;
  r.batch = batch;
  r.layers = model.layers;
  r.prompt_tokens = scenario.prompt_tokens;
  r.decode_tokens = scenario.decode_tokens;

  // The design's DRAM standard (with --dram-set applied) sets the row size at every fidelity.
  std::unique_ptr<DramStandard> standard;
  if (!hw.dram_standard_file.empty()) {
    standard = std::make_unique<DramStandard>(load_dram_standard(hw.dram_standard_file, opt.dram_overrides));
  }
  const int64_t row_bytes = standard ? standard->row_bytes : kRowBytesWithoutStandard;
  if (opt.fidelity == Fidelity::analytic) {
    AnalyticEvaluator ev(hw, model, scenario, batch, EvaluatorOptions{opt.artifact_compat});
    const DataflowTiming t = ev.evaluate(df);
    r.prefill_s = t.prefill_per_layer_s * double(model.layers);
    r.decode_s = t.decode_per_layer_s * double(model.layers);
    for (const auto& o : t.ops) {
      LlmOperatorTime ot;
      ot.name = model.graph.name(o.op);
      ot.exec = to_string(o.exec);
      ot.mag = o.mag, ot.mpg = o.mpg, ot.tier = o.tier;
      ot.nmp_channels = mask_to_channels(o.nmp_mask);
      ot.normal_pool = o.normal_pool;
      ot.nmp_ratio = o.nmp_ratio;
      ot.prefill_s = o.prefill_s * double(model.layers);
      ot.decode_s = o.decode_s * double(model.layers);
      r.operators.push_back(ot);
    }
    r.activity = workload_activity(hw, model, scenario, batch, df, opt.artifact_compat, row_bytes);
  } else {
    ChipOptions chip_options;
    chip_options.ideal = opt.fidelity == Fidelity::ideal;
    chip_options.dram_factory = opt.dram_factory;
    chip_options.row_bytes = row_bytes;
    if (opt.dram_factory) {
      r.dram_model = "custom";
    } else if (opt.fidelity == Fidelity::cycle && opt.dram == DramModel::lpddr5 && standard) {
      chip_options.dram_standard = standard.get();
      r.dram_model = "lpddr5";
    } else {
      r.dram_model = "pipe";
    }
    if (!opt.command_trace_path.empty() && !standard) {
      throw InputError("--command-trace needs the cycle-level DRAM model (--fidelity cycle, --dram lpddr5, a "
                       "hardware config with dram_standard)");
    }
    Chip chip("chip", hw, chip_options);
    LlmDriver driver("driver", chip, hw, model, scenario, batch, df, opt, r);
    std::unique_ptr<DramCommandTraceFile> command_trace;
    if (!opt.command_trace_path.empty()) {
      validate_vcd_window(opt.vcd_window, scenario.decode_tokens);
      command_trace = std::make_unique<DramCommandTraceFile>(opt.command_trace_path);
      // All-bank refresh: start at the last PREab before the window; per-bank: from time 0.
      if (standard->refresh.mode == RefreshMode::all_bank) command_trace->hold_until_window();
      for (int c = 0; c < chip.channel_count(); ++c) {
        static_cast<Lpddr5Dram&>(chip.channel(c).dram()).observe_commands(command_trace.get(), c);
      }
      driver.command_trace = command_trace.get();
      driver.window_step = opt.vcd_window == "prefill" ? 0 : std::stoll(opt.vcd_window.substr(7));
    }
    Waveform wave;
    if (!opt.vcd_path.empty()) {
      validate_vcd_window(opt.vcd_window, scenario.decode_tokens);
      chip.attach_waveform(wave);
      driver.wave = &wave;
      driver.window_step = opt.vcd_window == "prefill" ? 0 : std::stoll(opt.vcd_window.substr(7));
    }
    SpanLog span_log;
    std::unique_ptr<RunTimeline> timeline;
    if (!opt.trace_path.empty()) {
      chip.attach_span_log(span_log);
      for (int c = 0; c < chip.channel_count(); ++c) {
        const bool lpddr5 = dynamic_cast<const Lpddr5Dram*>(&chip.channel(c).dram()) != nullptr;
        driver.refresh_tracks.push_back(lpddr5 ? span_log.track(fmt::format("ch{} refresh", c)) : -1);
      }
      timeline = std::make_unique<RunTimeline>(span_log.tracks(), opt.trace_detail_steps);
      driver.span_log = &span_log;
      driver.timeline = timeline.get();
    }
    WatchdogOptions watchdog;
    watchdog.max_wall_s = opt.max_wall_s;
    watchdog.what = "run simulation";
    watchdog.exit_process_on_stop = opt.exit_process_on_stop;
    simulate_until_finished([&driver] { return driver.done; },
                            [&] {
                              std::vector<std::string> p;
                              if (!driver.current_work.empty()) p.push_back(driver.current_work);
                              for (auto& s : chip.pending_work()) p.push_back(std::move(s));
                              return p;
                            },
                            watchdog);
    std::vector<std::string> violations = driver.violations;
    for (auto& s : chip.end_of_run_violations()) violations.push_back(std::move(s));
    check_end_of_run(violations, watchdog);
    if (!opt.vcd_path.empty()) {
      wave.write(opt.vcd_path);
      wave.write_gtkw(gtkw_path_for(opt.vcd_path), opt.vcd_path);
    }
    if (timeline) timeline->write(opt.trace_path);
    if (command_trace) {
      for (int c = 0; c < chip.channel_count(); ++c) static_cast<Lpddr5Dram&>(chip.channel(c).dram()).finish_commands();
      command_trace->commit();
      r.command_trace_commands = command_trace->commands_written();
    }
  }
  r.latency_s = r.prefill_s + r.decode_s;
  r.ttft_s = r.prefill_s;
  r.tpot_s = scenario.decode_tokens > 0 ? r.decode_s / double(scenario.decode_tokens) : 0.0;
  r.prefill_per_layer_s = r.prefill_s / double(model.layers);
  r.decode_per_layer_s = r.decode_s / double(model.layers);
  if (r.latency_s > 0) {
    const double pe_peak = hw.pe.macs_per_s() * double(hw.pes_per_channel() * hw.nmp_channels);
    r.pe_utilization = pe_peak > 0 ? r.activity.pe_macs / (pe_peak * r.latency_s) : 0.0;
    r.npu_utilization = r.activity.npu_macs / (hw.npu.peak_macs_per_s * r.latency_s);
    r.external_bandwidth_gbps = r.activity.external_bytes / r.latency_s / 1e9;
  }
  r.external_peak_bandwidth_gbps = hw.external_bandwidth_bytes_per_s * double(hw.channels) / 1e9;
  if (opt.energy != nullptr) {
    r.has_energy = true;
    r.energy = compute_energy(*opt.energy, r.activity, r.latency_s, hw);
    const double tokens = double(batch * scenario.decode_tokens);
    r.energy_per_token_j = tokens > 0 ? r.energy.total_j / tokens : 0.0;
    r.tokens_per_joule = r.energy.total_j > 0 ? tokens / r.energy.total_j : 0.0;
  }
  r.wall_s = std::chrono::duration<double>(Clock::now() - wall0).count();
  r.wall_peak_rss_mib = peak_rss_mib();
  return r;
}

}  // namespace h2sim

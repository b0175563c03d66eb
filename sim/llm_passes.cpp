// Role: the pass loop of an inference and its memoization (see sim/llm_passes.hpp).
#include "sim/llm_passes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <iostream>
#include <vector>

#include "models/sc_time_util.hpp"

namespace h2sim {

namespace {

using Clock = std::chrono::steady_clock;

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

MagMeasurement interpolate(const MagMeasurement& a, const MagMeasurement& b, double f) {
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

}  // namespace

LlmDriver::LlmDriver(sc_core::sc_module_name name, Chip& chip, const HardwareConfig& hw, const ModelConfig& model,
                     const Scenario& scenario, int64_t batch, const Dataflow& df, const LlmRunOptions& opt,
                     LlmRunResult& result)
    : sc_core::sc_module(name),
      executor(chip, hw, model, batch, opt.fidelity == Fidelity::ideal, opt.artifact_compat),
      hw_(hw), model_(model), scenario_(scenario), batch_(batch), df_(df), opt_(opt), r_(result),
      ideal_(opt.fidelity == Fidelity::ideal) {
  SC_THREAD(run);
}

void LlmDriver::run() {
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
    const int64_t ctx = decode_context_tokens(scenario_, i, opt_.artifact_compat);
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

std::pair<int64_t, int64_t> LlmDriver::context_grid(int64_t ctx) const {
  const int64_t first = decode_context_tokens(scenario_, 1, opt_.artifact_compat);
  const int64_t last = decode_context_tokens(scenario_, scenario_.decode_tokens, opt_.artifact_compat);
  const int64_t stride = std::max<int64_t>(1, opt_.context_stride);
  if (opt_.exact || stride == 1 || ctx <= first || ctx >= last) return {ctx, ctx};
  const int64_t lo = first + (ctx - first) / stride * stride;
  if (lo == ctx) return {ctx, ctx};
  return {lo, std::min(lo + stride, last)};
}

double LlmDriver::play_pass(const PassShape& pass, int64_t layers, int64_t step) {
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
  RunTimeline* const timeline = executor.timeline;
  std::vector<TimelineLayer> timeline_layers;
  std::deque<MagMeasurement> interpolated_kept;  // interpolated measurements the timeline points to
  for (int64_t layer = 0; layer < played; ++layer) {
    if (timeline != nullptr) timeline_layers.emplace_back();
    // The waveform window is simulated (never taken from the memo) and recorded.
    const bool window = recording && layer == 0 && step == window_step;
    if (window && wave) wave->enable(true);
    if (window && dram_wave_gate) dram_wave_gate->open = true;
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
      const double kv_ns = executor.append_kv_cache(ops, kv);
      total_ns += kv_ns * weight;
      r_.activity += kv.scaled(weight);
      if (timeline != nullptr) timeline_layers.back().kv_ns = kv_ns;
    }
    if (window && wave) wave->enable(false);
    if (window && dram_wave_gate) dram_wave_gate->open = false;
    if (window && command_trace) {
      command_trace->end_window(std::llround(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_PS)));
    }
  }
  if (timeline != nullptr) timeline->pass(step, pass.context, timeline_layers, layers);
  return total_ns;
}

LlmOperatorTime& LlmDriver::op_time(const LoweredOperator& op) {
  for (auto& t : r_.operators) {
    if (t.name == op.name) return t;
  }
  r_.operators.push_back(LlmOperatorTime{op.name, to_string(op.exec), op.mag, op.mpg, op.tier, op.nmp_channels,
                                         !op.normal_channels.empty(), op.nmp_ratio, 0, 0});
  return r_.operators.back();
}

const MagMeasurement& LlmDriver::measure(bool prefill, const MagGroup& mag, bool force) {
  const std::string key = mag_signature(prefill, mag);
  if (!opt_.exact && !force) {
    auto it = memo_.find(key);
    if (it != memo_.end()) {
      ++r_.mags_memoized;
      return it->second;
    }
  }
  ++r_.mags_simulated;
  MagMeasurement m = executor.play(prefill, mag);
  if (opt_.exact) {
    scratch_ = std::move(m);
    return scratch_;
  }
  auto& slot = memo_[key];
  slot = std::move(m);
  return slot;
}

}  // namespace h2sim

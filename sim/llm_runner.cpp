// Role: the entry of an inference run (see sim/llm_runner.hpp): the analytic evaluation, or the
// chip elaborated and played by the pass loop (sim/llm_passes.hpp), then the report's derived
// numbers (utilizations, bandwidth, energy). The MAGs are played by sim/mag_execution.hpp and
// the activity is counted by sim/llm_activity.hpp.
#include "sim/llm_runner.hpp"

#include <fmt/format.h>
#include <systemc>

#include <chrono>
#include <memory>
#include <cstdlib>
#include <string>
#include <vector>

#include "config/errors.hpp"
#include "mapping/evaluator.hpp"
#include "models/chip.hpp"
#include "models/dram/dram_command_trace.hpp"
#include "models/dram_wave.hpp"
#include "models/lpddr5_dram.hpp"
#include "models/span_log.hpp"
#include "sim/chip_setup.hpp"
#include "sim/llm_activity.hpp"
#include "sim/llm_passes.hpp"
#include "sim/mag_execution.hpp"
#include "sim/run_timeline.hpp"
#include "sim/watchdog.hpp"

namespace h2sim {

namespace {

using Clock = std::chrono::steady_clock;

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
  r.parameters = model_parameters(model);
  r.scenario = scenario.name;
  r.dataflow = df.name;
  r.fidelity = opt.fidelity;
  r.batch = batch;
  r.layers = model.layers;
  r.prompt_tokens = scenario.prompt_tokens;
  r.decode_tokens = scenario.decode_tokens;

  if (opt.fidelity == Fidelity::analytic) {
    // The design's DRAM standard (with --dram-set applied) sets the row size at every fidelity.
    const std::unique_ptr<DramStandard> standard = load_design_standard(hw, opt.dram_overrides);
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
    r.activity = workload_activity(hw, model, scenario, batch, df, opt.artifact_compat, row_bytes_of(standard.get()));
  } else {
    const ChipSetup setup = setup_chip(hw, opt.fidelity, opt.dram, opt.dram_overrides, opt.dram_factory);
    r.dram_model = setup.dram_model;
    if (!opt.command_trace_path.empty() && setup.options.dram_standard == nullptr) {
      throw InputError("--command-trace needs the cycle-level DRAM model (--fidelity cycle, --dram lpddr5, a "
                       "hardware config with dram_standard)");
    }
    Chip chip("chip", hw, setup.options);
    LlmDriver driver("driver", chip, hw, model, scenario, batch, df, opt, r);
    std::unique_ptr<DramCommandTraceFile> command_trace;
    std::unique_ptr<DramCommandFanout> dram_fanout;
    if (!opt.command_trace_path.empty()) {
      validate_vcd_window(opt.vcd_window, scenario.decode_tokens);
      command_trace = std::make_unique<DramCommandTraceFile>(opt.command_trace_path);
      // All-bank refresh: start at the last PREab before the window; per-bank: from time 0.
      if (setup.options.dram_standard->refresh.mode == RefreshMode::all_bank) command_trace->hold_until_window();
      observe_dram_commands(chip, {command_trace.get()}, dram_fanout);
      driver.command_trace = command_trace.get();
      driver.window_step = opt.vcd_window == "prefill" ? 0 : std::stoll(opt.vcd_window.substr(7));
    }
    Waveform wave;
    // The DRAM's signals (models/dram_wave.hpp): the engine's commands, in time order, while the
    // window runs; the observer shares each channel with the command trace.
    std::unique_ptr<ChipDramWave> dram_wave;
    if (!opt.vcd_path.empty()) {
      validate_vcd_window(opt.vcd_window, scenario.decode_tokens);
      chip.attach_waveform(wave);
      driver.wave = &wave;
      driver.window_step = opt.vcd_window == "prefill" ? 0 : std::stoll(opt.vcd_window.substr(7));
      if (setup.options.dram_standard != nullptr) {
        dram_wave = std::make_unique<ChipDramWave>(wave, chip.channel_count(), int(hw.banks_per_channel),
                                                   *setup.options.dram_standard, true);
        std::vector<DramCommandObserver*> sinks{dram_wave->observer()};
        if (command_trace) sinks.insert(sinks.begin(), command_trace.get());
        observe_dram_commands(chip, sinks, dram_fanout);
        driver.dram_wave_gate = dram_wave->gate();
      }
    }
    SpanLog span_log;
    std::unique_ptr<RunTimeline> timeline;
    if (!opt.trace_path.empty()) {
      chip.attach_span_log(span_log);
      for (int c = 0; c < chip.channel_count(); ++c) {
        const bool lpddr5 = dynamic_cast<const Lpddr5Dram*>(&chip.channel(c).dram()) != nullptr;
        driver.executor.refresh_tracks.push_back(lpddr5 ? span_log.track(fmt::format("ch{} refresh", c)) : -1);
      }
      timeline = std::make_unique<RunTimeline>(span_log.tracks(), opt.trace_detail_steps);
      driver.executor.span_log = &span_log;
      driver.executor.timeline = timeline.get();
    }
    WatchdogOptions watchdog;
    watchdog.max_wall_s = opt.max_wall_s;
    watchdog.what = "run simulation";
    watchdog.exit_process_on_stop = opt.exit_process_on_stop;
    simulate_until_finished([&driver] { return driver.done; },
                            [&] {
                              std::vector<std::string> p;
                              if (!driver.executor.current_work.empty()) p.push_back(driver.executor.current_work);
                              for (auto& s : chip.pending_work()) p.push_back(std::move(s));
                              return p;
                            },
                            watchdog);
    std::vector<std::string> violations = driver.executor.violations;
    for (auto& s : chip.end_of_run_violations()) violations.push_back(std::move(s));
    check_end_of_run(violations, watchdog);
    if (command_trace || dram_wave) finish_dram_commands(chip);
    if (!opt.vcd_path.empty()) {
      wave.write(opt.vcd_path);
      wave.write_gtkw(gtkw_path_for(opt.vcd_path), opt.vcd_path);
    }
    if (timeline) timeline->write(opt.trace_path);
    if (command_trace) {
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

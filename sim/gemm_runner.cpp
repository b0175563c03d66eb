#include "sim/gemm_runner.hpp"

#include <fmt/format.h>
#include <systemc>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <filesystem>
#include <memory>

#include "config/errors.hpp"
#include "mapping/channel_plan.hpp"
#include "models/chip.hpp"
#include "models/dram/dram_command_trace.hpp"
#include "models/dram_wave.hpp"
#include "models/lpddr5_dram.hpp"
#include "models/sc_time_util.hpp"
#include "sim/watchdog.hpp"

namespace h2sim {

GemmShape channel_tile(const GemmShape& shape, const InterChannelTiling& t, int64_t channel) {
  const int64_t c_group = t.channels_per_gemm;
  const int64_t groups = t.channels / c_group;
  const int64_t group = channel / c_group;
  const int64_t j = channel % c_group;
  const int64_t i_k = j / t.t_n, i_n = j % t.t_n;
  const int64_t kt = ceil_div(shape.k, t.t_k), nt = ceil_div(shape.n, t.t_n);
  GemmShape tile{0, shape.m, std::clamp<int64_t>(shape.k - i_k * kt, 0, kt), std::clamp<int64_t>(shape.n - i_n * nt, 0, nt)};
  // GEMMs of the batch go round-robin over the groups of channels.
  if (group < groups) tile.batch = shape.batch / groups + (group < shape.batch % groups ? 1 : 0);
  if (shape.batch == 1) tile.batch = group == 0 ? 1 : 0;
  return tile;
}

namespace {

struct GemmDriver : sc_core::sc_module {
  SC_HAS_PROCESS(GemmDriver);
  GemmDriver(sc_core::sc_module_name name, Chip& chip, const HardwareConfig& hw, const GemmShape& shape,
             GemmTarget target, std::vector<ChannelPlan> plans, double reduce_adds)
      : sc_core::sc_module(name), chip_(chip), hw_(hw), shape_(shape), target_(target),
        plans_(std::move(plans)), reduce_adds_(reduce_adds) {
    SC_THREAD(run);
  }

  void run() {
    if (target_ == GemmTarget::npu) {
      std::vector<int> holding;
      for (int c = 0; c < hw_.channels; ++c) holding.push_back(c);
      chip_.npu().gemm(shape_, holding);
    } else {
      sc_core::sc_event_and_list all;
      std::vector<sc_core::sc_process_handle> handles;
      for (size_t c = 0; c < plans_.size(); ++c) {
        if (plans_[c].blocks.empty()) continue;
        handles.push_back(sc_core::sc_spawn([this, c]() {
          chip_.channel(static_cast<int>(c)).execute(plans_[c]);
          finish_[c] = sc_core::sc_time_stamp();
        }));
        all &= handles.back().terminated_event();
      }
      finish_.resize(plans_.size());
      if (!handles.empty()) sc_core::wait(all);
      reduce_start_ = sc_core::sc_time_stamp();
      chip_.npu().reduce(reduce_adds_);
    }
    end_ = sc_core::sc_time_stamp();
    done_ = true;
  }

  Chip& chip_;
  const HardwareConfig& hw_;
  GemmShape shape_;
  GemmTarget target_;
  std::vector<ChannelPlan> plans_;
  double reduce_adds_;
  std::vector<sc_core::sc_time> finish_;
  sc_core::sc_time reduce_start_, end_;
  bool done_ = false;
};

double nmp_physical_bound_ns(const HardwareConfig& hw, const GemmShape& shape, const InterChannelTiling& t) {
  double bound_s = 0;
  const double e = double(hw.element_bytes);
  const double pes = double(hw.pes_per_channel());
  for (int64_t c = 0; c < t.channels; ++c) {
    GemmShape tile = channel_tile(shape, t, c);
    if (tile.batch == 0 || tile.k == 0 || tile.n == 0) continue;
    const double g = double(tile.batch);
    const double weights_s = g * double(tile.k) * double(tile.n) * e / (hw.pe.hb_bandwidth_bytes_per_s * pes);
    const double macs_s = tile.macs() / (hw.pe.macs_per_s() * pes);
    const double link_s = g * (double(tile.m) * double(tile.k) + double(tile.m) * double(tile.n)) * e /
                          hw.external_bandwidth_bytes_per_s;
    bound_s = std::max({bound_s, weights_s, macs_s, link_s});
  }
  return bound_s * 1e9;
}

// The operands must fit in the chip's DRAM: the weights (B, K x N per GEMM) in the channels the
// GEMM reads them from (the NMP channels' tiles, or spread over every channel for the NPU), and
// A (M x K) and C (M x N) with them in the chip's memory.
void check_gemm_fits(const HardwareConfig& hw, const GemmShape& s, GemmTarget target) {
  const double e = double(hw.element_bytes);
  const double gib = double(int64_t(1) << 30);
  const double channel_capacity = double(hw.channel_capacity_bytes());
  const double weights = double(s.batch) * double(s.k) * double(s.n) * e;
  const double operands = weights + double(s.batch) * double(s.m) * double(s.k + s.n) * e;
  const double total_capacity = channel_capacity * double(hw.channels);
  if (operands > total_capacity) {
    throw InputError(fmt::format(
        "gemm {}x({}x{})x({}x{}): the operands need {:.2f} GiB (weights {:.2f} GiB, activations and outputs {:.2f} "
        "GiB) but design '{}' has {:.2f} GiB of DRAM ({} channels x {:.2f} GiB); reduce --batch, --m, --k or --n",
        s.batch, s.m, s.k, s.k, s.n, operands / gib, weights / gib, (operands - weights) / gib, hw.name,
        total_capacity / gib, hw.channels, channel_capacity / gib));
  }
  if (target == GemmTarget::nmp && hw.nmp_channels == 0) return;  // run_gemm says there is no NMP channel
  const double holders = double(target == GemmTarget::nmp ? hw.nmp_channels : hw.channels);
  if (weights / holders > channel_capacity) {
    throw InputError(fmt::format(
        "gemm {}x({}x{})x({}x{}): the weights need {:.2f} GiB per channel over the {} channel(s) holding them ({}) "
        "of design '{}', above the {:.2f} GiB of one channel; reduce --batch, --k or --n",
        s.batch, s.m, s.k, s.k, s.n, weights / holders / gib, int64_t(holders),
        target == GemmTarget::nmp ? "the NMP channels" : "all channels, for the NPU", hw.name, channel_capacity / gib));
  }
}

}  // namespace

GemmRunResult run_gemm(const HardwareConfig& hw, const GemmShape& shape, const GemmRunOptions& options) {
  validate_gemm_shape(shape, "gemm");
  check_gemm_fits(hw, shape, options.target);
  const auto wall_start = std::chrono::steady_clock::now();
  GemmRunResult r;
  r.design = hw.name;
  r.nmp_kind = to_string(hw.nmp_kind);
  r.shape = shape;
  r.target = options.target;
  r.fidelity = options.fidelity;
  r.macs = shape.macs();
  const double e = double(hw.element_bytes);

  std::vector<ChannelPlan> plans;
  double reduce_adds = 0;
  double ideal_hb_bytes_per_mac = 0;
  if (options.target == GemmTarget::nmp) {
    if (hw.nmp_channels == 0) {
      throw InputError(fmt::format("{}: design '{}' has no NMP channels; use --on npu", hw.source_file, hw.name));
    }
    const auto est = estimate_nmp_gemm(hw, shape);
    r.analytic_latency_ns = est.latency_ns;
    r.tiling = est.tiling;
    r.pe_cycle_ns = hw.pe.cycle_ns();
    r.physical_bound_ns = nmp_physical_bound_ns(hw, shape, r.tiling);
    ideal_hb_bytes_per_mac = 1.0 / est.intensity_macs_per_byte;
    const bool ideal = options.fidelity == Fidelity::ideal;
    for (int64_t c = 0; c < hw.nmp_channels && options.fidelity != Fidelity::analytic; ++c) {
      // Ideal, like the artifact, gives every channel the rounded-up tile; cycle the exact one.
      GemmShape tile = ideal ? r.tiling.per_channel : channel_tile(shape, r.tiling, c);
      if (ideal && c >= r.tiling.channels) tile.batch = 0;
      if (tile.batch == 0 || tile.k == 0 || tile.n == 0) {
        plans.emplace_back();
        continue;
      }
      plans.push_back(plan_channel(hw, tile, !ideal));
      plans.back().charged_hb_bytes_per_mac = ideal_hb_bytes_per_mac;
      ++r.channels_used;
      r.blocks_per_channel_max = std::max<int64_t>(r.blocks_per_channel_max, int64_t(plans.back().blocks.size()));
      r.pe_split_k = plans.back().split.p_k;
      r.pe_split_n = plans.back().split.p_n;
    }
    // The T_K partial sums of each output element are added on the NPU (free in the artifact).
    if (!ideal) reduce_adds = double(shape.batch) * double(r.tiling.t_k - 1) * double(shape.m) * double(shape.n);
  } else {
    const auto est = estimate_npu_gemm(hw, shape, hw.channels);
    r.analytic_latency_ns = est.latency_ns;
    r.channels_used = hw.channels;
    const double bytes = double(shape.batch) * double(shape.k) * double(shape.n) * e;
    r.physical_bound_ns = std::max(bytes / (hw.external_bandwidth_bytes_per_s * double(hw.channels)),
                                   shape.macs() / hw.npu.peak_macs_per_s) * 1e9;
  }

  if (options.fidelity == Fidelity::analytic) {
    r.latency_ns = r.analytic_latency_ns;
    if (options.target == GemmTarget::nmp) {
      const auto est = estimate_nmp_gemm(hw, shape);
      r.breakdown_ns = {est.scatter_ns, est.compute_ns, est.load_ns, 0};
    } else {
      r.breakdown_ns.compute = r.latency_ns;
    }
  } else {
    const ChipSetup setup = setup_chip(hw, options.fidelity, options.dram, options.dram_overrides, options.dram_factory);
    r.dram_model = setup.dram_model;
    if (!options.command_trace_path.empty() && setup.options.dram_standard == nullptr) {
      throw InputError("--command-trace needs the cycle-level DRAM model (--fidelity cycle, --dram lpddr5)");
    }
    Chip chip("chip", hw, setup.options);
    GemmDriver driver("driver", chip, hw, shape, options.target, plans, reduce_adds);
    std::unique_ptr<DramCommandTraceFile> command_trace;
    if (!options.command_trace_path.empty()) {
      command_trace = std::make_unique<DramCommandTraceFile>(options.command_trace_path);
    }

    Waveform wave;
    // The DRAM's signals come from its command stream (models/dram_wave.hpp).
    std::unique_ptr<ChipDramWave> dram_wave;
    if (!options.vcd_path.empty()) {
      chip.attach_waveform(wave);
      if (setup.options.dram_standard != nullptr) {
        dram_wave = std::make_unique<ChipDramWave>(wave, chip.channel_count(), int(hw.banks_per_channel),
                                                   *setup.options.dram_standard, false);
      }
      wave.enable(true);
    }
    std::vector<DramCommandObserver*> dram_observers;
    if (command_trace) dram_observers.push_back(command_trace.get());
    if (dram_wave) dram_observers.push_back(dram_wave->observer());
    std::unique_ptr<DramCommandFanout> dram_fanout;
    observe_dram_commands(chip, dram_observers, dram_fanout);
    WatchdogOptions watchdog;
    watchdog.max_wall_s = options.max_wall_s;
    watchdog.progress = options.progress;
    watchdog.what = "gemm simulation";
    watchdog.exit_process_on_stop = options.exit_process_on_stop;
    simulate_until_finished([&driver] { return driver.done_; }, [&chip] { return chip.pending_work(); }, watchdog);
    check_end_of_run(chip.end_of_run_violations(), watchdog);
    if (!dram_observers.empty()) finish_dram_commands(chip);
    if (!options.vcd_path.empty()) {
      wave.write(options.vcd_path);
      wave.write_gtkw(gtkw_path_for(options.vcd_path), options.vcd_path);
    }
    if (command_trace) {
      command_trace->commit();
      r.command_trace_commands = command_trace->commands_written();
    }

    r.latency_ns = time_to_ns(driver.end_);
    if (options.target == GemmTarget::nmp) {
      // The breakdown follows the channel that finished last: it set the latency.
      size_t critical = 0;
      for (size_t c = 0; c < driver.finish_.size(); ++c) {
        if (driver.finish_[c] > driver.finish_[critical]) critical = c;
      }
      const auto& ph = chip.channel(static_cast<int>(critical)).phase_times();
      r.breakdown_ns = {time_to_ns(ph.scatter), time_to_ns(ph.compute), time_to_ns(ph.load),
                        time_to_ns(driver.end_ - driver.reduce_start_)};
    } else {
      r.breakdown_ns.compute = time_to_ns(chip.npu().stats().compute_busy);
    }
    for (int c = 0; c < chip.channel_count(); ++c) {
      Channel& ch = chip.channel(c);
      r.bytes_scattered += ch.link().bytes(LinkTraffic::scatter);
      r.bytes_loaded += ch.link().bytes(LinkTraffic::load);
      r.bytes_npu_read += ch.link().bytes(LinkTraffic::npu_read);
      r.bytes_hb += ch.dram().port_stats().hb_bytes;
      r.max_input_buffer_bytes = std::max(r.max_input_buffer_bytes, ch.max_input_buffer_used_bytes());
      r.max_output_buffer_bytes_per_pe = std::max(r.max_output_buffer_bytes_per_pe, ch.max_output_buffer_used_bytes());
    }
    if (setup.options.dram_standard != nullptr) {  // the LPDDR5 model played it
      int64_t hits = 0, accesses = 0;
      for (int c = 0; c < chip.channel_count(); ++c) {
        const DramStats st = static_cast<const Lpddr5Dram&>(chip.channel(c).dram()).dram_stats();
        r.dram_activates += st.commands.bank_activations(hw.banks_per_channel);
        r.dram_reads += st.commands.array_reads(hw.banks_per_channel);
        r.dram_precharges += st.commands.precharge_commands();
        r.dram_refreshes += st.commands.ref_all + st.commands.ref_bank;
        hits += st.external.row_hits + st.hb.row_hits;
        accesses += st.external.column_accesses + st.hb.column_accesses;
      }
      r.dram_row_hit_rate = accesses > 0 ? double(hits) / double(accesses) : 0.0;
      if (hw.nmp_kind == NmpKind::in_die && options.target == GemmTarget::nmp) {
        int used = 0;
        for (int c = 0; c < chip.channel_count(); ++c) {
          const auto& d = static_cast<const Lpddr5Dram&>(chip.channel(c).dram());
          const DramPimStats p = d.dram_stats().pim;
          if (p.mac_commands == 0) continue;
          ++used;
          r.pim_mac_commands += p.mac_commands;
          r.pim_act_commands += p.act_commands;
          r.pim_pre_commands += p.pre_commands;
          r.pim_rows_opened += p.rows_opened;
          r.pim_command_bus_utilization += p.command_bus_utilization();
          r.pim_act_window_stall_ns += double(p.act_window_stall_ps) / 1e3;
          r.pim_row_switch_ns += double(p.row_switch_ps) / 1e3;
          r.pim_refresh_stall_ns += double(p.refresh_stall_ps) / 1e3;
          r.pim_compute_paced_ns += double(p.compute_paced_ps) / 1e3;
          r.pim_mac_interval_ns = double(d.engine().pim_mac_interval_ps()) / 1e3;
        }
        r.has_pim_stats = used > 0;
        if (used > 0) {
          for (double* x : {&r.pim_command_bus_utilization, &r.pim_act_window_stall_ns, &r.pim_row_switch_ns,
                            &r.pim_refresh_stall_ns, &r.pim_compute_paced_ns}) {
            *x /= used;
          }
        }
      }
    }
    // Invariants: every byte asked for was delivered, every MAC was done once.
    double pe_macs = 0;
    for (int c = 0; c < chip.channel_count(); ++c) {
      for (const auto& pe : chip.channel(c).pes()) pe_macs += pe->stats().macs;
    }
    const double done_macs = options.target == GemmTarget::nmp ? pe_macs : chip.npu().stats().macs;
    if (std::fabs(done_macs - shape.macs()) > 0.5 && !(options.fidelity == Fidelity::ideal && options.target == GemmTarget::nmp)) {
      throw InternalError(fmt::format("gemm: {} MACs simulated, {} expected", done_macs, shape.macs()));
    }
    r.macs = done_macs;
  }

  if (options.fidelity == Fidelity::analytic) {
    // Byte counts of the artifact's model: what each channel receives and returns.
    if (options.target == GemmTarget::nmp) {
      const auto& pc = r.tiling.per_channel;
      r.bytes_scattered = int64_t(r.tiling.channels * pc.batch * pc.m * pc.k * e);
      r.bytes_loaded = int64_t(r.tiling.channels * pc.batch * pc.m * pc.n * e);
      r.channels_used = r.tiling.channels;
    }
  }

  const double lat_s = r.latency_ns * 1e-9;
  if (options.target == GemmTarget::nmp) {
    const double pes = double(hw.pes_per_channel() * r.channels_used);
    r.pe_utilization = r.macs / (hw.pe.macs_per_s() * pes * lat_s);
    r.hb_peak_bandwidth_gbps = hw.pe.hb_bandwidth_bytes_per_s * pes / 1e9;
    r.hb_bandwidth_gbps = double(r.bytes_hb) / lat_s / 1e9;
  } else {
    r.npu_utilization = r.macs / (hw.npu.peak_macs_per_s * lat_s);
  }
  r.external_peak_bandwidth_gbps = hw.external_bandwidth_bytes_per_s * double(r.channels_used) / 1e9;
  r.external_bandwidth_gbps = double(r.bytes_scattered + r.bytes_loaded + r.bytes_npu_read) / lat_s / 1e9;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  r.wall_peak_rss_mib = peak_rss_mib();
  return r;
}

}  // namespace h2sim

#include "sim/dram_bench.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "models/dram/dram_command_trace.hpp"
#include "models/dram/dram_report.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/dram/dram_trace.hpp"
#include "models/dram/dram_workloads.hpp"
#include "models/dram/lpddr5_channel.hpp"

namespace h2sim {

namespace {

// First-order bound for the run, from the timing values, so the table says why a number is what
// it is. (The tests compute their own expectations independently.)
std::pair<double, std::string> analytic_bound_gbps(const DramBenchOptions& o, const Lpddr5Channel& ch) {
  const DramStandard& s = ch.standard();
  const DramTimingCk& t = s.t;
  const double refi = double(s.refresh.nrefi_ck);
  if (o.path == "external" && o.pattern == "sequential" && o.kind == "read") {
    double lost = double(t.nrtp + t.nrpab + s.refresh.nrfcab_ck + t.nrcd - t.nbl);
    return {ch.peak_external_bandwidth_bytes_per_s() / 1e9 * (1 - lost / refi),
            fmt::format("peak x (1 - (nRTP + nRPab + tRFCab + nRCD - nBL) / tREFI) = peak x (1 - {:g} / {:g} CK); "
                        "row switches hidden by the {}-deep queue",
                        lost, refi, s.controller.queue_depth)};
  }
  if (o.path == "external" && o.pattern == "random") {
    double act_ck = std::max(double(t.nrrd), double(t.nfaw) / double(t.activates_per_faw));
    double bank_ck = double(t.nrc) / double(s.banks());
    double per_burst_ck = std::max({act_ck, bank_ck, 3.0, double(t.nbl)});
    double refresh = 1 - double(t.nrpab + s.refresh.nrfcab_ck) / refi;
    return {double(s.burst_bytes) / (per_burst_ck * double(s.tck_ps)) * 1e3 * refresh,
            fmt::format("every burst is a row miss (PRE + ACT + RD): one ACT per max(nRRD {}, nFAW/{} = {:g}, "
                        "nRC/banks = {:g}, 3 commands) CK, less refresh",
                        t.nrrd, t.activates_per_faw, double(t.nfaw) / double(t.activates_per_faw), bank_ck)};
  }
  if (o.path == "hb" && o.pattern == "sequential") {
    // One row of n accesses per row period, by hb_port.row_switch (dram_standard.hpp, HbRowSwitch).
    const double p = double(ch.hb_access_period_ps());
    const double n = double(s.row_bytes / s.hb.column_access_bytes);
    const double rtp = double(s.ps(t.nrtp)), rp = double(s.ps(t.nrppb)), rcd = double(s.ps(t.nrcd));
    const double ras = double(s.ps(t.nras)), rc = double(s.ps(t.nrc)), ck = double(s.tck_ps);
    const double nra = double(s.ps(s.salp_nra_ck()));
    double row_ps = 0;
    std::string how;
    switch (s.hb.row_switch) {
      case HbRowSwitch::exposed:
        row_ps = std::max((n - 1) * p + rtp + rp + rcd, rc);
        how = "max((n-1) x period + nRTP + nRPpb + nRCD, nRC)";
        break;
      case HbRowSwitch::salp:
        row_ps = (n - 1) * p + std::max({p, nra + rcd, rtp + ck + rcd});
        how = "(n-1) x period + max(period, nRA + nRCD, nRTP + tCK + nRCD)";
        break;
      case HbRowSwitch::ping_pong:
        row_ps = std::max(n * p, rc / 2);
        how = "max(n x period, nRC / 2): the halves alternate";
        break;
      case HbRowSwitch::prefetch_buffer:
        row_ps = std::max({n * p, std::max(rcd + rtp, ras) + rp, rc});
        how = "max(n x period, max(nRCD + nRTP, nRAS) + nRPpb, nRC)";
        break;
    }
    // After each refresh the banks re-activate at the activate window's pace (ping_pong: both halves).
    const double acts = s.hb.row_switch == HbRowSwitch::ping_pong ? 2.0 : 1.0;
    double lost = double(t.nrpab + s.refresh.nrfcab_ck + t.nrcd + t.nrtp) +
                  std::max(double(t.nrrd), double(t.nfaw) / double(t.activates_per_faw)) * (acts * double(s.banks()) - 1) / 2;
    return {double(s.banks()) * double(s.row_bytes) / row_ps * 1e3 * (1 - lost / refi),
            fmt::format("banks x row / row period {:g} ns (row_switch {}: {}; n = {:g} accesses of {:g} ns) "
                        "x (1 - refresh and re-activation {:g} / {:g} CK)",
                        row_ps / 1e3, to_string(s.hb.row_switch), how, n, p / 1e3, lost, refi)};
  }
  return {0.0, ""};
}

// p-quantile of a histogram (nearest rank: the smallest value with at least p of the counts at or
// below it); 0 for an empty histogram.
int64_t histogram_quantile(const std::vector<int64_t>& hist, double p) {
  int64_t total = 0;
  for (int64_t c : hist) total += c;
  if (total == 0) return 0;
  const int64_t rank = std::max<int64_t>(1, int64_t(std::ceil(p * double(total) - 1e-9)));
  int64_t seen = 0;
  for (size_t i = 0; i < hist.size(); ++i) {
    seen += hist[i];
    if (seen >= rank) return int64_t(i);
  }
  return int64_t(hist.size()) - 1;
}

DramBenchResult replay_trace(const DramBenchOptions& o, const HardwareConfig& hw, const std::string& dram_file,
                             const DramStandard& standard, Lpddr5Channel& ch, TraceFormat format) {
  TraceFileSource src(o.trace_file, format, ch.mapping().capacity_bytes(), standard.tck_ps, standard.burst_bytes);
  ch.enable_read_latency_histogram();
  std::unique_ptr<DramCommandTraceFile> cmd_trace;
  if (!o.command_trace.empty()) {
    cmd_trace = std::make_unique<DramCommandTraceFile>(o.command_trace);
    ch.set_command_observer(cmd_trace.get(), 0);
  }
  auto t0 = std::chrono::steady_clock::now();
  ch.run_external(src, 0);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const DramStats st = ch.stats();
  if (cmd_trace) {
    ch.finish_commands(st.end_ps);
    cmd_trace->commit();
  }
  const DramPathStats& ps = st.external;
  const int64_t bytes = src.requests() * standard.burst_bytes;
  const double peak_gbps = ch.peak_external_bandwidth_bytes_per_s() / 1e9;
  const double achieved_gbps = st.end_ps > 0 ? double(bytes) * 1e3 / double(st.end_ps) : 0.0;
  const int64_t cycles = st.end_ps / standard.tck_ps;
  const double tck_ns = double(standard.tck_ps) / 1e3;
  const int64_t p99_ck = histogram_quantile(ch.read_latency_histogram_ck(), 0.99);
  const std::string kind = src.writes() == 0 ? "read" : src.reads() == 0 ? "write" : "mixed";
  const std::string mapping = address_mapping_string(standard.controller.address_mapping);

  nlohmann::ordered_json j;
  j["hw"] = o.hw_file;
  j["dram_standard"] = dram_file;
  j["path"] = o.path;
  j["pattern"] = "trace";
  j["kind"] = kind;
  j["bytes"] = bytes;
  j["trace"] = o.trace_file;
  if (cmd_trace) {
    j["command_trace"] = {{"file", o.command_trace},
                          {"commands", cmd_trace->commands_written()},
                          {"bytes", cmd_trace->bytes_written()},
                          {"max_buffered_commands", cmd_trace->max_buffered_commands()}};
  }
  j["trace_format"] = to_string(src.format());
  j["address_mapping"] = mapping;
  j["requests"] = src.requests();
  j["reads"] = src.reads();
  j["writes"] = src.writes();
  j["achieved_bandwidth_gbps"] = achieved_gbps;
  j["peak_bandwidth_gbps"] = peak_gbps;
  j["efficiency"] = achieved_gbps / peak_gbps;
  j["simulated_ns"] = double(st.end_ps) / 1e3;
  j["simulated_dram_cycles"] = cycles;
  nlohmann::ordered_json stats = dram_stats_json(st, standard.tck_ps);
  j["commands"] = stats["commands"];
  j["row_hit_rate"] = ps.row_hit_rate();
  j["avg_read_latency_ns"] = ps.avg_read_latency_ps() / 1e3;
  j["avg_read_latency_cycles"] = ps.avg_read_latency_ps() / double(standard.tck_ps);
  j["p99_read_latency_ns"] = double(p99_ck) * tck_ns;
  j["p99_read_latency_cycles"] = p99_ck;
  j["max_read_latency_ns"] = double(ps.read_latency_max_ps) / 1e3;
  j["read_latency_measured_from"] = "entry into the controller queue";
  j["mean_bank_utilization"] = st.mean_bank_utilization();
  j["wall_s"] = wall_s;
  j["simulated_dram_cycles_per_wall_s"] = wall_s > 0 ? double(cycles) / wall_s : 0.0;
  j["requests_per_wall_s"] = wall_s > 0 ? double(src.requests()) / wall_s : 0.0;
  j["stats"] = stats;

  std::string table;
  auto line = [&](const std::string& k, const std::string& v) { table += fmt::format("  {:<34} {}\n", k, v); };
  table += fmt::format("h2sim dram: external path, trace {} ({} format, {} requests: {} reads, {} writes) on one {} "
                       "channel of {}\n",
                       o.trace_file, to_string(src.format()), src.requests(), src.reads(), src.writes(), standard.name,
                       hw.name);
  line("address mapping (lowest bits first)", mapping);
  line("achieved bandwidth", fmt::format("{:.4f} GB/s ({:.2f}% of the {:.1f} GB/s peak)", achieved_gbps,
                                         100 * achieved_gbps / peak_gbps, peak_gbps));
  line("simulated time", fmt::format("{:.1f} ns ({} DRAM cycles)", double(st.end_ps) / 1e3, cycles));
  const DramCommandCounts& c = st.commands;
  line("commands", fmt::format("ACT {}  PRE {}  PREab {}  RD {}  WR {}  REF {}", c.act, c.pre, c.pre_all, c.rd, c.wr,
                               c.ref_all + c.ref_bank));
  line("row-buffer hit rate", fmt::format("{:.4f}", ps.row_hit_rate()));
  line("read latency avg / p99 / max",
       fmt::format("{:.2f} / {:.2f} / {:.2f} ns = {:.2f} / {} / {} cycles (from entry into the controller queue)",
                   ps.avg_read_latency_ps() / 1e3, double(p99_ck) * tck_ns, double(ps.read_latency_max_ps) / 1e3,
                   ps.avg_read_latency_ps() / double(standard.tck_ps), p99_ck,
                   (ps.read_latency_max_ps + standard.tck_ps - 1) / standard.tck_ps));
  line("mean bank utilization", fmt::format("{:.4f}", st.mean_bank_utilization()));
  line("wall time", fmt::format("{:.3f} s ({:.3g} requests, {:.3g} simulated DRAM cycles per wall second)", wall_s,
                                wall_s > 0 ? double(src.requests()) / wall_s : 0.0,
                                wall_s > 0 ? double(cycles) / wall_s : 0.0));
  return {j, table};
}

}  // namespace

DramBenchResult run_dram_bench(const DramBenchOptions& o) {
  if (o.path != "external" && o.path != "hb") {
    throw InputError(fmt::format("--path: unknown path '{}' (valid: external, hb)", o.path));
  }
  const bool trace = o.pattern == "trace";
  if (o.pattern != "sequential" && o.pattern != "random" && !trace) {
    throw InputError(fmt::format("--pattern: unknown pattern '{}' (valid: sequential, random)", o.pattern));
  }
  if (trace && o.trace_file.empty()) throw InputError("--trace: no trace file given");
  if (trace && o.path != "external") {
    throw InputError("--trace replays on the external path (the FR-FCFS controller); use --path external");
  }
  const TraceFormat trace_format = parse_trace_format(o.trace_format, "--trace-format");
  if (o.kind != "read" && o.kind != "write") {
    throw InputError(fmt::format("--kind: unknown access kind '{}' (valid: read, write)", o.kind));
  }
  if (o.path == "hb" && o.kind != "read") throw InputError("--kind: the hybrid-bonded ports only read (use --kind read)");
  if (!trace && o.bytes <= 0) throw InputError(fmt::format("--bytes must be greater than 0, found {}", o.bytes));

  HardwareConfig hw = load_hardware_config(o.hw_file, o.hw_overrides);
  std::string dram_file = o.dram_file.empty() ? hw.dram_standard_file : o.dram_file;
  if (dram_file.empty()) {
    throw InputError(fmt::format("--hw {}: key 'dram_standard' is not set, so there is no DRAM timing to simulate",
                                 o.hw_file));
  }
  if (o.path == "hb" && hw.nmp_channels == 0) {
    throw InputError(fmt::format("--path hb: hardware config {} has no NMP channels (nmp_channels: 0)", o.hw_file));
  }
  DramStandard standard = load_dram_standard(dram_file, o.dram_overrides);
  if (!o.address_mapping.empty()) {
    standard.controller.address_mapping = parse_address_mapping(o.address_mapping, "--address-mapping");
  }
  Lpddr5Channel ch(standard, hw, o.path == "hb");
  const int64_t banks = standard.banks();
  const int64_t capacity = ch.mapping().capacity_bytes();
  if (trace) return replay_trace(o, hw, dram_file, standard, ch, trace_format);
  if (o.bytes > capacity) {
    throw InputError(fmt::format("--bytes {} exceeds the channel's capacity of {} B", o.bytes, capacity));
  }
  const int64_t unit = o.path == "hb" ? banks * standard.hb.column_access_bytes : standard.burst_bytes;
  if (o.bytes % unit != 0) {
    throw InputError(fmt::format("--bytes {} is not a multiple of {} B ({})", o.bytes, unit,
                                 o.path == "hb" ? "one column access on every bank" : "one burst"));
  }

  const DramAccess kind = o.kind == "read" ? DramAccess::read : DramAccess::write;
  std::unique_ptr<DramCommandTraceFile> cmd_trace;
  if (!o.command_trace.empty()) {
    cmd_trace = std::make_unique<DramCommandTraceFile>(o.command_trace);
    ch.set_command_observer(cmd_trace.get(), 0);
  }
  auto t0 = std::chrono::steady_clock::now();
  if (o.path == "external") {
    if (o.pattern == "sequential") {
      SequentialSource src(kind, o.bytes, standard.burst_bytes);
      ch.run_external(src, 0);
    } else {
      RandomSource src(kind, o.bytes / standard.burst_bytes, capacity, standard.burst_bytes, o.seed);
      ch.run_external(src, 0);
    }
  } else {
    if (o.pattern == "sequential") {
      run_hb_sequential(ch, o.bytes / banks);
    } else {
      run_hb_random(ch, o.bytes / unit, o.seed);
    }
  }
  DramStats st = ch.stats();
  if (cmd_trace) {
    ch.finish_commands(st.end_ps);
    cmd_trace->commit();
  }
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const DramPathStats& ps = o.path == "hb" ? st.hb : st.external;
  const double peak_gbps = o.path == "hb" ? double(banks) * ch.hb_bandwidth_per_bank_bytes_per_s() / 1e9
                                          : ch.peak_external_bandwidth_bytes_per_s() / 1e9;
  const double achieved_gbps = st.end_ps > 0 ? double(o.bytes) * 1e3 / double(st.end_ps) : 0.0;
  const int64_t cycles = st.end_ps / standard.tck_ps;
  auto [bound_gbps, bound_why] = analytic_bound_gbps(o, ch);

  nlohmann::ordered_json j;
  j["hw"] = o.hw_file;
  j["dram_standard"] = dram_file;
  j["path"] = o.path;
  j["pattern"] = o.pattern;
  j["kind"] = o.kind;
  j["bytes"] = o.bytes;
  j["seed"] = o.seed;
  j["achieved_bandwidth_gbps"] = achieved_gbps;
  j["peak_bandwidth_gbps"] = peak_gbps;
  j["efficiency"] = achieved_gbps / peak_gbps;
  if (!bound_why.empty()) {
    j["analytic_bandwidth_gbps"] = bound_gbps;
    j["analytic_model"] = bound_why;
  }
  j["simulated_ns"] = double(st.end_ps) / 1e3;
  j["simulated_dram_cycles"] = cycles;
  nlohmann::ordered_json stats = dram_stats_json(st, standard.tck_ps);
  j["commands"] = stats["commands"];
  j["row_hit_rate"] = ps.row_hit_rate();
  j["avg_read_latency_ns"] = ps.avg_read_latency_ps() / 1e3;
  j["max_read_latency_ns"] = double(ps.read_latency_max_ps) / 1e3;
  j["read_latency_measured_from"] = o.path == "hb" ? "hb_read call (one row per call)" : "entry into the controller queue";
  j["mean_bank_utilization"] = st.mean_bank_utilization();
  if (cmd_trace) {
    j["command_trace"] = {{"file", o.command_trace},
                          {"commands", cmd_trace->commands_written()},
                          {"bytes", cmd_trace->bytes_written()},
                          {"max_buffered_commands", cmd_trace->max_buffered_commands()}};
  }
  j["wall_s"] = wall_s;
  j["simulated_dram_cycles_per_wall_s"] = wall_s > 0 ? double(cycles) / wall_s : 0.0;
  j["stats"] = stats;

  std::string table;
  auto line = [&](const std::string& k, const std::string& v) { table += fmt::format("  {:<34} {}\n", k, v); };
  table += fmt::format("h2sim dram: {} path, {} {}s, {} B on one {} channel of {}\n", o.path, o.pattern, o.kind,
                       o.bytes, standard.name, hw.name);
  line("achieved bandwidth", fmt::format("{:.4f} GB/s ({:.2f}% of the {:.1f} GB/s peak)", achieved_gbps,
                                         100 * achieved_gbps / peak_gbps, peak_gbps));
  if (!bound_why.empty()) {
    line("analytic expectation", fmt::format("{:.4f} GB/s (achieved / expected = {:.4f})", bound_gbps,
                                             achieved_gbps / bound_gbps));
    line("  model", bound_why);
  }
  line("simulated time", fmt::format("{:.1f} ns ({} DRAM cycles)", double(st.end_ps) / 1e3, cycles));
  const DramCommandCounts& c = st.commands;
  line("commands", fmt::format("ACT {}  PRE {}  PREab {}  RD {}  WR {}  REF {}  HB_RD {}", c.act, c.pre, c.pre_all, c.rd,
                               c.wr, c.ref_all + c.ref_bank, c.hb_rd));
  line("row-buffer hit rate", fmt::format("{:.4f}", ps.row_hit_rate()));
  line("read latency avg / max", fmt::format("{:.2f} / {:.2f} ns (from {})", ps.avg_read_latency_ps() / 1e3,
                                             double(ps.read_latency_max_ps) / 1e3,
                                             j["read_latency_measured_from"].get<std::string>()));
  line("mean bank utilization", fmt::format("{:.4f}", st.mean_bank_utilization()));
  if (cmd_trace) {
    line("command trace", fmt::format("{} ({} commands, {} B)", o.command_trace, cmd_trace->commands_written(),
                                      cmd_trace->bytes_written()));
  }
  line("wall time", fmt::format("{:.3f} s ({:.3g} simulated DRAM cycles per wall second)", wall_s,
                                wall_s > 0 ? double(cycles) / wall_s : 0.0));
  return {j, table};
}

}  // namespace h2sim

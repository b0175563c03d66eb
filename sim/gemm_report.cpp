#include "sim/gemm_report.hpp"

#include <fmt/format.h>

namespace h2sim {

namespace {
const char* target_name(GemmTarget t) { return t == GemmTarget::nmp ? "nmp" : "npu"; }
}

std::string format_gemm_report(const GemmRunResult& r) {
  std::string s;
  auto line = [&s](const std::string& k, const std::string& v) { s += fmt::format("  {:<34} {}\n", k, v); };
  s += fmt::format("GEMM {} on {} ({}), fidelity {}\n", r.shape.to_string(), r.design, target_name(r.target),
                   to_string(r.fidelity));
  line("latency", r.pe_cycle_ns > 0 ? fmt::format("{:.3f} ns ({:.0f} PE cycles)", r.latency_ns, r.latency_ns / r.pe_cycle_ns)
                                    : fmt::format("{:.3f} ns", r.latency_ns));
  line("analytic latency (artifact roofline)", fmt::format("{:.3f} ns", r.analytic_latency_ns));
  line("latency / analytic", fmt::format("{:.4f}", r.latency_ns / r.analytic_latency_ns));
  line("physical bound", fmt::format("{:.3f} ns", r.physical_bound_ns));
  if (r.target == GemmTarget::nmp) {
    line("tiling T_K x T_N", fmt::format("{} x {} (closed form T_K = {:.3f}) over {} channels", r.tiling.t_k,
                                         r.tiling.t_n, r.tiling.t_k_closed_form, r.tiling.channels_per_gemm));
    line("GEMMs per channel", fmt::format("{}", r.tiling.gemms_per_channel));
    line("per-channel tile m x k x n", fmt::format("{} x {} x {}", r.tiling.per_channel.m, r.tiling.per_channel.k,
                                                   r.tiling.per_channel.n));
    if (r.pe_split_k > 0) {
      line("PE grid P_K x P_N", fmt::format("{} x {}", r.pe_split_k, r.pe_split_n));
      line("blocks per channel (max)", fmt::format("{}", r.blocks_per_channel_max));
    }
    line("bytes scattered / loaded", fmt::format("{} B / {} B", r.bytes_scattered, r.bytes_loaded));
    line("time split (critical channel)", fmt::format("scatter {:.1f} ns, compute {:.1f} ns, load {:.1f} ns, reduce {:.1f} ns",
                                                      r.breakdown_ns.scatter, r.breakdown_ns.compute,
                                                      r.breakdown_ns.load, r.breakdown_ns.reduce));
    line("PE utilization", fmt::format("{:.1f} %", 100 * r.pe_utilization));
    if (r.fidelity != Fidelity::analytic) line(r.nmp_kind == "in_die" ? "in-die bank bandwidth" : "hybrid-bonding bandwidth", fmt::format("{:.1f} of {:.1f} GB/s peak", r.hb_bandwidth_gbps, r.hb_peak_bandwidth_gbps));
    if (r.max_input_buffer_bytes > 0) {
      line("peak buffer use", fmt::format("input {} B, output {} B per PE", r.max_input_buffer_bytes,
                                          r.max_output_buffer_bytes_per_pe));
    }
  } else {
    line("bytes read by the NPU", fmt::format("{} B", r.bytes_npu_read));
    line("NPU utilization", fmt::format("{:.1f} %", 100 * r.npu_utilization));
  }
  if (r.dram_model == "lpddr5") {
    line("DRAM (LPDDR5) commands", fmt::format("ACT {}, RD {}, PRE {}, REF {}; row hits {:.1f} %", r.dram_activates,
                                               r.dram_reads, r.dram_precharges, r.dram_refreshes, 100 * r.dram_row_hit_rate));
  } else if (r.dram_model == "pipe") {
    line("DRAM", "bandwidth pipe (no command timing)");
  }
  if (r.has_pim_stats) {
    // RD above counts bursts read from the arrays: one per bank per MACab.
    line("in-die PIM commands (all channels)",
         fmt::format("MACab {}, ACT {}, PREab {}; {} lockstep rows opened", r.pim_mac_commands, r.pim_act_commands,
                     r.pim_pre_commands, r.pim_rows_opened));
    line("in-die PIM per NMP channel",
         fmt::format("command bus {:.1f} % busy; MACab every {:.2f} ns; exposed row switches {:.1f} ns "
                     "(activate-window stalls {:.1f} ns, refresh {:.1f} ns); compute-paced {:.1f} ns",
                     100 * r.pim_command_bus_utilization, r.pim_mac_interval_ns, r.pim_row_switch_ns,
                     r.pim_act_window_stall_ns, r.pim_refresh_stall_ns, r.pim_compute_paced_ns));
  }
  line("external bandwidth", fmt::format("{:.2f} of {:.1f} GB/s peak", r.external_bandwidth_gbps,
                                         r.external_peak_bandwidth_gbps));
  line("wall time", fmt::format("{:.3f} s", r.wall_s));
  line("peak memory (host)", fmt::format("{:.1f} MiB", r.wall_peak_rss_mib));
  return s;
}

nlohmann::ordered_json gemm_report_json(const GemmRunResult& r) {
  nlohmann::ordered_json j;
  j["design"] = r.design;
  j["target"] = target_name(r.target);
  j["fidelity"] = to_string(r.fidelity);
  j["dram_model"] = r.dram_model;
  j["shape"] = {{"batch", r.shape.batch}, {"m", r.shape.m}, {"k", r.shape.k}, {"n", r.shape.n}};
  j["latency_ns"] = r.latency_ns;
  j["latency_pe_cycles"] = r.pe_cycle_ns > 0 ? r.latency_ns / r.pe_cycle_ns : 0.0;
  j["analytic_latency_ns"] = r.analytic_latency_ns;
  j["physical_bound_ns"] = r.physical_bound_ns;
  if (r.target == GemmTarget::nmp) {
    j["tiling"] = {{"t_k", r.tiling.t_k},
                   {"t_n", r.tiling.t_n},
                   {"t_k_closed_form", r.tiling.t_k_closed_form},
                   {"channels_per_gemm", r.tiling.channels_per_gemm},
                   {"gemms_per_channel", r.tiling.gemms_per_channel},
                   {"per_channel", {{"m", r.tiling.per_channel.m}, {"k", r.tiling.per_channel.k}, {"n", r.tiling.per_channel.n}}},
                   {"pe_grid_k", r.pe_split_k},
                   {"pe_grid_n", r.pe_split_n},
                   {"blocks_per_channel_max", r.blocks_per_channel_max}};
  }
  j["breakdown_ns"] = {{"scatter", r.breakdown_ns.scatter},
                       {"compute", r.breakdown_ns.compute},
                       {"load", r.breakdown_ns.load},
                       {"reduce", r.breakdown_ns.reduce}};
  j["bytes_scattered"] = r.bytes_scattered;
  j["bytes_loaded"] = r.bytes_loaded;
  j["bytes_hb"] = r.bytes_hb;
  j["bytes_npu_read"] = r.bytes_npu_read;
  j["macs"] = r.macs;
  j["channels_used"] = r.channels_used;
  j["pe_utilization"] = r.pe_utilization;
  j["npu_utilization"] = r.npu_utilization;
  j["external_bandwidth_gbps"] = r.external_bandwidth_gbps;
  j["external_peak_bandwidth_gbps"] = r.external_peak_bandwidth_gbps;
  j["hb_bandwidth_gbps"] = r.hb_bandwidth_gbps;
  j["hb_peak_bandwidth_gbps"] = r.hb_peak_bandwidth_gbps;
  j["max_input_buffer_bytes"] = r.max_input_buffer_bytes;
  j["max_output_buffer_bytes_per_pe"] = r.max_output_buffer_bytes_per_pe;
  j["dram_commands"] = {{"activate", r.dram_activates}, {"read", r.dram_reads},
                        {"precharge", r.dram_precharges}, {"refresh", r.dram_refreshes}};
  j["dram_row_hit_rate"] = r.dram_row_hit_rate;
  j["nmp_kind"] = r.nmp_kind;
  if (r.has_pim_stats) {
    j["in_die_pim"] = {{"mac_commands", r.pim_mac_commands},
                       {"act_commands", r.pim_act_commands},
                       {"pre_commands", r.pim_pre_commands},
                       {"rows_opened", r.pim_rows_opened},
                       {"mac_interval_ns", r.pim_mac_interval_ns},
                       {"per_channel", {{"command_bus_utilization", r.pim_command_bus_utilization},
                                        {"row_switch_ns", r.pim_row_switch_ns},
                                        {"act_window_stall_ns", r.pim_act_window_stall_ns},
                                        {"refresh_stall_ns", r.pim_refresh_stall_ns},
                                        {"compute_paced_ns", r.pim_compute_paced_ns}}}};
  }
  j["efficiency_vs_analytic"] = r.analytic_latency_ns / r.latency_ns;
  j["wall_s"] = r.wall_s;
  j["wall_peak_rss_mib"] = r.wall_peak_rss_mib;
  return j;
}

}  // namespace h2sim

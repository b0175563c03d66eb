#include "sim/llm_report.hpp"

#include <fmt/format.h>

namespace h2sim {

std::string format_llm_report(const LlmRunResult& r) {
  std::string s;
  auto line = [&s](const std::string& k, const std::string& v) { s += fmt::format("  {:<30} {}\n", k, v); };
  s += fmt::format("{} on {}, {} (prompt {}, decode {} tokens), batch {}, dataflow {}, fidelity {}{}\n", r.model,
                   r.design, r.scenario, r.prompt_tokens, r.decode_tokens, r.batch, r.dataflow, to_string(r.fidelity),
                   r.dram_model.empty() ? "" : ", DRAM " + r.dram_model);
  {
    const ModelParameters& p = r.parameters;
    line("model parameters",
         p.complete ? fmt::format("{} ({} in {} decoder layers, {} embeddings, {} LM head{})", p.total, p.layers,
                                  r.layers, p.embeddings, p.lm_head, p.lm_head == 0 ? ", tied" : "")
                    : fmt::format("{} in {} decoder layers (vocabulary unknown: embeddings and LM head not counted)",
                                  p.layers, r.layers));
  }
  line("total latency", fmt::format("{:.6f} s", r.latency_s));
  line("prefill (time to first token)", fmt::format("{:.6f} s", r.prefill_s));
  line("decode", fmt::format("{:.6f} s ({} steps)", r.decode_s, r.decode_tokens));
  line("time per output token", fmt::format("{:.3f} ms", r.tpot_s * 1e3));
  line("per layer", fmt::format("prefill {:.3f} ms, decode {:.3f} ms ({} layers)", r.prefill_per_layer_s * 1e3,
                                r.decode_per_layer_s * 1e3, r.layers));
  if (r.fidelity != Fidelity::analytic) {
    line("PE utilization", fmt::format("{:.1f} %", 100 * r.pe_utilization));
    line("NPU utilization", fmt::format("{:.1f} %", 100 * r.npu_utilization));
    line("external bandwidth", fmt::format("{:.2f} of {:.1f} GB/s peak (all channels)", r.external_bandwidth_gbps,
                                           r.external_peak_bandwidth_gbps));
    line("simulation", fmt::format("{} MAGs simulated, {} memoized, {:.3f} ms simulated", r.mags_simulated,
                                   r.mags_memoized, r.simulated_ns * 1e-6));
  }
  if (r.has_energy) {
    line("energy", fmt::format("{:.4f} J ({:.3f} mJ per output token, {:.1f} tokens per joule)", r.energy.total_j,
                               r.energy_per_token_j * 1e3, r.tokens_per_joule));
    for (const auto& [name, joules] : energy_components(r.energy)) {
      if (joules > 0) line("  " + name, fmt::format("{:.4f} J ({:.1f} %)", joules, 100 * joules / r.energy.total_j));
    }
  }
  s += "  operators (whole model):\n";
  s += fmt::format("    {:<6} {:<5} {:>3} {:>3} {:>4}  {:<18} {:>7}  {:>12}  {:>12}\n", "op", "exec", "mag", "mpg", "tier",
                   "NMP channels", "NMP %", "prefill ms", "decode ms");
  for (const auto& o : r.operators) {
    s += fmt::format("    {:<6} {:<5} {:>3} {:>3} {:>4}  {:<18} {:>7.1f}  {:>12.3f}  {:>12.3f}\n", o.name, o.exec, o.mag,
                     o.mpg, o.tier,
                     fmt::format("{}{}", fmt::join(o.nmp_channels, ","), o.normal_pool ? "+pool" : ""),
                     100 * o.nmp_ratio, o.prefill_s * 1e3, o.decode_s * 1e3);
  }
  line("wall time", fmt::format("{:.3f} s", r.wall_s));
  line("peak memory (host)", fmt::format("{:.1f} MiB", r.wall_peak_rss_mib));
  return s;
}

nlohmann::ordered_json llm_report_json(const LlmRunResult& r) {
  nlohmann::ordered_json j;
  j["design"] = r.design;
  j["model"] = r.model;
  j["scenario"] = r.scenario;
  j["dataflow"] = r.dataflow;
  j["fidelity"] = to_string(r.fidelity);
  j["dram_model"] = r.dram_model;
  j["batch"] = r.batch;
  j["layers"] = r.layers;
  j["prompt_tokens"] = r.prompt_tokens;
  j["decode_tokens"] = r.decode_tokens;
  {
    // The model's weights (mapping/model_parameters.hpp); `complete` false: the vocabulary is not
    // known (an h2sim YAML model), so embeddings and LM head are not counted.
    const ModelParameters& p = r.parameters;
    nlohmann::ordered_json m;
    m["parameters"] = p.total;
    m["active_parameters_per_token"] = p.active_per_token;
    m["decoder_layer_parameters"] = p.per_layer;
    m["decoder_layers_parameters"] = p.layers;
    m["embedding_parameters"] = p.embeddings;
    m["lm_head_parameters"] = p.lm_head;
    m["final_norm_parameters"] = p.final_norm;
    m["complete"] = p.complete;
    j["model_parameters"] = m;
  }
  j["latency_s"] = r.latency_s;
  j["prefill_s"] = r.prefill_s;
  j["decode_s"] = r.decode_s;
  j["ttft_s"] = r.ttft_s;
  j["tpot_s"] = r.tpot_s;
  j["prefill_per_layer_s"] = r.prefill_per_layer_s;
  j["decode_per_layer_s"] = r.decode_per_layer_s;
  j["latency_per_layer_s"] = r.prefill_per_layer_s + r.decode_per_layer_s;
  j["pe_utilization"] = r.pe_utilization;
  j["npu_utilization"] = r.npu_utilization;
  j["external_bandwidth_gbps"] = r.external_bandwidth_gbps;
  j["external_peak_bandwidth_gbps"] = r.external_peak_bandwidth_gbps;
  const auto& a = r.activity;
  j["activity"] = {{"dram_activates", a.dram_activates},     {"dram_read_bursts", a.dram_read_bursts},
                   {"dram_write_bursts", a.dram_write_bursts}, {"dram_refreshes", a.dram_refreshes},
                   {"hb_bytes", a.hb_bytes},                 {"external_bytes", a.external_bytes},
                   {"pe_macs", a.pe_macs},                   {"input_buffer_bytes", a.input_buffer_bytes},
                   {"weight_buffer_bytes", a.weight_buffer_bytes}, {"output_buffer_bytes", a.output_buffer_bytes},
                   {"npu_macs", a.npu_macs},                 {"npu_adds", a.npu_adds},
                   {"kv_cache_bytes_written", a.kv_cache_bytes_written}};
  if (r.has_energy) {
    j["energy_j"] = r.energy.total_j;
    j["energy_per_token_j"] = r.energy_per_token_j;
    j["tokens_per_joule"] = r.tokens_per_joule;
    j["energy"] = energy_json(r.energy);
  }
  auto& ops = j["operators"];
  ops = nlohmann::ordered_json::array();
  for (const auto& o : r.operators) {
    ops.push_back({{"name", o.name}, {"exec", o.exec}, {"mag", o.mag}, {"mpg", o.mpg}, {"tier", o.tier},
                   {"nmp_channels", o.nmp_channels}, {"normal_pool", o.normal_pool}, {"nmp_ratio", o.nmp_ratio},
                   {"prefill_s", o.prefill_s}, {"decode_s", o.decode_s}});
  }
  j["mags_simulated"] = r.mags_simulated;
  j["mags_memoized"] = r.mags_memoized;
  j["simulated_ns"] = r.simulated_ns;
  j["wall_s"] = r.wall_s;
  j["wall_peak_rss_mib"] = r.wall_peak_rss_mib;
  return j;
}

}  // namespace h2sim

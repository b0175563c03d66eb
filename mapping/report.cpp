#include "mapping/report.hpp"

#include <fmt/format.h>

#include "config/errors.hpp"
#include "mapping/artifact_fitted.hpp"

namespace h2sim {

namespace {
std::string channels_text(uint32_t mask) {
  std::string s;
  for (int c : mask_to_channels(mask)) s += (s.empty() ? "" : ",") + std::to_string(c);
  return s.empty() ? "-" : s;
}
}  // namespace

std::string timing_table(const AnalysisContext& c, const Dataflow& df, const DataflowTiming& t) {
  std::string s;
  s += fmt::format("model {} ({} layers) on design {} ({} NMP + {} normal channels)\n", c.model->name, c.model->layers,
                   c.hw->name, c.hw->nmp_channels, c.hw->normal_channels());
  s += fmt::format("scenario {} (prompt {} tokens, decode {} tokens), batch {}, dataflow '{}'{}\n", c.scenario->name,
                   c.scenario->prompt_tokens, c.scenario->decode_tokens, c.batch, df.name,
                   c.artifact_compat ? " [artifact-compat: every decode step at the final context]" : "");
  if (const double u = c.artifact_compat ? artifact_fitted_nmp_utilization(c.hw->pe, c.batch) : 1.0; u != 1.0) {
    s += fmt::format("  [artifact-compat: NMP latencies divided by {:.2f}, the artifact's fitted in-die utilization "
                     "for this PE and batch (dse/nmp_evaluator.py), not a mechanism]\n", u);
  }
  s += fmt::format("  {:<28} {:>14.6f} ms\n", "prefill per layer", t.prefill_per_layer_s * 1e3);
  s += fmt::format("  {:<28} {:>14.6f} ms  ({} steps; first {:.3f} us, last {:.3f} us)\n", "decode per layer",
                   t.decode_per_layer_s * 1e3, t.decode_steps, t.decode_first_step_per_layer_s * 1e6,
                   t.decode_last_step_per_layer_s * 1e6);
  s += fmt::format("  {:<28} {:>14.6f} ms\n", "latency per layer", t.latency_per_layer_s * 1e3);
  s += fmt::format("  {:<28} {:>14.6f} s\n", "latency of the model", t.latency_model_s);
  s += fmt::format("\n  {:<5} {:<9} {:<4} {:<12} {:<5} {:>6} {:>13} {:>13} {:>13}\n", "op", "MAG.MPG.T", "exec",
                   "NMP ch", "pool", "ratio", "prefill us", "decode us", "last step us");
  for (const auto& o : t.ops) {
    s += fmt::format("  {:<5} {:<9} {:<4} {:<12} {:<5} {:>6.3f} {:>13.3f} {:>13.3f} {:>13.3f}\n",
                     c.model->graph.name(o.op), fmt::format("{}.{}.{}", o.mag, o.mpg, o.tier), to_string(o.exec),
                     channels_text(o.nmp_mask), o.normal_pool ? "yes" : "-", o.nmp_ratio, o.prefill_s * 1e6,
                     o.decode_s * 1e6, o.decode_last_step_s * 1e6);
  }
  s += "  (decode us: the operator alone, summed over all steps; MIX = max of its NMP and NPU parts)\n";
  return s;
}

nlohmann::json timing_json(const AnalysisContext& c, const Dataflow& df, const DataflowTiming& t) {
  nlohmann::json j;
  j["model"] = c.model->name;
  j["hardware"] = c.hw->name;
  j["scenario"] = {{"name", c.scenario->name},
                   {"prompt_tokens", c.scenario->prompt_tokens},
                   {"decode_tokens", c.scenario->decode_tokens},
                   {"max_context_tokens", c.scenario->max_context_tokens}};
  j["batch"] = c.batch;
  j["dataflow"] = df.name;
  j["artifact_compat"] = c.artifact_compat;
  // The artifact's fitted divisor of NMP latencies (1 unless --artifact-compat on an in-die PE tuple).
  j["artifact_fitted_nmp_utilization"] = c.artifact_compat ? artifact_fitted_nmp_utilization(c.hw->pe, c.batch) : 1.0;
  j["layers"] = c.model->layers;
  j["prefill_per_layer_s"] = t.prefill_per_layer_s;
  j["decode_per_layer_s"] = t.decode_per_layer_s;
  j["latency_per_layer_s"] = t.latency_per_layer_s;
  j["latency_model_s"] = t.latency_model_s;
  j["prefill_model_s"] = t.prefill_per_layer_s * double(c.model->layers);
  j["decode_model_s"] = t.decode_per_layer_s * double(c.model->layers);
  j["decode_steps"] = t.decode_steps;
  j["decode_first_step_per_layer_s"] = t.decode_first_step_per_layer_s;
  j["decode_last_step_per_layer_s"] = t.decode_last_step_per_layer_s;
  nlohmann::json ops = nlohmann::json::array();
  for (const auto& o : t.ops) {
    std::vector<int> pool;
    if (o.normal_pool) {
      for (int ch = int(c.hw->nmp_channels); ch < int(c.hw->channels); ++ch) pool.push_back(ch);
    }
    ops.push_back({{"op", c.model->graph.name(o.op)},
                   {"kind", to_string(c.model->graph.kind(o.op))},
                   {"mag", o.mag},
                   {"mpg", o.mpg},
                   {"tier", o.tier},
                   {"exec", to_string(o.exec)},
                   {"nmp_channels", mask_to_channels(o.nmp_mask)},
                   {"normal_channels", pool},
                   {"nmp_ratio", o.nmp_ratio},
                   {"prefill_s", o.prefill_s},
                   {"decode_s", o.decode_s},
                   {"decode_nmp_s", o.decode_nmp_s},
                   {"decode_npu_s", o.decode_npu_s},
                   {"decode_last_step_s", o.decode_last_step_s}});
  }
  j["operators"] = ops;
  return j;
}

}  // namespace h2sim

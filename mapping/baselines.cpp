#include "mapping/baselines.hpp"

#include <fmt/format.h>

#include <cmath>

#include "config/errors.hpp"
#include "config/yaml_reader.hpp"

namespace h2sim {

std::vector<std::string> baseline_names() {
  return {"npu-only", "fc-nmp", "attn-nmp", "attn-nmp-split", "cc-nmp", "h2llm"};
}

bool is_fixed_baseline(const std::string& n) {
  return n == "npu-only" || n == "fc-nmp" || n == "attn-nmp" || n == "attn-nmp-split";
}

bool is_searched_baseline(const std::string& n) { return n == "cc-nmp" || n == "h2llm"; }

Dataflow make_fixed_baseline(const std::string& name, const ModelConfig& model, const HardwareConfig& hw,
                             bool artifact_compat) {
  if (!is_fixed_baseline(name)) {
    if (is_searched_baseline(name)) {
      throw InputError(fmt::format("'{}' is a searched dataflow, not a fixed one (fixed: npu-only, fc-nmp, attn-nmp, "
                                   "attn-nmp-split); run the search for it (dataflow_choice)", name));
    }
    std::string hint = closest_match(name, baseline_names());
    throw InputError(fmt::format("unknown fixed dataflow '{}' (valid: npu-only, fc-nmp, attn-nmp, attn-nmp-split){}", name,
                                 hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
  }
  const uint32_t all_nmp = hw.nmp_channels >= 32 ? ~0u : ((1u << hw.nmp_channels) - 1);
  const bool pool = hw.normal_channels() > 0;
  if (name != "npu-only" && all_nmp == 0) {
    throw InputError(fmt::format("dataflow '{}' needs NMP channels, but design '{}' has none", name, hw.name));
  }
  // Everything on the NPU over every channel (NMP dies idle).
  const OperatorBinding npu_all{-1, all_nmp, pool, 0.0, all_nmp != 0};
  const OperatorBinding nmp_only{-1, all_nmp, false, 1.0, false};
  OperatorBinding ffn_split{-1, all_nmp, true, 0.5, false};
  if (name == "attn-nmp-split") {
    if (!pool) {
      throw InputError(fmt::format("dataflow 'attn-nmp-split' splits the FFN between NMP and normal channels, but design "
                                   "'{}' has no normal channel",
                                   hw.name));
    }
    const double r = std::floor(double(hw.nmp_channels) * hw.pe.hb_bandwidth_bytes_per_s /
                                (double(hw.normal_channels()) * hw.external_bandwidth_bytes_per_s));
    if (r < 1) {
      throw InputError(fmt::format("dataflow 'attn-nmp-split': the split ratio floor(nmp * HB / (normal * external)) "
                                   "is 0 on design '{}'",
                                   hw.name));
    }
    ffn_split.nmp_ratio = artifact_compat ? 1.0 / (r + 1) : r / (r + 1);
  }
  Dataflow df;
  df.name = name;
  for (int op : model.graph.topological_order()) {
    const OpKind kind = model.graph.kind(op);
    const bool attention = is_attention(kind);
    const bool ffn = kind == OpKind::f1 || kind == OpKind::f2 || kind == OpKind::f3;
    OperatorBinding b = npu_all;
    if (name == "fc-nmp") {
      b = attention ? npu_all : nmp_only;
      if (attention && all_nmp != 0) b.npu_reads_nmp = true;
    } else if (name == "attn-nmp") {
      b = attention ? nmp_only : npu_all;
    } else if (name == "attn-nmp-split") {
      b = attention ? nmp_only : (ffn ? ffn_split : npu_all);
    }
    b.op = op;
    Mpg mpg;
    mpg.nmp_mask = b.nmp_mask;
    mpg.normal_pool = b.normal_pool;
    mpg.tiers.push_back(Tier{{b}});
    df.mags.push_back(Mag{{mpg}});
  }
  return df;
}

}  // namespace h2sim

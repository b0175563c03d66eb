#include "mapping/dataflow_choice.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "config/atomic_file.hpp"
#include "config/errors.hpp"
#include "mapping/baselines.hpp"

namespace h2sim {

namespace {

// Everything a searched dataflow depends on, so a cached search is reused only for the very same
// inputs: a --set override, an edited model or scenario file, or other search parameters give a
// different key (names alone do not: `--set nmp_channels=4` keeps the design's name).
std::string search_inputs_key(const DataflowChoice& c, const HardwareConfig& hw, const ModelConfig& model,
                              const Scenario& scenario, int64_t batch) {
  std::string s = fmt::format(
      "hw {} {} {} {} {:.17g} {} {} {} | pe {} {} {:.17g} {:.17g} | buf {} {} {} | npu {:.17g} {:.17g} {:.17g} {:.17g}",
      hw.channels, hw.nmp_channels, hw.banks_per_channel, hw.bank_capacity_bytes, hw.external_bandwidth_bytes_per_s,
      hw.element_bytes, hw.precision, hw.burst_bytes, hw.pe.fpus_per_pe, hw.pe.macs_per_fpu_per_cycle,
      hw.pe.frequency_hz, hw.pe.hb_bandwidth_bytes_per_s, hw.buffers.input_buffer_bytes,
      hw.buffers.weight_buffer_bytes, hw.buffers.output_buffer_bytes, hw.npu.peak_macs_per_s,
      hw.npu.compute_efficiency, hw.npu.bandwidth_efficiency, hw.npu.reduce_ops_per_s);
  s += fmt::format(" | model {} {} {} {} {} {}", model.layers, model.hidden, model.ffn, model.q_heads, model.kv_heads,
                   model.ffn_kind);
  for (int op = 0; op < model.graph.size(); ++op) s += fmt::format(" {}:{}", model.graph.name(op), int(model.graph.kind(op)));
  for (const auto& [from, to] : model.graph.edges()) s += fmt::format(" {}>{}", from, to);
  s += fmt::format(" | scenario {} {} {} | batch {}", scenario.prompt_tokens, scenario.decode_tokens,
                   scenario.max_context_tokens, batch);
  const SearchParams& p = c.search;
  s += fmt::format(" | search {} {} {} {} {:.17g} {} {} {} {}", c.name_or_file, p.population, p.generations, p.top_k,
                   p.mutation_ratio, p.seed, p.ratio_steps, p.max_redraws, c.artifact_compat);
  return cache_key_hash(s);
}

// A config name as part of a file name: anything but letters, digits, '.', '_' and '-' becomes
// '_' (a model named "a/b" must not point into a folder), and at most 64 characters.
std::string file_name_part(const std::string& name) {
  std::string s;
  for (const char ch : name.substr(0, 64)) {
    const bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                      ch == '_' || ch == '-';
    s += keep ? ch : '_';
  }
  return s;
}

}  // namespace

std::string cache_key_hash(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a, 64 bit
  for (const unsigned char ch : text) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

std::string searched_dataflow_cache_file(const DataflowChoice& c, const HardwareConfig& hw, const ModelConfig& model,
                                         const Scenario& scenario, int64_t batch) {
  if (c.cache_dir.empty() || !is_searched_baseline(c.name_or_file)) return "";
  return (std::filesystem::path(c.cache_dir) /
          fmt::format("{}-{}-{}-{}-b{}-p{}-g{}-s{}{}-{}.yaml", c.name_or_file, file_name_part(hw.name),
                      file_name_part(model.name), file_name_part(scenario.name), batch, c.search.population,
                      c.search.generations, c.search.seed, c.artifact_compat ? "-compat" : "",
                      search_inputs_key(c, hw, model, scenario, batch)))
      .string();
}

SearchLeaders search_leaders(const DataflowChoice& c, const HardwareConfig& hw, const ModelConfig& model,
                             const Scenario& scenario, int64_t batch, int64_t n) {
  if (!is_searched_baseline(c.name_or_file)) {
    throw InternalError("search_leaders of '" + c.name_or_file + "', which is not a searched space");
  }
  SearchParams p = c.search;
  p.space = parse_dataflow_space(c.name_or_file);
  if (c.progress) {
    std::cerr << fmt::format("h2sim: searching the {} dataflow space for its {} best ({} x {}, seed {})...\n",
                             c.name_or_file, n, p.population, p.generations, p.seed);
  }
  const SearchResult r = genetic_search(hw, model, scenario, batch, EvaluatorOptions{c.artifact_compat}, p);
  if (r.interrupted) throw InputError("the dataflow search was interrupted");
  SearchLeaders out;
  const CapacityContext cap{batch, scenario.max_context_tokens};
  for (size_t i = 0; i < r.leaders.size() && int64_t(out.dataflows.size()) < n; ++i) {
    Dataflow df = r.leaders[i];
    df.name = c.name_or_file;
    check_dataflow(df, model, hw, cap, c.name_or_file);
    out.dataflows.push_back(df);
    out.latency_per_layer_s.push_back(r.leader_latencies_per_layer_s[i]);
  }
  return out;
}

std::string default_dataflow_name(const HardwareConfig& hw) { return hw.nmp_channels == 0 ? "npu-only" : "h2llm"; }

Dataflow choose_dataflow(const DataflowChoice& c, const HardwareConfig& hw, const ModelConfig& model,
                         const Scenario& scenario, int64_t batch) {
  if (batch < 1) throw InputError(fmt::format("--batch must be at least 1, found {}", batch));
  const CapacityContext cap{batch, scenario.max_context_tokens};
  // Fail fast, with the numbers, when no placement at all can hold the model (the artifact's
  // conventions do not enforce capacity; see below).
  if (!c.artifact_compat) {
    if (std::string v = model_capacity_violation(model, hw, cap); !v.empty()) throw InputError(v);
  }
  Dataflow df;
  if (is_fixed_baseline(c.name_or_file)) {
    df = make_fixed_baseline(c.name_or_file, model, hw, c.artifact_compat);
    if (c.artifact_compat) {
      // The artifact's fixed mappings never check capacity (its inverted Attn-NMP-Split ratio
      // overfills the normal pool): to reproduce them, overfilling is only a warning here.
      auto v = dataflow_structure_violations(df, model, hw);
      if (!v.empty()) throw InternalError("baseline '" + c.name_or_file + "' is illegal: " + v.front());
      std::string over = dataflow_capacity_violation(df, model, hw, cap);
      if (!over.empty()) std::cerr << "h2sim: warning (--artifact-compat, capacity not enforced): " << over << "\n";
      return df;
    }
  } else if (is_searched_baseline(c.name_or_file)) {
    const std::string file = searched_dataflow_cache_file(c, hw, model, scenario, batch);
    std::error_code exists_ec;
    if (!file.empty() && std::filesystem::exists(file, exists_ec)) {
      if (c.progress) std::cerr << "h2sim: using the searched dataflow cached in " << file << "\n";
      df = load_dataflow(file, model, hw);
      df.name = c.name_or_file;
    } else {
      SearchParams p = c.search;
      p.space = parse_dataflow_space(c.name_or_file);
      if (c.progress) {
        std::cerr << fmt::format("h2sim: searching the {} dataflow space ({} x {}, seed {})...\n", c.name_or_file,
                                 p.population, p.generations, p.seed);
      }
      const SearchResult r = genetic_search(hw, model, scenario, batch, EvaluatorOptions{c.artifact_compat}, p);
      df = r.best;
      df.name = c.name_or_file;
      // An interrupted (Ctrl-C) search is not the result of these parameters: never cache it.
      if (!file.empty() && !r.interrupted) {
        write_file_atomically(file, dataflow_to_yaml(df, model, hw));
      }
    }
  } else if (std::error_code ec; std::filesystem::exists(std::filesystem::symlink_status(c.name_or_file, ec))) {
    // (symlink_status: a dangling or looping link is still "given as a file", and the loader
    // names the problem.)
    df = load_dataflow(c.name_or_file, model, hw);
  } else {
    throw InputError(fmt::format("--dataflow: '{}' is neither a dataflow name (npu-only, fc-nmp, attn-nmp, "
                                 "attn-nmp-split, cc-nmp, h2llm) nor a file",
                                 c.name_or_file));
  }
  check_dataflow(df, model, hw, cap, c.name_or_file);
  return df;
}

}  // namespace h2sim

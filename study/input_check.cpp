#include "study/input_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "config/yaml_reader.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/energy.hpp"
#include "mapping/model.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/dram/lpddr5_channel.hpp"
#include "study/experiment.hpp"
#include "study/sweep_spec.hpp"

namespace h2sim {

namespace {
namespace fs = std::filesystem;

const std::array<std::pair<InputKind, const char*>, 10> kKindNames = {{{InputKind::hardware, "hardware"},
                                                                     {InputKind::dram, "dram"},
                                                                     {InputKind::energy, "energy"},
                                                                     {InputKind::model, "model"},
                                                                     {InputKind::artifact_graph, "artifact-graph"},
                                                                     {InputKind::artifact_shape, "artifact-shape"},
                                                                     {InputKind::scenario, "scenario"},
                                                                     {InputKind::dataflow, "dataflow"},
                                                                     {InputKind::experiment, "experiment"},
                                                                     {InputKind::sweep, "sweep"}}};

// The top-level keys that identify each YAML format (`name` is shared, so it is not here).
struct KindKeys {
  InputKind kind;
  std::vector<std::string> keys;
  bool near_misses = true;  // count typos of the keys too (not for short, common words)
};
const std::vector<KindKeys>& yaml_kind_keys() {
  static const std::vector<KindKeys> k = {
      {InputKind::hardware,
       {"channels", "nmp_channels", "banks_per_channel", "bank_capacity_mib", "external_bandwidth_gbps", "precision",
        "burst_bytes", "dram_standard", "pe", "buffers", "npu"}},
      {InputKind::dram,
       {"tck_ns", "wck_to_ck_ratio", "data_rate_mtps", "interface_width_bits", "burst_length", "burst_bytes",
        "organisation", "timing", "refresh", "hb_port", "controller"}},
      {InputKind::energy,
       {"dram_activate_pj", "dram_read_pj_per_bit", "dram_write_pj_per_bit", "dram_refresh_pj",
        "dram_background_mw_per_channel", "external_io_pj_per_bit", "hybrid_bonding_pj_per_bit", "pe_mac_pj",
        "sram_pj_per_byte", "nmp_die_static_mw", "npu_mac_pj", "npu_add_pj", "npu_static_mw"}},
      {InputKind::model, {"layers", "hidden", "ffn", "q_heads", "kv_heads", "ffn_kind", "operators", "edges"}},
      {InputKind::scenario, {"prompt_tokens", "decode_tokens", "max_context_tokens"}},
      {InputKind::dataflow, {"mags", "model", "hardware"}},
      {InputKind::experiment,
       {"designs", "reference_design", "models", "scenarios", "batches", "fidelities", "dataflow_comparison", "paper"}},
      // Short words: 'name' is one edit from 'base', 'mags' two from 'axes'; exact keys only.
      {InputKind::sweep, {"command", "base", "axes"}, false},
  };
  return k;
}

// `# kind: NAME` in the leading comment block of a YAML file.
std::optional<InputKind> kind_hint(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] != '#') break;
    auto at = line.find("kind:");
    if (at == std::string::npos) continue;
    std::string value = line.substr(at + 5);
    value.erase(0, value.find_first_not_of(" \t"));
    value = value.substr(0, value.find_first_of(" \t\r"));
    if (auto k = parse_input_kind(value)) return k;
  }
  return std::nullopt;
}

std::string gib(double bytes) { return fmt::format("{:g} GiB", bytes / double(1ULL << 30)); }

std::string describe_hardware(const HardwareConfig& hw) {
  std::string s;
  auto line = [&](const std::string& key, const std::string& value) { s += fmt::format("  {:<32} {}\n", key, value); };
  line("name", hw.name);
  line("channels", hw.nmp_channels > 0 ? fmt::format("{} ({} NMP: 0..{}, {} normal)", hw.channels, hw.nmp_channels,
                                                     hw.nmp_channels - 1, hw.normal_channels())
                                       : fmt::format("{} (all normal, no NMP)", hw.channels));
  line("banks_per_channel", fmt::format("{} (one PE per bank on NMP channels)", hw.banks_per_channel));
  line("bank_capacity", fmt::format("{} B = {:g} MiB", hw.bank_capacity_bytes, double(hw.bank_capacity_bytes) / 1048576.0));
  line("channel_capacity", fmt::format("{} (all channels: {})", gib(double(hw.channel_capacity_bytes())),
                                       gib(double(hw.channel_capacity_bytes()) * double(hw.channels))));
  line("external_bandwidth", fmt::format("{:g} GB/s per channel", hw.external_bandwidth_bytes_per_s / 1e9));
  line("precision", fmt::format("{} ({} B per element)", hw.precision, hw.element_bytes));
  line("burst", fmt::format("{} B", hw.burst_bytes));
  if (hw.nmp_channels > 0) {
    line("pe.fpus_per_pe", fmt::format("{}", hw.pe.fpus_per_pe));
    line("pe.macs_per_fpu_per_cycle", fmt::format("{}", hw.pe.macs_per_fpu_per_cycle));
    line("pe.frequency", fmt::format("{:g} MHz (cycle {:g} ns)", hw.pe.frequency_hz / 1e6, hw.pe.cycle_ns()));
    line("pe.hb_bandwidth", fmt::format("{:g} GB/s per PE", hw.pe.hb_bandwidth_bytes_per_s / 1e9));
    line("pe.peak", fmt::format("{:g} GMAC/s per PE, {:g} GMAC/s per NMP channel", hw.pe.macs_per_s() / 1e9,
                                hw.pe.macs_per_s() * double(hw.banks_per_channel) / 1e9));
    line("buffers.input_buffer", fmt::format("{} B per NMP channel", hw.buffers.input_buffer_bytes));
    line("buffers.weight_buffer", fmt::format("{} B per PE", hw.buffers.weight_buffer_bytes));
    line("buffers.output_buffer", fmt::format("{} B per NMP channel ({} B per PE)", hw.buffers.output_buffer_bytes,
                                              hw.output_buffer_bytes_per_pe()));
  }
  line("npu.peak", fmt::format("{:g} TMAC/s", hw.npu.peak_macs_per_s / 1e12));
  line("npu.compute_efficiency", fmt::format("{:g}", hw.npu.compute_efficiency));
  line("npu.bandwidth_efficiency", fmt::format("{:g}", hw.npu.bandwidth_efficiency));
  line("npu.reduce", fmt::format("{:g} Gop/s", hw.npu.reduce_ops_per_s / 1e9));
  line("dram_standard", hw.dram_standard_file.empty() ? "(none)" : hw.dram_standard_file);
  // The area coefficients (h2sim area, docs/area.md): those that apply to this design's kind.
  const AreaConfig& a = hw.area;
  if (hw.nmp_channels > 0 && hw.nmp_kind == NmpKind::in_die) {
    line("area.dram_logic", fmt::format("as {} nm logic x {:g} (PIM units in the DRAM process)", a.dram_logic_node_nm,
                                        a.dram_logic_area_factor));
  } else if (hw.nmp_channels > 0) {
    line("area.logic_node", fmt::format("{} nm (NMP logic die)", a.logic_node_nm));
    line("area.hb_pads", fmt::format("{:g} um pitch, {:g} Mb/s per data pad, {:g} pads per data pad", a.hb_pitch_um,
                                     a.hb_pad_mbps, a.hb_pads_per_data_pad));
  }
  if (hw.nmp_channels > 0) line("area.sram", fmt::format("{:g} um^2 per bit at 7 nm before array efficiency", a.sram_um2_per_bit_at_7nm));
  line("area.npu_density", a.npu_tops_per_mm2 > 0 ? fmt::format("{:g} TOPS/mm^2", a.npu_tops_per_mm2) : "(none: give area.npu_tops_per_mm2)");
  line("area.dram_die", a.dram_die_mm2 > 0 ? fmt::format("{:g} mm^2 (given)", a.dram_die_mm2)
                                           : fmt::format("{:g} Gbit/mm^2 x the channel's capacity", a.dram_gbit_per_mm2));
  return s;
}

std::string describe_dram(const DramStandard& d) {
  std::string s;
  auto line = [&](const std::string& key, const std::string& value) { s += fmt::format("  {:<32} {}\n", key, value); };
  auto ck = [&](int64_t n) { return fmt::format("{} CK = {:g} ns", n, double(d.ps(n)) / 1000.0); };
  line("name", d.name);
  line("tck", fmt::format("{} ps ({:g} MHz)", d.tck_ps, 1e6 / double(d.tck_ps)));
  line("wck_to_ck_ratio", fmt::format("{}", d.wck_to_ck_ratio));
  line("data_rate", fmt::format("{} MT/s per pin", d.data_rate_mtps));
  line("interface_width", fmt::format("{} bit", d.interface_width_bits));
  line("burst", fmt::format("BL{} = {} B", d.burst_length, d.burst_bytes));
  line("peak_bandwidth", fmt::format("{:g} GB/s", d.peak_bandwidth_bytes_per_s() / 1e9));
  line("organisation", fmt::format("{} bank groups x {} banks, {} B rows ({} bursts)", d.bank_groups,
                                   d.banks_per_group, d.row_bytes, d.bursts_per_row()));
  const std::vector<std::pair<const char*, int64_t>> t = {
      {"nbl", d.t.nbl},       {"ncl", d.t.ncl},       {"ncwl", d.t.ncwl},     {"nrcd", d.t.nrcd},
      {"nrpab", d.t.nrpab},   {"nrppb", d.t.nrppb},   {"nras", d.t.nras},     {"nrc", d.t.nrc},
      {"nrtp", d.t.nrtp},     {"nwr", d.t.nwr},       {"nccd_s", d.t.nccd_s}, {"nccd_l", d.t.nccd_l},
      {"nrrd", d.t.nrrd},     {"nfaw", d.t.nfaw},     {"nwtr_s", d.t.nwtr_s}, {"nwtr_l", d.t.nwtr_l},
      {"nppd", d.t.nppd}};
  for (const auto& [name, v] : t) line(fmt::format("timing.{}", name), ck(v));
  if (d.t.nrrd_l != d.t.nrrd) line("timing.nrrd_l", ck(d.t.nrrd_l) + " (nrrd above is nRRD_S)");
  if (d.t.nrtw > 0) line("timing.nrtw", ck(d.t.nrtw));
  line("timing.activates_per_faw", fmt::format("{}", d.t.activates_per_faw));
  line("refresh.mode", to_string(d.refresh.mode));
  line("refresh.die_density", fmt::format("{} Gbit", d.refresh.die_density_gbit));
  line("refresh.nrefi", ck(d.refresh.nrefi_ck));
  line("refresh.nrfcab", ck(d.refresh.nrfcab_ck));
  line("refresh.nrfcpb", d.refresh.nrfcpb_ck > 0 ? ck(d.refresh.nrfcpb_ck) : "none (no per-bank refresh)");
  line("hb_port.column_access", fmt::format("{} B", d.hb.column_access_bytes));
  line("hb_port.read_latency", ck(d.hb.read_latency_ck));
  line("hb_port.row_switch", to_string(d.hb.row_switch) +
                                  (d.hb.row_switch == HbRowSwitch::salp
                                       ? fmt::format(" ({} subarrays, nRA {})", d.hb.subarrays_per_bank, ck(d.salp_nra_ck()))
                                       : std::string()));
  line("controller.queue_depth", fmt::format("{} requests", d.controller.queue_depth));
  line("controller.page_policy", to_string(d.controller.page_policy));
  std::string mapping;
  for (AddressField f : d.controller.address_mapping) mapping += (mapping.empty() ? "" : ", ") + to_string(f);
  line("controller.address_mapping", "[" + mapping + "] (lowest bits first)");
  return s;
}

std::string describe_model(const ModelConfig& m, bool with_graph) {
  std::string s;
  auto line = [&](const std::string& key, const std::string& value) { s += fmt::format("  {:<32} {}\n", key, value); };
  line("name", m.name);
  line("layers", fmt::format("{}", m.layers));
  line("hidden", fmt::format("{} (D)", m.hidden));
  line("ffn", fmt::format("{} (F, {})", m.ffn, m.ffn_kind));
  line("q_heads", fmt::format("{} (head dim {})", m.q_heads, m.head_dim()));
  line("kv_heads", fmt::format("{} ({} query heads per KV head)", m.kv_heads, m.group_size()));
  if (!with_graph) return s;
  std::string ops, edges;
  double weight_bytes_per_element = 0;  // weights of one layer, in elements
  for (int i = 0; i < m.graph.size(); ++i) {
    ops += fmt::format("{}{}({})", i ? ", " : "", m.graph.name(i), to_string(m.graph.kind(i)));
    weight_bytes_per_element += operator_storage_bytes(m, m.graph.kind(i), 1, 0, 1.0);
  }
  for (const auto& [from, to] : m.graph.edges()) {
    edges += fmt::format("{}{} -> {}", edges.empty() ? "" : ", ", m.graph.name(from), m.graph.name(to));
  }
  line("operators", fmt::format("{} per layer: {}", m.graph.size(), ops));
  line("edges", edges.empty() ? "(none)" : edges);
  line("weights", fmt::format("{:g} M elements per layer; {} in all at FP16", weight_bytes_per_element / 1e6,
                              gib(weight_bytes_per_element * 2.0 * double(m.layers))));
  return s;
}

std::string describe_scenario(const Scenario& sc) {
  std::string s;
  auto line = [&](const std::string& key, const std::string& value) { s += fmt::format("  {:<32} {}\n", key, value); };
  line("name", sc.name);
  line("prompt_tokens", fmt::format("{} tokens (prefill)", sc.prompt_tokens));
  line("decode_tokens", fmt::format("{} tokens (decode steps)", sc.decode_tokens));
  line("max_context_tokens", fmt::format("{} tokens (KV cache provisioned for this)", sc.max_context_tokens));
  line("final_context", fmt::format("{} tokens", sc.prompt_tokens + sc.decode_tokens));
  return s;
}

// The shipped config of that name, else "".
std::string config_named(const CheckOptions& o, ConfigKind kind, const std::string& name) {
  if (!o.shipped_config || name.empty()) return "";
  return o.shipped_config(kind, name);
}

std::string check_dataflow_file(const std::string& path, const CheckOptions& o) {
  // The dataflow names the model and design it was written for; use those when configs/ has
  // them, so a dataflow for another model is checked against the right one.
  std::string model_name, hw_name;
  {
    YAML::Node root = load_yaml_file(path);
    if (root.IsMap()) {
      if (root["model"] && root["model"].IsScalar()) model_name = root["model"].Scalar();
      if (root["hardware"] && root["hardware"].IsScalar()) hw_name = root["hardware"].Scalar();
    }
  }
  std::string hw_file = o.hw_file, model_file = o.model_file, note;
  if (hw_file.empty()) {
    hw_file = config_named(o, ConfigKind::hardware, hw_name);
    if (hw_file.empty()) hw_file = config_named(o, ConfigKind::hardware, kDefaultHardware);
    note += " (no --hw: the design the file names, or h2llm)";
  }
  if (model_file.empty()) {
    model_file = config_named(o, ConfigKind::model, model_name);
    if (model_file.empty()) model_file = config_named(o, ConfigKind::model, kDefaultModel);
    note += " (no --model: the model the file names, or llama3-8b)";
  }
  if (hw_file.empty() || model_file.empty()) {
    throw InputError(fmt::format("{}: a dataflow is checked against a model and a design: pass --hw and --model "
                                 "(the shipped configs were not found to default to h2llm and llama3-8b)",
                                 path));
  }
  HardwareConfig hw = load_hardware_config(hw_file);
  ModelConfig model = load_model_config(model_file);
  Dataflow df = load_dataflow(path, model, hw);
  check_dataflow(df, model, hw, {o.batch, o.max_context_tokens}, path);
  std::string s;
  auto line = [&](const std::string& key, const std::string& value) { s += fmt::format("  {:<32} {}\n", key, value); };
  line("name", df.name);
  line("checked against", fmt::format("model '{}' ({}) on design '{}' ({}){}", model.name, model_file, hw.name,
                                      hw_file, note));
  line("capacity checked at", fmt::format("batch {}, KV cache for {} tokens, all {} layers", o.batch,
                                          o.max_context_tokens, model.layers));
  line("mags", fmt::format("{}", df.mags.size()));
  std::istringstream tiers(describe_dataflow(df, model, hw));
  std::string t;
  while (std::getline(tiers, t)) s += "    " + t + "\n";
  return s;
}

}  // namespace

const char* to_string(InputKind kind) {
  for (const auto& [k, n] : kKindNames) {
    if (k == kind) return n;
  }
  return "?";
}

std::optional<InputKind> parse_input_kind(const std::string& name) {
  for (const auto& [k, n] : kKindNames) {
    if (name == n) return k;
  }
  return std::nullopt;
}

std::vector<std::string> input_kind_names() {
  std::vector<std::string> out;
  for (const auto& kn : kKindNames) out.push_back(kn.second);
  return out;
}

InputKind detect_input_kind(const std::string& path) {
  const std::string text = read_text_file(path);
  // Every input `check` knows is a few KiB; parsing a huge file only to guess its kind took 1 GiB
  // for a 60 MB JSON array. (The loaders refuse such files too.)
  constexpr size_t kMaxInputBytes = size_t(1) << 20;
  if (text.size() > kMaxInputBytes) {
    throw InputError(fmt::format("{}: {} bytes is too large for an h2sim input (at most {} KiB; configs are a few KiB)",
                                 path, text.size(), kMaxInputBytes >> 10));
  }
  const auto first = text.find_first_not_of(" \t\r\n");
  const bool json = fs::path(path).extension() == ".json" || (first != std::string::npos && text[first] == '{');
  if (json) {
    // Malformed JSON is reported by the loader (with line and column); only look at keys here.
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) {
      // A Hugging Face config.json (mapping/hf_model.hpp).
      if (j.contains("model_type") || fs::path(path).filename() == "config.json") return InputKind::model;
      if (j.contains("node") || j.contains("edge")) return InputKind::artifact_graph;
      if (j.contains("layer_num") || j.contains("type") || j.contains("hidden_dim")) return InputKind::artifact_shape;
    }
    if (fs::path(path).filename() == "shape.json") return InputKind::artifact_shape;
    if (fs::path(path).extension() == ".json") return InputKind::artifact_graph;
  }
  if (auto hint = kind_hint(text)) return *hint;
  YAML::Node root = load_yaml_file(path);  // malformed YAML: line and column
  if (!root.IsMap()) {
    throw InputError(fmt::format("{}: expected a map of keys at the top of the document, found {}", path,
                                 root.IsSequence() ? "a list" : "'" + root.Scalar() + "'"));
  }
  std::vector<std::string> keys;
  for (const auto& kv : root) {
    if (kv.first.IsScalar()) keys.push_back(kv.first.Scalar());
  }
  // Exact key: 2 points, a near miss (typo): 1 point; the best score wins, ties are ambiguous.
  int best = 0, second = 0;
  InputKind kind = InputKind::hardware;
  for (const auto& kk : yaml_kind_keys()) {
    int score = 0;
    for (const auto& k : keys) {
      if (k == "name") continue;  // every format has one
      if (std::find(kk.keys.begin(), kk.keys.end(), k) != kk.keys.end()) {
        score += 2;
      } else if (kk.near_misses && !closest_match(k, kk.keys).empty()) {
        score += 1;
      }
    }
    if (score > best) {
      second = best;
      best = score;
      kind = kk.kind;
    } else if (score > second) {
      second = score;
    }
  }
  if (best == 0 || best == second) {
    throw InputError(fmt::format("{}: cannot tell what kind of config this is from its keys ({}); pass --kind "
                                 "(valid: {}) or start the file with a comment '# kind: NAME'",
                                 path, keys.empty() ? "none" : fmt::format("{}", fmt::join(keys, ", ")),
                                 fmt::join(input_kind_names(), ", ")));
  }
  return kind;
}

namespace {
std::string check_input_file_unwrapped(const std::string& path, InputKind kind, const CheckOptions& o);
}  // namespace

std::string check_input_file(const std::string& path, InputKind kind, const CheckOptions& o) {
  try {
    return check_input_file_unwrapped(path, kind, o);
  } catch (const InputError& e) {
    // An error in a file this one refers to (a shape.json, a DRAM standard, the model a dataflow
    // is checked against) must still say which file was being checked.
    if (std::string(e.what()).find(path) != std::string::npos) throw;
    throw InputError(fmt::format("{}: {}", path, e.what()));
  }
}

namespace {
std::string check_input_file_unwrapped(const std::string& path, InputKind kind, const CheckOptions& o) {
  std::string out = fmt::format("{}: {} config, valid\n", path, to_string(kind));
  switch (kind) {
    case InputKind::hardware: {
      HardwareConfig hw = load_hardware_config(path);
      out += describe_hardware(hw);
      if (!hw.dram_standard_file.empty()) {
        // The design must fit its DRAM standard (banks, burst, capacity, bandwidth): the channel
        // engine's constructor checks exactly what the cycle model would reject later.
        DramStandard d = load_dram_standard(hw.dram_standard_file);
        Lpddr5Channel channel(d, hw, hw.nmp_channels > 0);
        out += fmt::format("  {:<32} fits '{}' ({})\n", "dram", d.name, hw.dram_standard_file);
      }
      break;
    }
    case InputKind::dram:
      out += describe_dram(load_dram_standard(path));
      break;
    case InputKind::energy: {
      const EnergyConfig e = load_energy_config(path);
      // Every key carries its unit in its name (_pj, _pj_per_bit, _mw_per_channel, ...).
      const auto json = energy_config_json(e);  // named: items() only refers to it
      for (const auto& item : json.items()) {
        out += fmt::format("  {:<32} {}\n", item.key(),
                           item.value().is_string() ? item.value().get<std::string>() : item.value().dump());
      }
      break;
    }
    case InputKind::model:
      out += describe_model(load_model_config(path), true);
      break;
    case InputKind::artifact_graph: {
      const std::string shape = (fs::path(path).parent_path() / "shape.json").string();
      out += describe_model(load_artifact_model(path, shape), true);
      out += fmt::format("  {:<32} {}\n", "shape", shape);
      break;
    }
    case InputKind::artifact_shape: {
      // A shape.json is half of an artifact model: with its operator_graph.json beside it, the
      // pair is checked together.
      ModelConfig m = load_artifact_shape(path);
      const fs::path graph = fs::path(path).parent_path() / "operator_graph.json";
      std::error_code ec;
      if (fs::exists(graph, ec)) {
        try {
          m = load_artifact_model(graph.string(), path);
        } catch (const InputError& e) {
          throw InputError(fmt::format("{}: checked with its graph {}: {}", path, graph.string(), e.what()));
        }
        out += describe_model(m, true);
        out += fmt::format("  {:<32} {}\n", "graph", graph.string());
      } else {
        out += describe_model(m, false);
        out += fmt::format("  {:<32} {}\n", "graph", "(no operator_graph.json beside it: shape checked alone)");
      }
      break;
    }
    case InputKind::scenario:
      out += describe_scenario(load_scenario(path));
      break;
    case InputKind::dataflow:
      out += check_dataflow_file(path, o);
      break;
    case InputKind::experiment: {
      const ExperimentSpec e = load_experiment_spec(path);
      auto line = [&](const std::string& key, const std::string& value) {
        out += fmt::format("  {:<32} {}\n", key, value);
      };
      line("name", e.name);
      for (const auto& d : e.designs) {
        line("design " + d.name, fmt::format("{} with dataflow {}", d.hardware_file, d.dataflow));
      }
      line("reference_design", e.reference_design);
      line("models", fmt::format("{}", fmt::join(e.model_files, ", ")));
      line("scenarios", fmt::format("{}", fmt::join(e.scenarios, ", ")));
      line("batches", fmt::format("{} (sequences)", fmt::join(e.batches, ", ")));
      line("fidelities", fmt::format("{}", fmt::join(e.fidelities, ", ")));
      if (!e.comparison_design.empty()) {
        line("dataflow_comparison", fmt::format("on {}: {} (normalized to {})", e.comparison_design,
                                                fmt::join(e.comparison_dataflows, ", "), e.comparison_reference));
      }
      break;
    }
    case InputKind::sweep: {
      // Loaded and expanded as `h2sim sweep --dry-run` does: every point's hardware (with its
      // overrides), DRAM standard and energy prices (with theirs), model and scenario are loaded.
      const SweepSpec spec = load_sweep_spec(path);
      const std::vector<SweepPoint> points = expand_sweep(spec);
      out += fmt::format("  {:<32} {}\n", "name", spec.name);
      out += fmt::format("  {:<32} {}\n", "command", spec.command);
      out += fmt::format("  {:<32} {}\n", "points", points.size());
      for (const auto& a : spec.axes) {
        out += fmt::format("  {:<32} {} values\n", fmt::format("axis {}", fmt::join(a.keys, "+")), a.rows.size());
      }
      break;
    }
  }
  return out;
}

}  // namespace

}  // namespace h2sim

#include "mapping/energy.hpp"

#include <fmt/format.h>

#include <cmath>

#include "config/errors.hpp"
#include "config/yaml_reader.hpp"

namespace h2sim {

namespace {
constexpr double kJoulesPerPicojoule = 1e-12;
constexpr double kWattsPerMilliwatt = 1e-3;
constexpr double kBitsPerByte = 8;

// Plausibility ceilings, far above any real device: they turn a typo (a unit slip of 1e3 or
// more, say nJ written as pJ) into an error instead of a result off by orders of magnitude.
constexpr double kMaxPjPerAction = 1e6;  // 1 uJ for one activate, refresh or MAC
constexpr double kMaxPjPerUnit = 1e3;    // 1 nJ per bit or byte
constexpr double kMaxMilliwatts = 1e6;   // 1 kW

// A finite number in [0, max]. Zero is allowed: it switches a component off for a study.
double non_negative(YamlMap& m, const std::string& key, double max) {
  const double v = m.number(key);
  if (v < 0) m.fail(key, fmt::format("must be 0 or more (an energy or a power), found {}", v));
  if (v > max) m.fail(key, fmt::format("must be at most {} (check the unit in the key's name), found {}", max, v));
  return v;
}

// Every key of the file, declared before any is read (YamlMap::declare_keys): a valid key not
// read yet is never taken for a typo of a missing one (a shared prefix such as "dram_" would
// otherwise make 'dram_background_mw_per_channel' look like a typo of 'dram_refresh_pj').
const std::vector<std::string> kTopKeys = {
    "name", "dram_activate_pj", "dram_read_pj_per_bit", "dram_write_pj_per_bit", "dram_refresh_pj",
    "dram_background_mw_per_channel", "external_io_pj_per_bit", "hybrid_bonding_pj_per_bit", "pe_mac_pj",
    "sram_pj_per_byte", "npu_mac_pj", "npu_add_pj", "nmp_die_static_mw", "npu_static_mw"};
const std::vector<std::string> kSramKeys = {"input_buffer", "weight_buffer", "output_buffer"};

void check_count(const char* what, double v) {
  if (!std::isfinite(v) || v < 0) {
    throw InternalError(fmt::format("compute_energy: {} must be a finite number >= 0, found {}", what, v));
  }
}
}  // namespace

EnergyConfig load_energy_config(const std::string& path, const std::vector<std::string>& overrides) {
  YAML::Node root = load_yaml_file(path);
  apply_overrides(root, overrides, "--energy-set");
  YamlMap top(root, path, "", kTopKeys);

  EnergyConfig c;
  c.source_file = path;
  c.name = top.name("name");
  c.dram_activate_pj = non_negative(top, "dram_activate_pj", kMaxPjPerAction);
  c.dram_read_pj_per_bit = non_negative(top, "dram_read_pj_per_bit", kMaxPjPerUnit);
  c.dram_write_pj_per_bit = non_negative(top, "dram_write_pj_per_bit", kMaxPjPerUnit);
  c.dram_refresh_pj = non_negative(top, "dram_refresh_pj", kMaxPjPerAction);
  c.dram_background_mw_per_channel = non_negative(top, "dram_background_mw_per_channel", kMaxMilliwatts);
  c.external_io_pj_per_bit = non_negative(top, "external_io_pj_per_bit", kMaxPjPerUnit);
  c.hybrid_bonding_pj_per_bit = non_negative(top, "hybrid_bonding_pj_per_bit", kMaxPjPerUnit);
  c.pe_mac_pj = non_negative(top, "pe_mac_pj", kMaxPjPerAction);

  // One number prices every buffer; a map prices each (they differ in size, so in energy).
  const std::string sram_key = "sram_pj_per_byte";
  const YAML::Node sram = top.raw(sram_key);
  if (sram.IsMap()) {
    YamlMap s = top.map(sram_key, kSramKeys);
    c.input_buffer_pj_per_byte = non_negative(s, "input_buffer", kMaxPjPerUnit);
    c.weight_buffer_pj_per_byte = non_negative(s, "weight_buffer", kMaxPjPerUnit);
    c.output_buffer_pj_per_byte = non_negative(s, "output_buffer", kMaxPjPerUnit);
    s.reject_unknown_keys();
  } else if (sram.IsSequence()) {
    top.fail(sram_key, "expected a number (all buffers) or a map of input_buffer, weight_buffer, "
                       "output_buffer, found a list");
  } else {
    const double all = non_negative(top, sram_key, kMaxPjPerUnit);
    c.input_buffer_pj_per_byte = c.weight_buffer_pj_per_byte = c.output_buffer_pj_per_byte = all;
  }

  c.npu_mac_pj = non_negative(top, "npu_mac_pj", kMaxPjPerAction);
  c.npu_add_pj = non_negative(top, "npu_add_pj", kMaxPjPerAction);
  c.nmp_die_static_mw = non_negative(top, "nmp_die_static_mw", kMaxMilliwatts);
  c.npu_static_mw = non_negative(top, "npu_static_mw", kMaxMilliwatts);
  top.reject_unknown_keys();
  return c;
}

EnergyBreakdown compute_energy(const EnergyConfig& cfg, const ActivityCounts& a, double elapsed_s,
                               const HardwareConfig& hw) {
  check_count("elapsed_s", elapsed_s);
  check_count("dram_activates", a.dram_activates);
  check_count("dram_read_bursts", a.dram_read_bursts);
  check_count("dram_write_bursts", a.dram_write_bursts);
  check_count("dram_refreshes", a.dram_refreshes);
  check_count("hb_bytes", a.hb_bytes);
  check_count("external_bytes", a.external_bytes);
  check_count("pe_macs", a.pe_macs);
  check_count("input_buffer_bytes", a.input_buffer_bytes);
  check_count("weight_buffer_bytes", a.weight_buffer_bytes);
  check_count("output_buffer_bytes", a.output_buffer_bytes);
  check_count("npu_macs", a.npu_macs);
  check_count("npu_adds", a.npu_adds);
  check_count("kv_cache_bytes_written", a.kv_cache_bytes_written);
  if (hw.burst_bytes <= 0 || hw.channels <= 0 || hw.nmp_channels < 0) {
    throw InternalError("compute_energy: hardware config not loaded (no channels or bursts)");
  }

  const double pj = kJoulesPerPicojoule;
  const double burst_bits = double(hw.burst_bytes) * kBitsPerByte;
  EnergyBreakdown e;
  e.elapsed_s = elapsed_s;
  e.dram_activate_j = a.dram_activates * cfg.dram_activate_pj * pj;
  // The hybrid-bonded ports read the same arrays through the same sense amplifiers; only the
  // path after the bank differs (priced as hybrid_bonding instead of external_io).
  e.dram_read_write_j = ((a.dram_read_bursts * burst_bits + a.hb_bytes * kBitsPerByte) * cfg.dram_read_pj_per_bit +
                         a.dram_write_bursts * burst_bits * cfg.dram_write_pj_per_bit) * pj;
  e.dram_refresh_j = a.dram_refreshes * cfg.dram_refresh_pj * pj;
  e.dram_background_j = cfg.dram_background_mw_per_channel * kWattsPerMilliwatt * double(hw.channels) * elapsed_s;
  e.external_io_j = a.external_bytes * kBitsPerByte * cfg.external_io_pj_per_bit * pj;
  e.hybrid_bonding_j = a.hb_bytes * kBitsPerByte * cfg.hybrid_bonding_pj_per_bit * pj;
  e.pe_compute_j = a.pe_macs * cfg.pe_mac_pj * pj;
  e.buffers_j = (a.input_buffer_bytes * cfg.input_buffer_pj_per_byte +
                 a.weight_buffer_bytes * cfg.weight_buffer_pj_per_byte +
                 a.output_buffer_bytes * cfg.output_buffer_pj_per_byte) * pj;
  e.npu_compute_j = (a.npu_macs * cfg.npu_mac_pj + a.npu_adds * cfg.npu_add_pj) * pj;
  e.static_j = (cfg.nmp_die_static_mw * double(hw.nmp_channels) + cfg.npu_static_mw) * kWattsPerMilliwatt * elapsed_s;
  // kv_cache_bytes_written is not priced again: the appends are DRAM writes (write bursts) and
  // external bytes already. It is reported by the run, not here.
  for (const auto& [name, joules] : energy_components(e)) {
    (void)name;
    e.total_j += joules;
  }
  return e;
}

std::vector<std::pair<std::string, double>> energy_components(const EnergyBreakdown& e) {
  return {{"dram_activate", e.dram_activate_j},
          {"dram_read_write", e.dram_read_write_j},
          {"dram_refresh", e.dram_refresh_j},
          {"dram_background", e.dram_background_j},
          {"external_io", e.external_io_j},
          {"hybrid_bonding", e.hybrid_bonding_j},
          {"pe_compute", e.pe_compute_j},
          {"buffers", e.buffers_j},
          {"npu_compute", e.npu_compute_j},
          {"static", e.static_j}};
}

nlohmann::ordered_json energy_json(const EnergyBreakdown& e) {
  nlohmann::ordered_json j;
  j["total_j"] = e.total_j;
  j["dynamic_j"] = e.dynamic_j();
  j["elapsed_s"] = e.elapsed_s;
  j["average_power_w"] = e.elapsed_s > 0 ? e.total_j / e.elapsed_s : 0.0;
  nlohmann::ordered_json parts = nlohmann::ordered_json::object();
  for (const auto& [name, joules] : energy_components(e)) parts[name] = joules;
  j["components_j"] = parts;
  return j;
}

nlohmann::ordered_json energy_config_json(const EnergyConfig& c) {
  nlohmann::ordered_json j;
  j["name"] = c.name;
  j["source_file"] = c.source_file;
  j["dram_activate_pj"] = c.dram_activate_pj;
  j["dram_read_pj_per_bit"] = c.dram_read_pj_per_bit;
  j["dram_write_pj_per_bit"] = c.dram_write_pj_per_bit;
  j["dram_refresh_pj"] = c.dram_refresh_pj;
  j["dram_background_mw_per_channel"] = c.dram_background_mw_per_channel;
  j["external_io_pj_per_bit"] = c.external_io_pj_per_bit;
  j["hybrid_bonding_pj_per_bit"] = c.hybrid_bonding_pj_per_bit;
  j["pe_mac_pj"] = c.pe_mac_pj;
  j["sram_pj_per_byte"] = {{"input_buffer", c.input_buffer_pj_per_byte},
                           {"weight_buffer", c.weight_buffer_pj_per_byte},
                           {"output_buffer", c.output_buffer_pj_per_byte}};
  j["npu_mac_pj"] = c.npu_mac_pj;
  j["npu_add_pj"] = c.npu_add_pj;
  j["nmp_die_static_mw"] = c.nmp_die_static_mw;
  j["npu_static_mw"] = c.npu_static_mw;
  return j;
}

std::string energy_table(const EnergyBreakdown& e) {
  std::string out = fmt::format("  {:<16} {:>12} {:>7}\n", "energy", "J", "share");
  for (const auto& [name, joules] : energy_components(e)) {
    const double share = e.total_j > 0 ? 100.0 * joules / e.total_j : 0.0;
    out += fmt::format("  {:<16} {:>12.4e} {:>6.1f}%\n", name, joules, share);
  }
  out += fmt::format("  {:<16} {:>12.4e} {:>6.1f}%\n", "total", e.total_j, e.total_j > 0 ? 100.0 : 0.0);
  if (e.elapsed_s > 0) out += fmt::format("  average power {:.3f} W over {:.6g} s\n", e.total_j / e.elapsed_s, e.elapsed_s);
  return out;
}

}  // namespace h2sim

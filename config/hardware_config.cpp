#include "config/hardware_config.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "config/errors.hpp"
#include "config/yaml_reader.hpp"

namespace h2sim {

namespace {
constexpr double kGB = 1e9;       // bandwidths are decimal GB/s, as in JEDEC (6400 MT/s x 2 B = 12.8)
constexpr double kMHz = 1e6;
constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * 1024;

// Plausibility bounds: far beyond any real design, but they keep byte counts inside int64 and
// times inside SystemC's 64-bit picosecond clock, so a typo (an extra few zeros) is an error
// rather than an overflow or a simulation that never ends.
constexpr int64_t kMaxChannels = 32;  // dataflows hold channel sets as 32-bit masks
constexpr int64_t kMaxBanks = 256;
constexpr double kMaxBankMib = 1 << 20;   // 1 TiB per bank
constexpr double kMaxBufferKib = 1 << 20;  // 1 GiB
constexpr int64_t kMaxBurstBytes = 4096;
constexpr int64_t kMaxPerPe = 4096;       // FPUs per PE, MACs per FPU per cycle

// A positive number no larger than `max` and no smaller than `min` (in the key's own unit).
double bounded(YamlMap& m, const std::string& key, double min, double max) {
  double v = m.positive_number(key);
  if (v < min || v > max) m.fail(key, fmt::format("must be in [{}, {}], found {}", min, max, v));
  return v;
}

int64_t whole_bytes(YamlMap& m, const std::string& key, double value, double unit, double max) {
  double bytes = value * unit;
  if (!(value > 0)) m.fail(key, fmt::format("must be greater than 0, found {}", value));
  if (value > max) m.fail(key, fmt::format("must be at most {}, found {}", max, value));
  if (std::fabs(bytes - std::round(bytes)) > 1e-6) {
    m.fail(key, fmt::format("{} is not a whole number of bytes", value));
  }
  return static_cast<int64_t>(std::llround(bytes));
}

// A share of a peak in [kMinEfficiency, 1]. Times are divided by it: a denormal 4.9e-324 made
// every NPU time infinite (analyze printed 'inf ms'), and 1e-12 turned a small GEMM into hours of
// simulated time. 1% is far below any real NPU.
constexpr double kMinEfficiency = 0.01;
double efficiency(YamlMap& m, const std::string& key) {
  const double v = m.fraction(key);
  if (v < kMinEfficiency) {
    m.fail(key, fmt::format("must be at least {} (1% of the peak; an NPU below that is a typo), found {}", kMinEfficiency, v));
  }
  return v;
}

int64_t element_bytes_of(YamlMap& m, const std::string& precision) {
  if (precision == "fp16" || precision == "bf16") return 2;
  if (precision == "int8") return 1;
  if (precision == "fp32") return 4;
  m.fail("precision", fmt::format("unknown precision '{}' (valid: fp16, bf16, int8, fp32)", precision));
}
}  // namespace

const char* to_string(NmpKind k) { return k == NmpKind::in_die ? "in_die" : "hybrid_bonded"; }
const char* to_string(InDieActivation a) { return a == InDieActivation::all_bank ? "all_bank" : "per_bank"; }

HardwareConfig load_hardware_config(const std::string& path, const std::vector<std::string>& overrides) {
  YAML::Node root = load_yaml_file(path);
  apply_overrides(root, overrides, "--set");
  YamlMap top(root, path, "",
               {"name", "channels", "nmp_channels", "banks_per_channel", "bank_capacity_mib", "external_bandwidth_gbps",
                "precision", "burst_bytes", "nmp_kind", "in_die", "pe", "buffers", "npu", "dram_standard", "area"});

  HardwareConfig hw;
  hw.source_file = path;
  hw.name = top.name("name");
  hw.channels = top.positive_integer("channels");
  if (hw.channels > kMaxChannels) {
    top.fail("channels", fmt::format("must be a whole number in 1..{}, found {}", kMaxChannels, hw.channels));
  }
  hw.nmp_channels = top.integer("nmp_channels");
  if (hw.nmp_channels < 0) top.fail("nmp_channels", fmt::format("must be 0 or more, found {}", hw.nmp_channels));
  if (hw.nmp_channels > hw.channels) {
    top.fail("nmp_channels", fmt::format("{} NMP channels but only {} channels in all ('channels')",
                                         hw.nmp_channels, hw.channels));
  }
  hw.banks_per_channel = top.positive_integer("banks_per_channel");
  if (hw.banks_per_channel > kMaxBanks) {
    top.fail("banks_per_channel", fmt::format("must be a whole number in 1..{}, found {}", kMaxBanks, hw.banks_per_channel));
  }
  hw.bank_capacity_bytes =
      whole_bytes(top, "bank_capacity_mib", top.number("bank_capacity_mib"), kMiB, kMaxBankMib);
  hw.external_bandwidth_bytes_per_s = bounded(top, "external_bandwidth_gbps", 1e-3, 1e5) * kGB;
  hw.precision = top.optional_string("precision").value_or("fp16");
  hw.element_bytes = element_bytes_of(top, hw.precision);
  hw.burst_bytes = top.optional_integer("burst_bytes").value_or(32);
  if (hw.burst_bytes <= 0 || hw.burst_bytes > kMaxBurstBytes) {
    top.fail("burst_bytes", fmt::format("must be a whole number in 1..{}, found {}", kMaxBurstBytes, hw.burst_bytes));
  }

  const std::string kind = top.optional_string("nmp_kind").value_or("hybrid_bonded");
  if (kind == "hybrid_bonded") {
    hw.nmp_kind = NmpKind::hybrid_bonded;
  } else if (kind == "in_die") {
    hw.nmp_kind = NmpKind::in_die;
  } else {
    top.fail("nmp_kind", fmt::format("unknown NMP kind '{}' (valid: hybrid_bonded, in_die)", kind));
  }
  if (auto d = top.optional_map("in_die", {"activation", "mac_interval_ck"})) {
    if (hw.nmp_kind != NmpKind::in_die) {
      top.fail("in_die", fmt::format("only valid with nmp_kind: in_die (this design's nmp_kind is {})", kind));
    }
    const std::string act = d->string("activation");
    if (act == "per_bank") {
      hw.in_die.activation = InDieActivation::per_bank;
    } else if (act == "all_bank") {
      hw.in_die.activation = InDieActivation::all_bank;
    } else {
      d->fail("activation", fmt::format("unknown activation '{}' (valid: per_bank, all_bank)", act));
    }
    hw.in_die.mac_interval_ck = d->integer_in_range("mac_interval_ck", 1, 4096);
    d->reject_unknown_keys();
  } else if (hw.nmp_kind == NmpKind::in_die) {
    top.fail("in_die", "required when nmp_kind is in_die (keys: activation, mac_interval_ck)");
  }

  // The PE and buffer sections describe the NMP die; a design without NMP channels may omit them.
  if (auto pe = top.optional_map("pe", {"fpus_per_pe", "macs_per_fpu_per_cycle", "frequency_mhz", "hb_bandwidth_gbps"})) {
    hw.pe.fpus_per_pe = pe->positive_integer("fpus_per_pe");
    if (hw.pe.fpus_per_pe > kMaxPerPe) {
      pe->fail("fpus_per_pe", fmt::format("must be a whole number in 1..{}, found {}", kMaxPerPe, hw.pe.fpus_per_pe));
    }
    hw.pe.macs_per_fpu_per_cycle = pe->optional_integer("macs_per_fpu_per_cycle").value_or(16);
    if (hw.pe.macs_per_fpu_per_cycle <= 0 || hw.pe.macs_per_fpu_per_cycle > kMaxPerPe) {
      pe->fail("macs_per_fpu_per_cycle", fmt::format("must be a whole number in 1..{}, found {}", kMaxPerPe,
                                                     hw.pe.macs_per_fpu_per_cycle));
    }
    hw.pe.frequency_hz = bounded(*pe, "frequency_mhz", 1, 1e5) * kMHz;
    hw.pe.hb_bandwidth_bytes_per_s = bounded(*pe, "hb_bandwidth_gbps", 1e-3, 1e5) * kGB;
    pe->reject_unknown_keys();
  } else if (hw.nmp_channels > 0) {
    top.fail("pe", fmt::format("required when nmp_channels > 0 (found {})", hw.nmp_channels));
  }
  if (auto buf = top.optional_map("buffers", {"input_buffer_kib", "weight_buffer_kib", "output_buffer_kib"})) {
    auto read = [&](const std::string& key, int64_t& out) {
      out = whole_bytes(*buf, key, buf->number(key), kKiB, kMaxBufferKib);
      if (out < hw.burst_bytes) {
        buf->fail(key, fmt::format("{} B cannot hold one {} B DRAM burst", out, hw.burst_bytes));
      }
    };
    read("input_buffer_kib", hw.buffers.input_buffer_bytes);
    read("weight_buffer_kib", hw.buffers.weight_buffer_bytes);
    read("output_buffer_kib", hw.buffers.output_buffer_bytes);
    if (hw.buffers.output_buffer_bytes / hw.banks_per_channel < hw.burst_bytes) {
      buf->fail("output_buffer_kib",
                fmt::format("{} B split over {} PEs leaves less than one {} B burst per PE",
                            hw.buffers.output_buffer_bytes, hw.banks_per_channel, hw.burst_bytes));
    }
    buf->reject_unknown_keys();
  } else if (hw.nmp_channels > 0) {
    top.fail("buffers", fmt::format("required when nmp_channels > 0 (found {})", hw.nmp_channels));
  }

  YamlMap npu = top.map("npu", {"peak_tmacs", "compute_efficiency", "bandwidth_efficiency", "reduce_gops"});
  hw.npu.peak_macs_per_s = bounded(npu, "peak_tmacs", 1e-6, 1e6) * 1e12;
  hw.npu.compute_efficiency = efficiency(npu, "compute_efficiency");
  hw.npu.bandwidth_efficiency = efficiency(npu, "bandwidth_efficiency");
  hw.npu.reduce_ops_per_s = (npu.has("reduce_gops") ? bounded(npu, "reduce_gops", 1e-3, 1e9) : 1024.0) * 1e9;
  npu.optional_number("reduce_gops");  // marks it read when absent
  npu.reject_unknown_keys();

  if (auto dram = top.optional_string("dram_standard")) {
    std::filesystem::path p(*dram);
    if (p.is_relative()) p = std::filesystem::path(path).parent_path() / p;
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) {
      top.fail("dram_standard", fmt::format("file '{}' does not exist", p.string()));
    }
    if (!std::filesystem::is_regular_file(p, ec)) {
      top.fail("dram_standard", fmt::format("'{}' is not a file (expected a DRAM standard YAML such as "
                                            "configs/dram/lpddr5-6400.yaml)", p.string()));
    }
    hw.dram_standard_file = p.lexically_normal().string();
  }

  hw.area = load_area_section(top, hw.precision, hw.nmp_kind == NmpKind::in_die);

  top.reject_unknown_keys();
  return hw;
}

}  // namespace h2sim

// The VCD tells the truth: its signals, integrated over time, give the numbers the report gives.
// The test parses the VCD the gemm runner wrote (a reader of its own, independent of the writer).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "models/waveform.hpp"
#include "sim/gemm_runner.hpp"

using namespace h2sim;

namespace {

// One signal of a VCD: its value changes (time ps, value), values as doubles.
struct VcdSignal {
  std::string name;  // hierarchical, dotted
  std::string type;  // wire or real
  int width = 1;
  std::vector<std::pair<int64_t, double>> changes;

  // Integral of the step function over [0, end], value x ps.
  double integral(int64_t end) const {
    double sum = 0;
    for (size_t i = 0; i < changes.size(); ++i) {
      const int64_t t1 = i + 1 < changes.size() ? changes[i + 1].first : end;
      sum += changes[i].second * double(std::max<int64_t>(0, std::min(t1, end) - changes[i].first));
    }
    return sum;
  }
  int64_t rising_edges() const {
    int64_t n = 0;
    for (size_t i = 0; i < changes.size(); ++i) n += changes[i].second != 0 && (i == 0 || changes[i - 1].second == 0);
    return n;
  }
  double max_value() const {
    double m = 0;
    for (const auto& c : changes) m = std::max(m, c.second);
    return m;
  }
  double final_value() const { return changes.empty() ? 0 : changes.back().second; }
};

struct Vcd {
  std::map<std::string, VcdSignal> signals;  // by name
  int64_t end_ps = 0;                        // last timestamp
  const VcdSignal& at(const std::string& name) const {
    auto it = signals.find(name);
    if (it == signals.end()) throw std::runtime_error("no signal " + name);
    return it->second;
  }
};

Vcd read_vcd(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  Vcd vcd;
  std::map<std::string, std::string> by_id;
  std::vector<std::string> scope;
  std::string line;
  int64_t now = 0;
  bool header = true;
  int64_t last_time = -1;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream ls(line);
    if (header) {
      std::string tok;
      ls >> tok;
      if (tok == "$scope") {
        std::string kind, name;
        ls >> kind >> name;
        scope.push_back(name);
      } else if (tok == "$upscope") {
        scope.pop_back();
      } else if (tok == "$var") {
        VcdSignal s;
        std::string id, name;
        ls >> s.type >> s.width >> id >> name;
        for (auto it = scope.rbegin(); it != scope.rend(); ++it) name = *it + "." + name;
        s.name = name;
        by_id[id] = name;
        vcd.signals[name] = s;
      } else if (tok == "$enddefinitions") {
        header = false;
      }
      continue;
    }
    auto add = [&](const std::string& id, double v) {
      VcdSignal& s = vcd.signals.at(by_id.at(id));
      if (!s.changes.empty() && s.changes.back().first == now) {
        ADD_FAILURE() << s.name << " changes twice at " << now << " ps";
      }
      s.changes.emplace_back(now, v);
    };
    if (line[0] == '#') {
      now = std::stoll(line.substr(1));
      EXPECT_GT(now, last_time) << "timestamps increase";
      last_time = now;
    } else if (line[0] == 'b') {
      std::string bits, id;
      ls >> bits >> id;
      add(id, double(std::stoull(bits.substr(1), nullptr, 2)));
    } else if (line[0] == 'r') {
      std::string val, id;
      ls >> val >> id;
      add(id, std::stod(val.substr(1)));
    } else {
      add(line.substr(1), line[0] == '1' ? 1.0 : 0.0);
    }
  }
  vcd.end_ps = now;
  return vcd;
}

// The DRAM's counters (chip.chN.dram.*) summed over channels are the report's dram_commands;
// each bank's `open` rises once per row it opened (ACT, or an ACTab for every bank).
void expect_dram_signals_match(const Vcd& vcd, const HardwareConfig& hw, const GemmRunResult& r) {
  double act = 0, rd = 0, pre = 0, ref = 0, opens = 0, bus_high = 0;
  for (int c = 0; c < hw.channels; ++c) {
    const std::string d = fmt::format("chip.ch{}.dram.", c);
    act += vcd.at(d + "activates").final_value();
    rd += vcd.at(d + "reads").final_value();
    pre += vcd.at(d + "precharges").final_value();
    ref += vcd.at(d + "refreshes").final_value();
    bus_high += double(vcd.at(d + "cmd_bus").rising_edges());
    for (int b = 0; b < hw.banks_per_channel; ++b) opens += double(vcd.at(d + fmt::format("bank{}.open", b)).rising_edges());
  }
  EXPECT_EQ(act, double(r.dram_activates));
  EXPECT_EQ(rd, double(r.dram_reads));
  EXPECT_EQ(pre, double(r.dram_precharges));
  EXPECT_EQ(ref, double(r.dram_refreshes));
  EXPECT_EQ(opens, double(r.dram_activates)) << "one rising edge of bankB.open per row opened";
  EXPECT_GT(bus_high, 0.0);
  std::printf("VCD DRAM: %.0f activates, %.0f reads, %.0f precharges, %.0f refreshes (report %lld / %lld / %lld / %lld)\n",
              act, rd, pre, ref, static_cast<long long>(r.dram_activates), static_cast<long long>(r.dram_reads),
              static_cast<long long>(r.dram_precharges), static_cast<long long>(r.dram_refreshes));
}

HardwareConfig h2llm() { return load_hardware_config(std::string(H2SIM_SOURCE_DIR) + "/configs/hardware/h2llm.yaml"); }

// The example: the decode GEMV of a 4096 x 4096 layer on H2-LLM, cycle fidelity, LPDDR5.
TEST(Waveform, GemvSignalsIntegrateToTheReport) {
  const std::string path = testing::TempDir() + "/h2sim_waveform_gemv.vcd";
  const HardwareConfig hw = h2llm();
  GemmRunOptions opt;
  opt.vcd_path = path;
  const GemmRunResult r = run_gemm(hw, {1, 1, 4096, 4096}, opt);
  const Vcd vcd = read_vcd(path);
  const int64_t end = vcd.end_ps;
  EXPECT_NEAR(double(end), r.latency_ns * 1e3, 1.0) << "the VCD ends with the run";

  // Links: busy = scatter + load (no NPU traffic here); one channel's stages are the report's split.
  bool critical_found = false;
  double scatter_ps_all = 0;
  for (int c = 0; c < hw.channels; ++c) {
    const std::string ch = fmt::format("chip.ch{}", c);
    const double busy = vcd.at(ch + ".link.busy").integral(end);
    const double scatter = vcd.at(ch + ".link.scatter").integral(end);
    const double load = vcd.at(ch + ".link.load").integral(end);
    EXPECT_NEAR(busy, scatter + load, 1.0) << ch;
    scatter_ps_all += scatter;
    if (c >= hw.nmp_channels) continue;
    const double compute = vcd.at(ch + ".compute_busy").integral(end);
    if (std::abs(scatter / 1e3 - r.breakdown_ns.scatter) < 0.01 * r.breakdown_ns.scatter &&
        std::abs(load / 1e3 - r.breakdown_ns.load) < 0.01 * r.breakdown_ns.load &&
        std::abs(compute / 1e3 - r.breakdown_ns.compute) < 0.01 * r.breakdown_ns.compute) {
      critical_found = true;
    }
  }
  EXPECT_TRUE(critical_found) << "no channel's link.scatter / compute_busy / link.load integrals match the reported "
                              << "split " << r.breakdown_ns.scatter << " / " << r.breakdown_ns.compute << " / "
                              << r.breakdown_ns.load << " ns";
  // Scatter at the link's peak rate over all channels = the bytes scattered.
  EXPECT_NEAR(scatter_ps_all * 1e-12 * hw.external_bandwidth_bytes_per_s, double(r.bytes_scattered),
              0.01 * double(r.bytes_scattered));

  // PEs: the MAC-busy fraction integrates to the reported utilization, the HB rate to the bytes.
  double mac_busy_ps = 0, span_ps = 0, hb_bytes = 0;
  int pes = 0;
  for (int c = 0; c < hw.nmp_channels; ++c) {
    for (int p = 0; p < hw.pes_per_channel(); ++p, ++pes) {
      const std::string pe = fmt::format("chip.ch{}.pe{}", c, p);
      const double fraction = vcd.at(pe + ".mac_busy_fraction").integral(end);
      const double busy = vcd.at(pe + ".busy").integral(end);
      EXPECT_LE(fraction, busy * (1 + 1e-9)) << pe << ": MAC units busy only while the multiplier holds a chunk";
      mac_busy_ps += fraction;
      span_ps += busy;
      hb_bytes += vcd.at(pe + ".hb_gbps").integral(end) * 1e-3;  // GB/s x ps = 1e-3 B
      EXPECT_LE(vcd.at(pe + ".weight_buffer_bytes").max_value(), double(hw.buffers.weight_buffer_bytes)) << pe;
      EXPECT_EQ(vcd.at(pe + ".weight_buffer_bytes").final_value(), 0.0) << pe;
      EXPECT_LE(vcd.at(pe + ".hb_gbps").max_value(), hw.pe.hb_bandwidth_bytes_per_s / 1e9 * 1.0001) << pe;
    }
  }
  const double used_pes = double(r.channels_used * hw.pes_per_channel());
  const double vcd_utilization = mac_busy_ps / (used_pes * double(end));
  EXPECT_NEAR(vcd_utilization, r.pe_utilization, 0.01 * r.pe_utilization);
  EXPECT_GT(span_ps / (used_pes * double(end)), 0.9) << "the multipliers hold chunks over most of the run (memory-bound GEMV)";
  EXPECT_NEAR(hb_bytes, double(r.bytes_hb), 0.01 * double(r.bytes_hb));
  // The weight buffer is a FIFO the multiplier drains as the bursts arrive: in this memory-bound
  // GEMV it holds about a burst, never the whole 16 KiB chunk at once.
  const VcdSignal& wb = vcd.at("chip.ch0.pe0.weight_buffer_bytes");
  EXPECT_GT(wb.max_value(), 0.0);
  EXPECT_LT(wb.max_value(), double(hw.buffers.weight_buffer_bytes / 2) / 8);
  EXPECT_GT(wb.integral(end), 0.0);
  // DRAM: the running command counts end at the report's counts; every ACT opens its bank.
  expect_dram_signals_match(vcd, hw, r);
  RecordProperty("vcd_pe_utilization", fmt::format("{:.5f}", vcd_utilization));
  RecordProperty("report_pe_utilization", fmt::format("{:.5f}", r.pe_utilization));
  std::printf("VCD PE utilization %.5f, report %.5f; VCD HB bytes %.0f, report %lld; multiplier span fraction %.4f\n",
              vcd_utilization, r.pe_utilization, hb_bytes, static_cast<long long>(r.bytes_hb), span_ps / (used_pes * double(end)));
}

// In-die PIM: the host's lockstep stream (ACT per bank, MACab reading every bank) in the same
// signals, counted as the report counts it.
TEST(Waveform, InDieDramSignalsMatchTheReport) {
  const std::string path = testing::TempDir() + "/h2sim_waveform_indie.vcd";
  const HardwareConfig hw = load_hardware_config(std::string(H2SIM_SOURCE_DIR) + "/configs/hardware/id-nmp-plus.yaml");
  GemmRunOptions opt;
  opt.vcd_path = path;
  const GemmRunResult r = run_gemm(hw, {1, 1, 4096, 1024}, opt);
  ASSERT_TRUE(r.has_pim_stats);
  const Vcd vcd = read_vcd(path);
  expect_dram_signals_match(vcd, hw, r);
  // Each MACab reads one burst of every bank: the reads counter is banks x MACab commands.
  EXPECT_EQ(double(r.dram_reads), double(r.pim_mac_commands * hw.banks_per_channel));
}

}  // namespace

// The DRAM row size comes from the design's DRAM standard (organisation.row_bytes), not from a
// constant: with 1 KiB rows the PEs must address their weights in 1 KiB rows, and the analytic
// activity must count one activate per 1 KiB. Both held 2 KiB before (the size was hard-coded in
// models/channel.cpp, models/bank_pe.cpp and sim/llm_runner.cpp), which made 1 KiB runs wrong
// without any error. Each SystemC test runs in a process of its own (see sc_main.cpp).
#include <gtest/gtest.h>
#include <systemc>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "mapping/dataflow_choice.hpp"
#include "mapping/model.hpp"
#include "models/dram_port.hpp"
#include "models/sc_time_util.hpp"
#include "sim/gemm_runner.hpp"
#include "sim/llm_runner.hpp"

using namespace h2sim;

namespace {

struct HbRead {
  int64_t row = 0;
  int64_t bytes = 0;
};

// Which rows each bank's PE asked for: (channel, bank) -> calls in order. The timing is a plain
// pipe (the rows matter here, not the time they take).
using HbLog = std::map<std::pair<int, int>, std::vector<HbRead>>;

class RecordingDram : public sc_core::sc_module, public DramChannelPort {
 public:
  RecordingDram(sc_core::sc_module_name name, int channel, HbLog& log)
      : sc_core::sc_module(name), channel_(channel), log_(log) {}

  void pim_stream(int64_t, int64_t, int64_t) override { throw InternalError("RecordingDram: no in-die PIM"); }
  void hb_read(int bank, int64_t row, int64_t bytes, bool /*stream_continues*/) override {
    log_[{channel_, bank}].push_back({row, bytes});
    stats_.hb_bytes += bytes;
    sc_core::wait(transfer_time(bytes, 25.6e9));
  }
  void external_access(DramAccess, int64_t, int64_t bytes) override {
    stats_.external_bytes += bytes;
    sc_core::wait(transfer_time(bytes, 12.8e9));
  }
  DramPortStats port_stats() const override { return stats_; }

 private:
  int channel_;
  HbLog& log_;
  DramPortStats stats_;
};

std::string config(const std::string& rel) { return std::string(H2SIM_SOURCE_DIR) + "/configs/" + rel; }

// A GEMV reads every weight exactly once, in order, from consecutive bytes of its PE's bank; a
// read starts at the beginning of a row (dram_port.hpp), so the row it names must be the one
// holding its first byte, or the row start just before: offset - row_bytes < row x row_bytes <=
// offset. (A PE's share of a GEMM need not be a whole number of rows, so reads may share a row.)
void expect_rows_follow_the_weights(int64_t dram_row_bytes) {
  std::vector<std::string> dram_set;
  if (dram_row_bytes != 2048) dram_set.push_back("organisation.row_bytes=" + std::to_string(dram_row_bytes));
  HbLog log;
  GemmRunOptions opt;
  opt.fidelity = Fidelity::cycle;
  opt.dram_overrides = dram_set;
  opt.dram_factory = [&log](const char* name, int channel, bool) -> std::unique_ptr<DramChannelPort> {
    return std::make_unique<RecordingDram>(name, channel, log);
  };
  const GemmShape gemv{1, 1, 4096, 4096};
  const auto r = run_gemm(load_hardware_config(config("hardware/h2llm.yaml")), gemv, opt);
  ASSERT_FALSE(log.empty());
  int64_t total = 0;
  for (const auto& [where, reads] : log) {
    int64_t offset = 0;  // bytes of this bank read so far: where the next read's data begins
    for (const auto& rd : reads) {
      const int64_t row_start = rd.row * dram_row_bytes;
      EXPECT_TRUE(row_start <= offset && offset - dram_row_bytes < row_start)
          << "channel " << where.first << " bank " << where.second << ": the read of bytes from " << offset
          << " names row " << rd.row << " (byte " << row_start << " at " << dram_row_bytes << " B per row)";
      offset += rd.bytes;
    }
    total += offset;
  }
  EXPECT_EQ(total, gemv.k * gemv.n * 2);  // FP16 weights, each read once
  EXPECT_EQ(r.bytes_hb, total);
}

}  // namespace

TEST(DramRows, PesAddressOneKibRowsWhenTheStandardSaysSo) { expect_rows_follow_the_weights(1024); }

TEST(DramRows, PesAddressTwoKibRowsByDefault) { expect_rows_follow_the_weights(2048); }

// Analytic fidelity counts one activate per row of weights or DRAM operand streamed: halving the
// row doubles the activates exactly (the byte counts are sums of powers of two) and changes
// nothing else.
TEST(DramRows, AnalyticActivatesFollowTheRowSize) {
  const HardwareConfig hw = load_hardware_config(config("hardware/h2llm.yaml"));
  const ModelConfig model = load_model_config(config("models/llama3-8b.yaml"));
  const Scenario scenario = load_scenario(config("scenarios/humaneval.yaml"));
  DataflowChoice c;
  c.name_or_file = "fc-nmp";  // a fixed baseline with NMP and NPU parts (no search)
  c.progress = false;
  const Dataflow df = choose_dataflow(c, hw, model, scenario, 1);
  LlmRunOptions o;
  o.fidelity = Fidelity::analytic;
  const auto at2k = run_llm(hw, model, scenario, 1, df, o);
  o.dram_overrides = {"organisation.row_bytes=1024"};
  const auto at1k = run_llm(hw, model, scenario, 1, df, o);
  ASSERT_GT(at2k.activity.dram_activates, 0);
  EXPECT_DOUBLE_EQ(at1k.activity.dram_activates, 2 * at2k.activity.dram_activates);
  EXPECT_DOUBLE_EQ(at1k.activity.hb_bytes, at2k.activity.hb_bytes);
  EXPECT_DOUBLE_EQ(at1k.activity.dram_read_bursts, at2k.activity.dram_read_bursts);
  EXPECT_DOUBLE_EQ(at1k.latency_s, at2k.latency_s);
}

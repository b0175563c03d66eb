// End-to-end runs on a tiny LLaMA-shaped model (2 layers, hidden 512) and a short scenario.
// Each test elaborates the chip, so ctest runs each in a process of its own.
#include <gtest/gtest.h>

#include <string>

#include "config/hardware_config.hpp"
#include "mapping/dataflow_choice.hpp"
#include "mapping/evaluator.hpp"
#include "mapping/model.hpp"
#include "sim/llm_report.hpp"
#include "sim/llm_runner.hpp"

using namespace h2sim;

namespace {

struct Fixture {
  HardwareConfig hw = load_hardware_config(std::string(H2SIM_SOURCE_DIR) + "/configs/hardware/h2llm.yaml");
  ModelConfig model = load_model_config(std::string(H2SIM_TEST_DATA_DIR) + "/e2e/tiny-llama.yaml");
  Scenario scenario = load_scenario(std::string(H2SIM_TEST_DATA_DIR) + "/e2e/tiny-scenario.yaml");
  int64_t batch = 2;

  Dataflow dataflow(const std::string& name) {
    DataflowChoice c;
    c.name_or_file = name;
    c.search.population = 200;
    c.search.generations = 10;
    c.search.threads = 1;
    c.progress = false;
    return choose_dataflow(c, hw, model, scenario, batch);
  }
  LlmRunResult run(const std::string& df, Fidelity f, bool exact = false, DramModel dram = DramModel::lpddr5) {
    LlmRunOptions o;
    o.fidelity = f;
    o.exact = exact;
    o.dram = dram;
    return run_llm(hw, model, scenario, batch, dataflow(df), o);
  }
  double analytic_s(const std::string& df) {
    AnalyticEvaluator ev(hw, model, scenario, batch);
    return ev.evaluate(dataflow(df)).latency_model_s;
  }
};

class IdealRunVsAnalytic : public testing::TestWithParam<std::string> {};

}  // namespace

// `ideal` plays every baseline's whole inference on the SystemC chip under the analytic model's
// assumptions: the composition (tiers, MPGs, MAGs, layers, growing context) must match.
TEST_P(IdealRunVsAnalytic, WithinHalfPercent) {
  Fixture f;
  const auto r = f.run(GetParam(), Fidelity::ideal);
  const double analytic = f.analytic_s(GetParam());
  EXPECT_NEAR(r.latency_s / analytic, 1.0, 0.005) << "ideal " << r.latency_s << " s, analytic " << analytic << " s";
}

INSTANTIATE_TEST_SUITE_P(Baselines, IdealRunVsAnalytic,
                         testing::Values("npu-only", "fc-nmp", "attn-nmp", "attn-nmp-split", "cc-nmp", "h2llm"),
                         [](const testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param;
                           for (char& c : n) c = c == '-' ? '_' : c;
                           return n;
                         });

// The activity the energy model prices equals the workload: every MAC once (NMP parts on the
// PEs, NPU parts and the whole prefill on the NPU), every K/V append once.
TEST(LlmRun, ActivityCountsEqualTheWorkload) {
  Fixture f;
  const Dataflow df = f.dataflow("h2llm");
  double nmp_macs = 0, npu_macs = 0;
  auto add_pass = [&](const PassShape& pass) {
    for (const auto& op : lower_dataflow(df, f.model, f.hw, pass)) {
      if (pass.pass == Pass::prefill || op.exec == ExecKind::npu) {
        npu_macs += op.shape.macs();
      } else {
        nmp_macs += op.nmp_part.batch > 0 ? op.nmp_part.macs() : 0.0;
        npu_macs += op.npu_part.batch > 0 ? op.npu_part.macs() : 0.0;
      }
    }
  };
  add_pass({Pass::prefill, f.batch, f.scenario.prompt_tokens, f.scenario.prompt_tokens});
  for (int64_t i = 1; i <= f.scenario.decode_tokens; ++i) add_pass({Pass::decode, f.batch, 1, f.scenario.prompt_tokens + i});
  const double layers = double(f.model.layers);
  LlmRunOptions o;
  const auto r = run_llm(f.hw, f.model, f.scenario, f.batch, df, o);
  EXPECT_NEAR(r.activity.pe_macs, nmp_macs * layers, 0.5);
  EXPECT_NEAR(r.activity.npu_macs, npu_macs * layers, 0.5);
  // K and V of each new token, for every sequence, layer and step: the KV cache grows.
  const double kv_bytes = 2.0 * double(f.batch * f.model.head_dim() * f.model.kv_heads * f.hw.element_bytes) *
                          layers * double(f.scenario.decode_tokens);
  EXPECT_DOUBLE_EQ(r.activity.kv_cache_bytes_written, kv_bytes);
  EXPECT_GT(r.activity.dram_activates, 0);
  EXPECT_GE(r.activity.external_bytes, r.activity.kv_cache_bytes_written);
  EXPECT_GT(r.mags_memoized, 0) << "the second layer reuses the first one's measurements";
}

// Cycle level never beats the NMP and NPU peaks: the run needs at least its MACs at full rate.
TEST(LlmRun, CycleNeverBeatsPeakCompute) {
  Fixture f;
  const auto r = f.run("h2llm", Fidelity::cycle);
  const double pe_peak = f.hw.pe.macs_per_s() * double(f.hw.pes_per_channel() * f.hw.nmp_channels);
  EXPECT_GE(r.latency_s, r.activity.pe_macs / pe_peak);
  EXPECT_GE(r.latency_s, r.activity.npu_macs / f.hw.npu.peak_macs_per_s);
  EXPECT_GT(r.ttft_s, 0);
  EXPECT_NEAR(r.tpot_s * double(f.scenario.decode_tokens), r.decode_s, 1e-12);
}

// The JSON a run writes reads back to the same numbers (what scripts and `merge` rely on).
TEST(LlmRun, JsonRoundTrip) {
  Fixture f;
  const EnergyConfig energy = load_energy_config(std::string(H2SIM_SOURCE_DIR) + "/configs/energy/default.yaml");
  LlmRunOptions o;
  o.energy = &energy;
  const auto r = run_llm(f.hw, f.model, f.scenario, f.batch, f.dataflow("fc-nmp"), o);
  const auto j = nlohmann::json::parse(llm_report_json(r).dump(2));
  EXPECT_EQ(j["latency_s"].get<double>(), r.latency_s);
  EXPECT_EQ(j["prefill_s"].get<double>(), r.prefill_s);
  EXPECT_EQ(j["decode_s"].get<double>(), r.decode_s);
  EXPECT_EQ(j["ttft_s"].get<double>(), r.ttft_s);
  EXPECT_EQ(j["tpot_s"].get<double>(), r.tpot_s);
  EXPECT_EQ(j["energy_j"].get<double>(), r.energy.total_j);
  EXPECT_EQ(j["tokens_per_joule"].get<double>(), r.tokens_per_joule);
  EXPECT_EQ(j["fidelity"].get<std::string>(), "cycle");
  EXPECT_EQ(j["activity"]["pe_macs"].get<double>(), r.activity.pe_macs);
  ASSERT_EQ(j["operators"].size(), r.operators.size());
  EXPECT_GT(r.energy.total_j, r.energy.static_j) << "dynamic energy is priced";
}

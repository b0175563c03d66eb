// Speed of the SystemC chip at cycle fidelity on single GEMMs: the decode GEMV of a LLaMA3-8B
// FFN (1 x 4096 x 14336) on the NMP channels and a ShareGPT prefill GEMM (783 x 4096 x 4096) on
// the NPU. SystemC allows one elaboration per process: each benchmark runs once, and
// scripts/bench.sh starts one process per benchmark (--benchmark_filter).
#include <benchmark/benchmark.h>
#include <systemc>

#include <string>

#include "config/hardware_config.hpp"
#include "sim/gemm_runner.hpp"

namespace {

const std::string kSrc = H2SIM_SOURCE_DIR;

void BM_Gemm(benchmark::State& state, h2sim::GemmShape shape, h2sim::GemmTarget target) {
  const h2sim::HardwareConfig hw = h2sim::load_hardware_config(kSrc + "/configs/hardware/h2llm.yaml");
  h2sim::GemmRunOptions o;
  o.fidelity = h2sim::Fidelity::cycle;
  o.target = target;
  double simulated_ns = 0;
  const auto deltas_before = sc_core::sc_delta_count();
  for (auto _ : state) simulated_ns = h2sim::run_gemm(hw, shape, o).latency_ns;
  // SystemC 2.3 exposes no event count; delta cycles (evaluate/update rounds) are the closest
  // public measure of scheduler work.
  const double deltas = double(sc_core::sc_delta_count() - deltas_before);
  state.counters["simulated_ns"] = simulated_ns;
  state.counters["delta_cycles"] = deltas;
  state.counters["delta_cycles_per_s"] = benchmark::Counter(deltas, benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_Gemm, decode_gemv, h2sim::GemmShape{1, 1, 4096, 14336}, h2sim::GemmTarget::nmp)
    ->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK_CAPTURE(BM_Gemm, prefill_gemm, h2sim::GemmShape{1, 783, 4096, 4096}, h2sim::GemmTarget::npu)
    ->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace

// SystemC wants sc_main; Google Benchmark runs inside it.
int sc_main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

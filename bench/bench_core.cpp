// Speed of the plain C++ hot paths: the LPDDR5 engine on a sequential stream (simulated DRAM
// cycles per wall second), trace replay (requests per wall second), the analytic evaluator (dataflow evaluations per second) and the GA at
// the artifact's budget (2500 x 50). Counters carry the figures scripts/bench.sh tabulates.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/baselines.hpp"
#include "mapping/evaluator.hpp"
#include "mapping/model.hpp"
#include "mapping/search.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/dram/dram_workloads.hpp"
#include "models/dram/lpddr5_channel.hpp"
#include "sim/dram_bench.hpp"
#include "verify/dram_trace_checker.hpp"

namespace {

const std::string kSrc = H2SIM_SOURCE_DIR;

// One channel streaming 256 MiB (about 0.9 M DRAM cycles on the HB path): long enough that setup
// is noise.
void BM_DramStream(benchmark::State& state, const std::string& path) {
  h2sim::DramBenchOptions o;
  o.hw_file = kSrc + "/configs/hardware/h2llm.yaml";
  o.path = path;
  o.bytes = int64_t(256) << 20;
  double cycles = 0;
  for (auto _ : state) {
    const h2sim::DramBenchResult r = h2sim::run_dram_bench(o);
    cycles += r.json["simulated_dram_cycles"].get<double>();
  }
  state.counters["dram_cycles_per_s"] = benchmark::Counter(cycles, benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_DramStream, external, std::string("external"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_DramStream, hb, std::string("hb"))->Unit(benchmark::kMillisecond)->UseRealTime();

// Trace replay (`h2sim dram --trace`): 2,097,152 one-burst read requests (the issue-11 validation
// size), sequential or uniformly random over the channel, as Ramulator load/store text written once
// per process, replayed on LPDDR5-6400 (h2llm) and DDR4-3200 x16. Requests per wall second
// include parsing the text; the target is >= 5 M/s on both patterns.
class TraceFiles {
 public:
  ~TraceFiles() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  std::string get(const std::string& hw, bool random) {
    const std::string key = hw + (random ? ":random" : ":sequential");
    auto it = files_.find(key);
    if (it != files_.end()) return it->second;
    if (dir_.empty()) {
      dir_ = (std::filesystem::temp_directory_path() / ("h2sim_bench_traces." + std::to_string(::getpid()))).string();
      std::filesystem::create_directories(dir_);
    }
    const h2sim::HardwareConfig h = h2sim::load_hardware_config(hw);
    const h2sim::DramStandard s = h2sim::load_dram_standard(h.dram_standard_file);
    h2sim::Lpddr5Channel ch(s, h, false);
    const std::string path = dir_ + "/" + std::to_string(files_.size()) + ".trace";
    std::FILE* f = std::fopen(path.c_str(), "w");
    constexpr int64_t kRequests = 2097152;
    h2sim::SequentialSource seq(h2sim::DramAccess::read, kRequests * s.burst_bytes, s.burst_bytes);
    h2sim::RandomSource rnd(h2sim::DramAccess::read, kRequests, ch.mapping().capacity_bytes(), s.burst_bytes, 1);
    h2sim::ExternalRequestSource& src = random ? static_cast<h2sim::ExternalRequestSource&>(rnd) : seq;
    h2sim::ExternalRequest r;
    while (src.next(r)) std::fprintf(f, "LD 0x%llx\n", static_cast<unsigned long long>(r.address));
    std::fclose(f);
    return files_[key] = path;
  }

 private:
  std::string dir_;
  std::map<std::string, std::string> files_;
};
TraceFiles& trace_files() {
  static TraceFiles t;
  return t;
}

void BM_DramTraceReplay(benchmark::State& state, const std::string& hw, bool random) {
  h2sim::DramBenchOptions o;
  o.hw_file = kSrc + "/configs/hardware/" + hw;
  o.pattern = "trace";
  o.trace_file = trace_files().get(o.hw_file, random);
  double requests = 0, cycles = 0;
  for (auto _ : state) {
    const h2sim::DramBenchResult r = h2sim::run_dram_bench(o);
    requests += r.json["requests"].get<double>();
    cycles += r.json["simulated_dram_cycles"].get<double>();
  }
  state.counters["requests_per_s"] = benchmark::Counter(requests, benchmark::Counter::kIsRate);
  state.counters["dram_cycles_per_s"] = benchmark::Counter(cycles, benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_DramTraceReplay, lpddr5_sequential, std::string("h2llm.yaml"), false)
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_DramTraceReplay, lpddr5_random, std::string("h2llm.yaml"), true)
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_DramTraceReplay, ddr4_sequential, std::string("examples/ddr4-3200-x16.yaml"), false)
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_DramTraceReplay, ddr4_random, std::string("examples/ddr4-3200-x16.yaml"), true)
    ->Unit(benchmark::kMillisecond)->UseRealTime();
// The independent command-trace checker (h2sim verify-trace): parse and check a trace of random
// external reads (every read a row miss: ACT, RD, PRE per request, plus refresh) from a file.
void BM_TraceChecker(benchmark::State& state) {
  const std::string trace = "/tmp/h2sim-bench-trace-" + std::to_string(::getpid()) + ".csv";
  h2sim::DramBenchOptions o;
  o.hw_file = kSrc + "/configs/hardware/h2llm.yaml";
  o.pattern = "random";
  o.bytes = int64_t(32) << 20;  // 1 M reads: about 3 M commands
  o.command_trace = trace;
  h2sim::run_dram_bench(o);
  const h2sim::HardwareConfig hw = h2sim::load_hardware_config(o.hw_file);
  const h2sim::DramStandard s = h2sim::load_dram_standard(hw.dram_standard_file);
  double commands = 0;
  for (auto _ : state) {
    const h2sim::TraceCheckResult r = h2sim::check_command_trace_file(trace, s, hw);
    if (!r.ok) state.SkipWithError(r.report.c_str());
    commands += double(r.summary.commands);
  }
  std::remove(trace.c_str());
  state.counters["commands_per_s"] = benchmark::Counter(commands, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TraceChecker)->Unit(benchmark::kMillisecond)->UseRealTime();

struct Workload {
  h2sim::HardwareConfig hw = h2sim::load_hardware_config(kSrc + "/configs/hardware/h2llm.yaml");
  std::string model_file = kSrc + "/configs/models/llama3-8b.yaml";
  h2sim::ModelConfig model = h2sim::load_model_config(model_file);
  h2sim::Scenario scenario = h2sim::load_scenario(kSrc + "/configs/scenarios/sharegpt.yaml");
};

// The search's inner call (per-layer latency) on the fixed baselines, one evaluator: its
// per-operator estimate cache is warm after the first round, as in a GA generation.
void BM_AnalyticEvaluator(benchmark::State& state) {
  const Workload w;
  h2sim::AnalyticEvaluator ev(w.hw, w.model, w.scenario, 1);
  std::vector<h2sim::Dataflow> dfs;
  for (const char* name : {"npu-only", "fc-nmp", "attn-nmp", "attn-nmp-split"}) {
    dfs.push_back(h2sim::make_fixed_baseline(name, w.model, w.hw));
  }
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(ev.latency_per_layer_s(dfs[i++ % dfs.size()]));
  state.counters["evaluations_per_s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AnalyticEvaluator)->UseRealTime();

// The artifact's budget, one thread: what `run` pays once per design/model/scenario/batch before
// caching the searched dataflow.
void BM_GeneticSearch(benchmark::State& state) {
  const Workload w;
  h2sim::SearchParams p;
  p.population = 2500;
  p.generations = 50;
  p.threads = 1;
  double evaluations = 0;
  for (auto _ : state) {
    const h2sim::SearchResult r = h2sim::genetic_search(w.hw, w.model, w.scenario, 1, {}, p);
    evaluations += double(r.evaluations);
  }
  state.counters["evaluations_per_s"] = benchmark::Counter(evaluations, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GeneticSearch)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

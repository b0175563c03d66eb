// Design-space search: random generation and variation operators keep dataflows legal (property
// tests), the GA is deterministic whatever the thread count, and it reaches the exhaustive
// optimum on a small graph.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "mapping/baselines.hpp"
#include "mapping/search.hpp"

using namespace h2sim;

namespace {
std::string src(const std::string& rel) { return std::string(H2SIM_SOURCE_DIR) + "/" + rel; }
std::string data(const std::string& rel) { return std::string(H2SIM_TEST_DATA_DIR) + "/" + rel; }

struct World {
  HardwareConfig hw = load_hardware_config(src("configs/hardware/h2llm.yaml"));
  ModelConfig model = load_model_config(src("configs/models/llama3-8b.yaml"));
  Scenario sc = load_scenario(src("configs/scenarios/humaneval.yaml"));
};

void expect_legal(const Dataflow& df, const ModelConfig& m, const HardwareConfig& hw, DataflowSpace space,
                  const std::string& what) {
  ASSERT_TRUE(covers_each_operator_once(df, m)) << what;
  auto v = dataflow_structure_violations(df, m, hw);
  std::string all;
  for (auto& s : v) all += s + "\n";
  ASSERT_TRUE(v.empty()) << what << "\n" << all << describe_dataflow(df, m, hw);
  if (space == DataflowSpace::cc_nmp) {
    for (const auto& mag : df.mags) {
      for (const auto& mpg : mag.mpgs) {
        for (const auto& t : mpg.tiers) {
          for (const auto& b : t.ops) ASSERT_NE(b.exec(), ExecKind::mix) << what;
        }
      }
    }
  }
}
}  // namespace

TEST(MappingSearch, RandomDataflowsAndVariationsStayLegal) {
  for (const char* model_file : {"configs/models/llama3-8b.yaml", "configs/models/palm-8b.yaml", "configs/models/opt-6.7b.yaml"}) {
    for (const char* hw_file : {"configs/hardware/h2llm.yaml", "configs/hardware/id-nmp.yaml", "configs/hardware/npu-only.yaml"}) {
      for (DataflowSpace space : {DataflowSpace::h2llm, DataflowSpace::cc_nmp}) {
        HardwareConfig hw = load_hardware_config(src(hw_file));
        ModelConfig m = load_model_config(src(model_file));
        AnalyticEvaluator ev(hw, m, Scenario{"s", 100, 10, 2048}, 4);
        DataflowSampler s(&ev, space);
        std::vector<Dataflow> pop;
        for (uint64_t i = 0; i < 60; ++i) {
          SearchRng rng(7, 0, i);
          pop.push_back(s.random(rng));
          expect_legal(pop.back(), m, hw, space, fmt::format("random {} {} {}", model_file, hw_file, i));
        }
        for (uint64_t i = 0; i < 200; ++i) {
          SearchRng rng(7, 1, i);
          const Dataflow& a = pop[rng.below(pop.size())];
          const Dataflow& b = pop[rng.below(pop.size())];
          Dataflow c;
          switch (i % 4) {
            case 0: c = s.resample_gcmap(a, rng); break;
            case 1: c = s.resample_tiers(a, rng); break;
            case 2: c = s.resample_ocmap(a, rng); break;
            default: c = s.crossover(a, b, rng, rng.below(2), rng.below(2)); break;
          }
          expect_legal(c, m, hw, space, fmt::format("variation {} of {} {} {}", i % 4, model_file, hw_file, i));
          pop.push_back(c);
        }
      }
    }
  }
}

TEST(MappingSearch, CrossoverKeepsPrefixAndSuffix) {
  World s;
  AnalyticEvaluator ev(s.hw, s.model, s.sc, 1);
  DataflowSampler sampler(&ev, DataflowSpace::h2llm);
  Dataflow a = make_fixed_baseline("fc-nmp", s.model, s.hw);  // 9 single-operator MAGs
  for (uint64_t i = 0; i < 50; ++i) {
    SearchRng rng(3, 2, i);
    Dataflow c = sampler.crossover(a, a, rng);
    ASSERT_TRUE(covers_each_operator_once(c, s.model));
    // Crossing a dataflow with itself around any cut gives it back when all MAGs are inherited.
    if (c.mags.size() == a.mags.size()) {
      EXPECT_TRUE(c.mags.front() == a.mags.front());
      EXPECT_TRUE(c.mags.back() == a.mags.back());
    }
  }
}

// A small search (120 x 6, top-k 10, seed 42): a fraction of a second.
static SearchParams small_search() {
  SearchParams p;
  p.population = 120;
  p.generations = 6;
  p.top_k = 10;
  p.seed = 42;
  return p;
}

TEST(MappingSearch, DeterministicWhateverTheThreadCount) {
  World s;
  SearchParams p = small_search();
  p.threads = 1;
  auto one = genetic_search(s.hw, s.model, s.sc, 1, {}, p);
  p.threads = 3;
  auto three = genetic_search(s.hw, s.model, s.sc, 1, {}, p);
  EXPECT_EQ(one.latency_per_layer_s, three.latency_per_layer_s);
  EXPECT_TRUE(one.best == three.best);
  EXPECT_EQ(one.evaluations, three.evaluations);
  p.seed = 43;
  auto other = genetic_search(s.hw, s.model, s.sc, 1, {}, p);
  EXPECT_FALSE(other.best == one.best && other.latency_per_layer_s == one.latency_per_layer_s);
  // The answer is legal, capacity included.
  EXPECT_TRUE(dataflow_violations(one.best, s.model, s.hw, {1, 2048}).empty());
}

// The leaders (the runners-up a cycle-fidelity selection simulates): the best first, distinct,
// in non-decreasing analytic latency, each legal, as many as the final top-k holds at most.
TEST(MappingSearch, LeadersAreTheDistinctTopKBestFirst) {
  World s;
  const SearchParams p = small_search();
  const auto r = genetic_search(s.hw, s.model, s.sc, 1, {}, p);
  ASSERT_GE(r.leaders.size(), 2u);
  ASSERT_LE(r.leaders.size(), size_t(p.top_k));
  ASSERT_EQ(r.leaders.size(), r.leader_latencies_per_layer_s.size());
  EXPECT_TRUE(r.leaders.front() == r.best);
  EXPECT_EQ(r.leader_latencies_per_layer_s.front(), r.latency_per_layer_s);
  AnalyticEvaluator ev(s.hw, s.model, s.sc, 1);
  for (size_t i = 0; i < r.leaders.size(); ++i) {
    if (i > 0) {
      EXPECT_LE(r.leader_latencies_per_layer_s[i - 1], r.leader_latencies_per_layer_s[i]);
    }
    for (size_t j = 0; j < i; ++j) {
      EXPECT_FALSE(r.leaders[i] == r.leaders[j]) << i << " repeats " << j;
    }
    EXPECT_TRUE(dataflow_violations(r.leaders[i], s.model, s.hw, {1, 2048}).empty()) << i;
    // Its recorded latency is the evaluator's.
    EXPECT_DOUBLE_EQ(ev.latency_per_layer_s(r.leaders[i]), r.leader_latencies_per_layer_s[i]) << i;
  }
}

TEST(MappingSearch, StopFlagKeepsTheBestSoFar) {
  World s;
  std::atomic<bool> stop{false};
  SearchParams p;
  p.population = 50;
  p.generations = 100;
  p.top_k = 5;
  p.stop = &stop;
  p.progress = [&](const GenerationReport& r) {
    if (r.generation == 2) stop = true;
  };
  auto r = genetic_search(s.hw, s.model, s.sc, 1, {}, p);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.generations_run, 3);
  EXPECT_TRUE(covers_each_operator_once(r.best, s.model));
}

TEST(MappingSearch, GaFindsTheExhaustiveOptimumOnASmallGraph) {
  HardwareConfig hw = load_hardware_config(src("configs/hardware/h2llm.yaml"), {"nmp_channels=2", "channels=3"});
  ModelConfig m = load_model_config(data("mapping/tiny.yaml"));
  Scenario sc{"tiny", 64, 4, 2048};
  for (DataflowSpace space : {DataflowSpace::h2llm, DataflowSpace::cc_nmp}) {
    auto ex = exhaustive_search(hw, m, sc, 1, {}, space, 4);
    SearchParams p;
    p.population = 300;
    p.generations = 25;
    p.top_k = 20;
    p.seed = 5;
    p.threads = 2;
    p.ratio_steps = 4;
    p.space = space;
    auto ga = genetic_search(hw, m, sc, 1, {}, p);
    EXPECT_GT(ex.mappings_evaluated, 100);
    EXPECT_NEAR(ga.latency_per_layer_s, ex.latency_per_layer_s, ex.latency_per_layer_s * 1e-12)
        << (space == DataflowSpace::h2llm ? "h2llm" : "cc-nmp") << "\nGA:\n"
        << describe_dataflow(ga.best, m, hw) << "exhaustive:\n"
        << describe_dataflow(ex.best, m, hw);
    EXPECT_LE(ex.latency_per_layer_s, ga.latency_per_layer_s * (1 + 1e-12));
  }
}

TEST(MappingSearch, DataCentricBeatsBaselinesOnLlamaHumanEval) {
  World s;
  SearchParams p;
  p.population = 400;
  p.generations = 10;
  p.threads = 2;
  auto h2 = genetic_search(s.hw, s.model, s.sc, 1, {}, p);
  p.space = DataflowSpace::cc_nmp;
  auto cc = genetic_search(s.hw, s.model, s.sc, 1, {}, p);
  AnalyticEvaluator ev(s.hw, s.model, s.sc, 1);
  double fc = ev.latency_per_layer_s(make_fixed_baseline("fc-nmp", s.model, s.hw));
  EXPECT_LE(h2.latency_per_layer_s, fc);
  EXPECT_LE(cc.latency_per_layer_s, fc * 1.0001);
}

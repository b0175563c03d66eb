#pragma once
// Role: the genetic algorithm over dataflows (and optionally NMP hardware), reference §6 "Search",
// with the bounds of its parameters.
//
//
// Genetic algorithm: a random initial population; each later generation is bred from the top-k
// of everything seen so far (elitist): with probability `mutation_ratio` a mutation of one parent
// (device, MAGs, GCMap, tiers+OCMap, or OCMap only: each resamples that level and everything
// below it), otherwise a crossover (a prefix of one parent's MAGs, a suffix of the other's, the
// operators in between re-partitioned at random). Individuals that overfill a channel are
// redrawn.
//
// Determinism: individual i of generation g draws only from its own RNG stream, seeded from
// (seed, g, i); workers write results into fixed slots and ranking breaks ties by (generation,
// index), so the answer is the same for any thread count.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/dataflow_sampler.hpp"
#include "mapping/evaluator.hpp"
#include "mapping/model.hpp"

namespace h2sim {

// The hardware space of the artifact: NMP channels {2,4,6,8} x 16 (FPUs, MHz, GB/s) PE tuples
// (buffers do not change the analytic model, so they are not enumerated). Based on `base`.
std::vector<HardwareConfig> hardware_space(const HardwareConfig& base);

struct GenerationReport {
  int64_t generation = 0;
  int64_t generations = 0;
  double best_latency_per_layer_s = 0;
  double evaluations_per_s = 0;
  int64_t evaluations = 0;
};

struct SearchParams {
  int64_t population = 2500;
  int64_t generations = 50;
  int64_t top_k = 50;
  double mutation_ratio = 0.8;
  uint64_t seed = 1;
  int threads = 1;
  int ratio_steps = 16;
  DataflowSpace space = DataflowSpace::h2llm;
  bool search_hardware = false;
  int max_redraws = 50;                       // per individual, when capacity fails
  const std::atomic<bool>* stop = nullptr;    // checked between generations (Ctrl-C)
  std::function<void(const GenerationReport&)> progress;
};

// Bounds of the search parameters (the flags --population, --generations, --top-k, --threads of
// explore and analyze, and the same keys of sweeps), from memory and time arithmetic measured on
// LLaMA3-8B (2-CPU AMD EPYC):
//  - an individual (a dataflow of one layer's operators and its latency) takes ~1.1 KiB, and a
//    generation holds its children plus the top-k: 100,000 individuals ~ 110 MiB;
//  - one thread evaluates 65,000-95,000 individuals/s: the budget population x generations of
//    10^9 evaluations is 3-4 hours on one thread (the paper's search is 2,500 x 50 = 125,000);
//  - the top-k is kept free of duplicates by comparing each new member with all kept ones,
//    top_k^2 comparisons per generation: 10,000 is 10^8 (a tenth of a second); and a top-k
//    larger than the population would only be filled by earlier generations' leftovers;
//  - each thread holds its own evaluator and sampler per hardware variant (64 in the hardware
//    space, ~1.6 MiB per thread), and the result is the same for any thread count, so threads
//    beyond the cores gain nothing: 256.
struct SearchLimits {
  static constexpr int64_t kMinPopulation = 2;
  static constexpr int64_t kMaxPopulation = 100000;
  static constexpr int64_t kMaxGenerations = 100000;
  static constexpr int64_t kMaxEvaluations = 1000000000;  // population x generations
  static constexpr int64_t kMinTopK = 2;
  static constexpr int64_t kMaxTopK = 10000;
  static constexpr int kMaxThreads = 256;
  // An evaluation costs time and memory in proportion to the decode steps it prices (one per
  // context; one with --artifact-compat): ~4e-8 s per step (100,000 steps: 250 evaluations/s)
  // and ~160 B per step in every evaluator (one per thread and hardware variant).
  static constexpr double kMaxStepEvaluations = 1e11;  // population x generations x steps: ~1 h
  static constexpr double kBytesPerStep = 160;
  static constexpr double kMaxEvaluatorBytes = 8.0 * (1ull << 30);  // threads x variants x steps x 160 B
};

// InputError naming the flag, the value and the valid range if a parameter is out of bounds.
void check_search_params(const SearchParams& params);
// The same for the cost of the whole search over `decode_steps` steps and `variants` hardware
// designs (one evaluator per thread and variant): the scenario is part of the budget.
void check_search_budget(const SearchParams& params, int64_t decode_steps, size_t variants, const std::string& scenario);

struct SearchResult {
  Dataflow best;
  // The final top-k's distinct dataflows on the base design, best first (best is leaders[0]):
  // the runners-up a selection at cycle fidelity simulates (study/dataflow_selection.hpp).
  std::vector<Dataflow> leaders;
  std::vector<double> leader_latencies_per_layer_s;
  HardwareConfig hardware;     // the design of the best (== base unless search_hardware)
  double latency_per_layer_s = 0;
  int64_t evaluations = 0;
  int64_t generations_run = 0;
  bool interrupted = false;
  double wall_s = 0;
};

SearchResult genetic_search(const HardwareConfig& hw, const ModelConfig& model, const Scenario& scenario,
                            int64_t batch, const EvaluatorOptions& options, const SearchParams& params);

}  // namespace h2sim

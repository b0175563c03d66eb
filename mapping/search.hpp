#pragma once
// Design-space search over dataflows (and optionally NMP hardware), reference §6 "Search".
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
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/evaluator.hpp"
#include "mapping/model.hpp"

namespace h2sim {

enum class DataflowSpace {
  h2llm,   // data-centric: an operator may hold data on NMP channels and the pool (MIX)
  cc_nmp,  // compute-centric (SpecPIM): an operator uses only NMP or only normal channels
};
DataflowSpace parse_dataflow_space(const std::string& name);  // "h2llm" | "cc-nmp"

// std::mt19937_64, the same generator with the same outputs (checked against the standard one
// over 20,000 seeds, up to 2,000 draws each), but its first block of 312 words is seeded and
// twisted lazily: an individual draws a few dozen numbers, so most of the state is never needed.
class LazyMt19937_64 {
 public:
  explicit LazyMt19937_64(uint64_t seed) {
    x_[0] = seed;
    inited_ = 1;
  }
  uint64_t operator()() {
    if (pos_ >= kN) {
      twist_all_();
      pos_ = 0;
    }
    if (twisted_ <= pos_) twist_to_(pos_ + 1);
    uint64_t z = x_[pos_++];
    z ^= (z >> 29) & 0x5555555555555555ULL;
    z ^= (z << 17) & 0x71d67fffeda60000ULL;
    z ^= (z << 37) & 0xfff7eee000000000ULL;
    z ^= z >> 43;
    return z;
  }

 private:
  static constexpr int kN = 312, kM = 156;
  static constexpr uint64_t kUpper = ~uint64_t(0) << 31, kLower = ~kUpper, kA = 0xb5026f5aa96619e9ULL;
  void init_to_(int n) {
    for (int i = inited_; i < n; ++i) x_[i] = 6364136223846793005ULL * (x_[i - 1] ^ (x_[i - 1] >> 62)) + uint64_t(i);
    if (n > inited_) inited_ = n;
  }
  uint64_t step_(int i) const {
    const uint64_t y = (x_[i] & kUpper) | (x_[i + 1 < kN ? i + 1 : 0] & kLower);
    return x_[(i + kM) % kN] ^ (y >> 1) ^ ((y & 1) ? kA : 0);
  }
  // First block: twist entries [twisted_, n) in order, seeding what they read first.
  void twist_to_(int n) {
    for (int i = twisted_; i < n; ++i) {
      init_to_(i < kN - kM ? i + kM + 1 : std::min(i + 2, kN));
      x_[i] = step_(i);
    }
    twisted_ = n;
  }
  void twist_all_() {
    for (int i = 0; i < kN; ++i) x_[i] = step_(i);
  }
  uint64_t x_[kN];
  int inited_ = 0;
  int twisted_ = 0;
  int pos_ = 0;
};

// A small, fast RNG stream: std::mt19937_64 seeded by splitmix64 (see LazyMt19937_64).
class SearchRng {
 public:
  SearchRng(uint64_t seed, uint64_t generation, uint64_t index);
  uint64_t next() { return engine_(); }
  uint64_t below(uint64_t n) { return n <= 1 ? 0 : engine_() % n; }
  double unit() { return double(engine_() >> 11) * (1.0 / 9007199254740992.0); }
  template <class T>
  void shuffle(std::vector<T>& v) {
    shuffle(v.data(), v.size());
  }
  template <class T>
  void shuffle(T* v, size_t n) {
    for (size_t i = n; i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  LazyMt19937_64 engine_;
};

// Random legal-by-construction dataflows of a space, and the GA's variation operators. Uses the
// evaluator only to compute the bandwidth-balanced MIX ratio. Capacity is not checked here.
class DataflowSampler {
 public:
  DataflowSampler(AnalyticEvaluator* evaluator, DataflowSpace space, int ratio_steps = 16);

  Dataflow random(SearchRng& rng);
  // Mutations: each keeps the levels above the one it resamples.
  Dataflow resample_gcmap(const Dataflow& df, SearchRng& rng);  // keep the MAG partition
  Dataflow resample_tiers(const Dataflow& df, SearchRng& rng);  // keep MAGs and GCMap
  Dataflow resample_ocmap(const Dataflow& df, SearchRng& rng);  // keep MAGs, GCMap and tiers
  // A prefix of `front`'s MAGs (cut at random), the longest suffix of `back`'s MAGs disjoint
  // from it, the rest re-partitioned at random between them. Inherited MAGs keep their mapping
  // when `keep_mappings`, otherwise they are resampled (parents on another design).
  Dataflow crossover(const Dataflow& front, const Dataflow& back, SearchRng& rng, bool keep_front_mappings = true,
                     bool keep_back_mappings = true);

  // The MIX ratios the space allows for an operator on `nmp_channels` NMP channels plus the pool:
  // i / ratio_steps (0 < i < ratio_steps) and the ratio balancing its two parts.
  std::vector<double> ratio_candidates(int op, int nmp_channels);

  // Building blocks (also used by the exhaustive search).
  std::vector<uint64_t> random_mag_partition(uint64_t ops, SearchRng& rng) const;
  // Maps one MAG's operator set; may return several MAGs if its MPGs outnumber the channel units.
  std::vector<Mag> map_mag(uint64_t ops, SearchRng& rng);
  Mpg map_mpg(uint64_t ops, uint32_t nmp_mask, bool pool, SearchRng& rng);
  Tier map_tier(const std::vector<int>& ops, uint32_t nmp_mask, bool pool, SearchRng& rng);

  DataflowSpace space() const { return space_; }
  AnalyticEvaluator& evaluator() { return *ev_; }

 private:
  // The building blocks on fixed-size arrays (graphs hold at most 64 operators, designs at most
  // 32 channels), appending to or filling the caller's containers: the same draws, fewer
  // allocations.
  int mag_partition_(uint64_t ops, SearchRng& rng, uint64_t* mags) const;
  int components_(uint64_t ops, uint64_t* comps) const;
  void gcmap_nmp_(int mpgs, uint32_t* masks, bool* pools, SearchRng& rng) const;
  void map_mag_(uint64_t ops, SearchRng& rng, std::vector<Mag>& out);
  void map_mpg_(uint64_t ops, uint32_t nmp_mask, bool pool, SearchRng& rng, Mpg& mpg);
  void map_tier_(const int* ops, int n, uint32_t nmp_mask, bool pool, SearchRng& rng, Tier& tier);
  double pick_ratio(int op, int nmp_channels, SearchRng& rng);
  double balanced_ratio_(int op, int nmp_channels);  // the evaluator's balanced_nmp_ratio, cached

  AnalyticEvaluator* ev_;
  const ModelConfig* model_;
  const HardwareConfig* hw_;
  DataflowSpace space_;
  int ratio_steps_;
  std::vector<uint64_t> pred_mask_;  // per operator: its predecessors
  std::vector<uint64_t> adj_mask_;   // per operator: its predecessors and successors
  std::vector<double> balanced_;     // [op * 33 + NMP channels]
  std::vector<char> balanced_known_;
};

// Ops of a dataflow (bitmask), for property checks: every operator exactly once.
bool covers_each_operator_once(const Dataflow& df, const ModelConfig& model);

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
  HardwareConfig hardware;     // the design of the best (== base unless search_hardware)
  double latency_per_layer_s = 0;
  int64_t evaluations = 0;
  int64_t generations_run = 0;
  bool interrupted = false;
  double wall_s = 0;
};

SearchResult genetic_search(const HardwareConfig& hw, const ModelConfig& model, const Scenario& scenario,
                            int64_t batch, const EvaluatorOptions& options, const SearchParams& params);

// Exhaustive search of the same space (small graphs only): every ordered MAG partition, and for
// each MAG every GCMap, tiering and OCMap (with the same MIX ratio candidates). Latency is a sum
// over MAGs, so each MAG is optimised independently. Throws InputError if the space exceeds
// `max_mappings_per_mag` mappings for one MAG, or if the optimum overfills a channel.
struct ExhaustiveResult {
  Dataflow best;
  double latency_per_layer_s = 0;
  int64_t mag_partitions = 0;
  int64_t mappings_evaluated = 0;
};
ExhaustiveResult exhaustive_search(const HardwareConfig& hw, const ModelConfig& model, const Scenario& scenario,
                                   int64_t batch, const EvaluatorOptions& options, DataflowSpace space, int ratio_steps,
                                   int64_t max_mappings_per_mag = 5'000'000);

}  // namespace h2sim

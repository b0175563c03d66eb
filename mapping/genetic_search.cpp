// Role: the genetic algorithm (see mapping/genetic_search.hpp): the hardware space, the bounds of
// the search parameters, and the generation loop over per-thread samplers and evaluators.
#include "mapping/genetic_search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>

#include "config/errors.hpp"

namespace h2sim {

std::vector<HardwareConfig> hardware_space(const HardwareConfig& base) {
  struct Pe {
    int fpus;
    double mhz, gbps;
  };
  // Reference §2: per-PE HB bandwidth trades against FPUs and clock.
  const Pe tuples[] = {{8, 400, 6.4},  {8, 600, 6.4},  {8, 800, 6.4},  {8, 1000, 6.4}, {8, 400, 12.8}, {8, 600, 12.8},
                       {8, 800, 12.8}, {4, 1000, 12.8}, {8, 400, 25.6}, {8, 600, 25.6}, {4, 800, 25.6}, {4, 1000, 25.6},
                       {8, 400, 51.2}, {4, 600, 51.2}, {4, 800, 51.2}, {2, 1000, 51.2}};
  std::vector<HardwareConfig> out;
  for (int nmp : {2, 4, 6, 8}) {
    if (nmp > base.channels) continue;
    for (const Pe& pe : tuples) {
      HardwareConfig h = base;
      h.nmp_channels = nmp;
      h.pe.fpus_per_pe = pe.fpus;
      h.pe.frequency_hz = pe.mhz * 1e6;
      h.pe.hb_bandwidth_bytes_per_s = pe.gbps * 1e9;
      if (h.pe.macs_per_fpu_per_cycle == 0) h.pe.macs_per_fpu_per_cycle = 16;
      h.name = fmt::format("{}-nmp{}-pe{}x{}mhz-{}gbps", base.name, nmp, pe.fpus, pe.mhz, pe.gbps);
      out.push_back(h);
    }
  }
  return out;
}

namespace {

struct Individual {
  Dataflow df;
  int hw = 0;
  double latency = std::numeric_limits<double>::infinity();
  int64_t generation = 0;
  int64_t index = 0;
};

bool better(const Individual& a, const Individual& b) {
  if (a.latency != b.latency) return a.latency < b.latency;
  if (a.generation != b.generation) return a.generation < b.generation;
  return a.index < b.index;
}

// Per-thread state: an evaluator and a sampler per hardware variant, built on first use.
struct Worker {
  const std::vector<HardwareConfig>* variants;
  const ModelConfig* model;
  const Scenario* scenario;
  int64_t batch;
  EvaluatorOptions options;
  DataflowSpace space;
  int ratio_steps;
  std::vector<std::unique_ptr<AnalyticEvaluator>> evaluators;
  std::vector<std::unique_ptr<DataflowSampler>> samplers;
  int64_t evaluations = 0;

  DataflowSampler& sampler(int hw) {
    if (evaluators.empty()) {
      evaluators.resize(variants->size());
      samplers.resize(variants->size());
    }
    if (!samplers[hw]) {
      evaluators[hw] = std::make_unique<AnalyticEvaluator>((*variants)[hw], *model, *scenario, batch, options);
      samplers[hw] = std::make_unique<DataflowSampler>(evaluators[hw].get(), space, ratio_steps);
    }
    return *samplers[hw];
  }
};

}  // namespace

void check_search_params(const SearchParams& p) {
  using L = SearchLimits;
  auto in_range = [](const char* flag, int64_t v, int64_t lo, int64_t hi, const std::string& why) {
    if (v < lo || v > hi) throw InputError(fmt::format("{} {} is out of range (valid: {}..{}; {})", flag, v, lo, hi, why));
  };
  in_range("--population", p.population, L::kMinPopulation, L::kMaxPopulation, "~1.1 KiB per individual");
  in_range("--generations", p.generations, 1, L::kMaxGenerations, "at ~10^5 evaluations/s per thread");
  if (p.population * p.generations > L::kMaxEvaluations) {
    throw InputError(fmt::format("--population {} x --generations {} = {} evaluations is more than the {} a search may "
                                 "take (3-4 hours on one thread at ~10^5 evaluations/s); lower one of them",
                                 p.population, p.generations, p.population * p.generations, L::kMaxEvaluations));
  }
  in_range("--top-k", p.top_k, L::kMinTopK, std::min(L::kMaxTopK, p.population),
           fmt::format("at most --population {} and at most {}", p.population, L::kMaxTopK));
  in_range("--threads", p.threads, 1, L::kMaxThreads, "the result is the same for any thread count");
  if (!(p.mutation_ratio >= 0 && p.mutation_ratio <= 1)) {
    throw InputError(fmt::format("--mutation-ratio {} is out of range (valid: [0, 1])", p.mutation_ratio));
  }
}

void check_search_budget(const SearchParams& p, int64_t decode_steps, size_t variants, const std::string& scenario) {
  using L = SearchLimits;
  const double steps = double(std::max<int64_t>(decode_steps, 1));
  const double work = double(p.population) * double(p.generations) * steps;
  if (work > L::kMaxStepEvaluations) {
    throw InputError(fmt::format(
        "--population {} x --generations {} x {} decode steps of scenario '{}' = {:.3g} step evaluations, more than the "
        "{:.0e} a search may take (~1 hour on one thread); lower --population or --generations, or shorten the scenario",
        p.population, p.generations, decode_steps, scenario, work, L::kMaxStepEvaluations));
  }
  const double evaluators = double(std::min<int64_t>(p.threads, p.population)) * double(variants);
  const double bytes = evaluators * steps * L::kBytesPerStep;
  if (bytes > L::kMaxEvaluatorBytes) {
    throw InputError(fmt::format(
        "{} evaluators ({} thread(s) x {} hardware variant(s)) over {} decode steps of scenario '{}' need ~{:.1f} GiB, "
        "more than the {:.0f} GiB a search may take; use fewer --threads, the dataflow space, or a shorter scenario",
        evaluators, std::min<int64_t>(p.threads, p.population), variants, decode_steps, scenario,
        bytes / double(1ull << 30), L::kMaxEvaluatorBytes / double(1ull << 30)));
  }
}

SearchResult genetic_search(const HardwareConfig& hw, const ModelConfig& model, const Scenario& scenario,
                            int64_t batch, const EvaluatorOptions& options, const SearchParams& params) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  check_search_params(params);
  std::vector<HardwareConfig> variants = params.search_hardware ? hardware_space(hw) : std::vector<HardwareConfig>{hw};
  if (variants.empty()) {
    throw InputError(fmt::format("--space hardware: design '{}' has {} channel(s), but the hardware space puts NMP dies "
                                 "on 2, 4, 6 or 8 of them; use a design with at least 2 channels or --space dataflow",
                                 hw.name, hw.channels));
  }
  check_search_budget(params, options.artifact_compat ? 1 : scenario.decode_tokens, variants.size(), scenario.name);
  const CapacityContext cap{batch, scenario.max_context_tokens};

  std::vector<Worker> workers(params.threads);
  for (Worker& w : workers) {
    w = Worker{&variants, &model, &scenario, batch, options, params.space, params.ratio_steps, {}, {}, 0};
  }
  std::vector<Individual> top;
  SearchResult result;

  auto make = [&](Worker& w, int64_t gen, int64_t idx) {
    SearchRng rng(params.seed, uint64_t(gen), uint64_t(idx));
    const Individual* parent = nullptr;
    for (int attempt = 0; attempt <= params.max_redraws; ++attempt) {
      Individual ind;
      ind.generation = gen;
      ind.index = idx;
      if (gen == 0 || top.size() < 2 || rng.unit() < params.mutation_ratio) {
        int kind = 1;
        if (gen == 0 || top.empty()) {
          ind.hw = int(rng.below(variants.size()));
        } else {
          parent = &top[rng.below(top.size())];
          kind = int(rng.below(5));
          ind.hw = parent->hw;
          if (kind == 0 && params.search_hardware) ind.hw = int(rng.below(variants.size()));
        }
        DataflowSampler& s = w.sampler(ind.hw);
        switch (kind) {
          case 0:
          case 1: ind.df = s.random(rng); break;
          case 2: ind.df = s.resample_gcmap(parent->df, rng); break;
          case 3: ind.df = s.resample_tiers(parent->df, rng); break;
          default: ind.df = s.resample_ocmap(parent->df, rng); break;
        }
      } else {
        size_t a = rng.below(top.size()), b = rng.below(top.size() - 1);
        if (b >= a) ++b;
        const Individual& f = top[a];
        const Individual& m = top[b];
        parent = &f;
        ind.hw = rng.below(2) ? f.hw : m.hw;
        ind.df = w.sampler(ind.hw).crossover(f.df, m.df, rng, f.hw == ind.hw, m.hw == ind.hw);
      }
      if (!dataflow_fits_capacity(ind.df, model, variants[ind.hw], cap)) continue;
      ind.latency = w.sampler(ind.hw).evaluator().latency_per_layer_s(ind.df);
      ++w.evaluations;
      return ind;
    }
    Individual keep = parent ? *parent : Individual{};
    keep.generation = gen;
    keep.index = idx;
    return keep;  // no legal offspring: the parent survives (or an infeasible placeholder)
  };

  int64_t gen = 0;
  for (; gen < params.generations; ++gen) {
    if (gen > 0 && params.stop && params.stop->load()) {
      result.interrupted = true;
      break;
    }
    std::vector<Individual> children(params.population);
    std::vector<std::thread> threads;
    std::exception_ptr error;
    std::mutex error_mutex;
    for (int t = 0; t < params.threads; ++t) {
      threads.emplace_back([&, t] {
        try {
          for (int64_t i = t; i < params.population; i += params.threads) children[i] = make(workers[t], gen, i);
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mutex);
          if (!error) error = std::current_exception();
        }
      });
    }
    for (auto& th : threads) th.join();
    if (error) std::rethrow_exception(error);
    // Elitist top-k of the previous top-k and the children, without exact duplicates.
    std::vector<Individual> pool = std::move(top);
    for (auto& c : children) pool.push_back(std::move(c));
    std::sort(pool.begin(), pool.end(), better);
    top.clear();
    for (auto& ind : pool) {
      if (int64_t(top.size()) >= params.top_k) break;
      if (!std::isfinite(ind.latency)) continue;
      bool dup = false;
      for (const auto& t : top) dup |= t.latency == ind.latency && t.hw == ind.hw && t.df == ind.df;
      if (!dup) top.push_back(std::move(ind));
    }
    if (top.empty()) {
      const std::string total = model_capacity_violation(model, hw, {batch, scenario.max_context_tokens});
      throw InputError(total.empty() ? fmt::format("no dataflow of the search space fits in memory for model '{}' at batch "
                                                   "{} on design '{}' (every sample overfilled a channel)",
                                                   model.name, batch, hw.name)
                                     : total);
    }
    if (params.progress) {
      GenerationReport r;
      r.generation = gen;
      r.generations = params.generations;
      r.best_latency_per_layer_s = top.front().latency;
      for (const Worker& w : workers) r.evaluations += w.evaluations;
      double wall = std::chrono::duration<double>(clock::now() - start).count();
      r.evaluations_per_s = wall > 0 ? double(r.evaluations) / wall : 0;
      params.progress(r);
    }
  }
  result.generations_run = gen;
  result.best = top.front().df;
  result.best.name = params.space == DataflowSpace::h2llm ? "h2llm" : "cc-nmp";
  for (const auto& t : top) {
    if (t.hw != top.front().hw) continue;  // hardware search: runners-up of the chosen design only
    bool dup = false;
    for (const Dataflow& d : result.leaders) dup |= d == t.df;
    if (dup) continue;
    result.leaders.push_back(t.df);
    result.leaders.back().name = result.best.name;
    result.leader_latencies_per_layer_s.push_back(t.latency);
  }
  result.hardware = variants[top.front().hw];
  result.latency_per_layer_s = top.front().latency;
  for (const Worker& w : workers) result.evaluations += w.evaluations;
  result.wall_s = std::chrono::duration<double>(clock::now() - start).count();
  return result;
}

}  // namespace h2sim

#include "mapping/search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "config/errors.hpp"

namespace h2sim {

DataflowSpace parse_dataflow_space(const std::string& name) {
  if (name == "h2llm") return DataflowSpace::h2llm;
  if (name == "cc-nmp") return DataflowSpace::cc_nmp;
  throw InputError(fmt::format("unknown dataflow space '{}' (valid: h2llm, cc-nmp)", name));
}

namespace {
uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
constexpr int kPool = -1;  // the normal pool as a channel unit
}  // namespace

SearchRng::SearchRng(uint64_t seed, uint64_t generation, uint64_t index)
    : engine_(splitmix64(splitmix64(splitmix64(seed) ^ generation) ^ index)) {}

DataflowSampler::DataflowSampler(AnalyticEvaluator* ev, DataflowSpace space, int ratio_steps)
    : ev_(ev), model_(&ev->model()), hw_(&ev->hardware()), space_(space), ratio_steps_(std::max(2, ratio_steps)) {}

std::vector<double> DataflowSampler::ratio_candidates(int op, int nmp_channels) {
  std::vector<double> out;
  for (int i = 1; i < ratio_steps_; ++i) out.push_back(double(i) / ratio_steps_);
  double b = ev_->balanced_nmp_ratio(op, nmp_channels);
  if (b > 0 && b < 1 && std::find(out.begin(), out.end(), b) == out.end()) out.push_back(b);
  return out;
}

double DataflowSampler::pick_ratio(int op, int nmp_channels, SearchRng& rng) {
  // Mostly the balanced split (as the artifact favours its bandwidth ratio), else any step.
  if (rng.unit() < 0.7) {
    double b = ev_->balanced_nmp_ratio(op, nmp_channels);
    if (b > 0 && b < 1) return b;
  }
  return double(1 + rng.below(ratio_steps_ - 1)) / ratio_steps_;
}

std::vector<uint64_t> DataflowSampler::random_mag_partition(uint64_t ops, SearchRng& rng) const {
  const OperatorGraph& g = model_->graph;
  std::vector<uint64_t> mags;
  uint64_t left = ops;
  while (left) {
    const int count = popcount64(left);
    const int size = 1 + int(rng.below(count));
    if (size == count) {
      mags.push_back(left);
      break;
    }
    uint64_t mag = 0;
    for (int i = 0; i < size; ++i) {
      std::vector<int> ready;
      for (uint64_t m = left; m; m &= m - 1) {
        int op = __builtin_ctzll(m);
        bool ok = true;
        for (int p : g.predecessors(op)) ok &= !(left & (1ULL << p));
        if (ok) ready.push_back(op);
      }
      int pick = ready[rng.below(ready.size())];
      mag |= 1ULL << pick;
      left &= ~(1ULL << pick);
    }
    mags.push_back(mag);
  }
  return mags;
}

std::vector<uint32_t> DataflowSampler::gcmap_nmp_(int mpgs, std::vector<bool>* pools, SearchRng& rng) const {
  const int nmp = int(hw_->nmp_channels);
  const bool has_pool = hw_->normal_channels() > 0;
  std::vector<uint32_t> masks(mpgs, 0);
  pools->assign(mpgs, false);
  std::vector<int> channels;
  for (int c = 0; c < nmp; ++c) channels.push_back(c);
  auto split_nonempty = [&](std::vector<int> units, const std::vector<int>& targets) {
    // Shuffle the units and cut them into |targets| non-empty contiguous groups.
    rng.shuffle(units);
    std::vector<int> cuts;
    for (int i = 1; i < int(units.size()); ++i) cuts.push_back(i);
    rng.shuffle(cuts);
    cuts.resize(targets.size() - 1);
    std::sort(cuts.begin(), cuts.end());
    cuts.push_back(int(units.size()));
    size_t group = 0;
    for (int i = 0; i < int(units.size()); ++i) {
      while (i >= cuts[group]) ++group;
      const int t = targets[group];
      if (units[i] == kPool) {
        (*pools)[t] = true;
      } else {
        masks[t] |= 1u << units[i];
      }
    }
  };
  std::vector<int> all_targets(mpgs);
  for (int i = 0; i < mpgs; ++i) all_targets[i] = i;
  if (space_ == DataflowSpace::h2llm) {
    std::vector<int> units = channels;
    if (has_pool) units.push_back(kPool);
    split_nonempty(units, all_targets);
    return masks;
  }
  // Compute-centric: an MPG holds either NMP channels or the pool, never both.
  if (mpgs == 1) {
    if (has_pool && (nmp == 0 || rng.below(2))) {
      (*pools)[0] = true;
    } else {
      std::vector<int> c = channels;
      rng.shuffle(c);
      c.resize(1 + rng.below(c.size()));
      for (int x : c) masks[0] |= 1u << x;
    }
    return masks;
  }
  if (has_pool) {
    int owner = int(rng.below(mpgs));
    (*pools)[owner] = true;
    std::vector<int> others;
    for (int i = 0; i < mpgs; ++i) {
      if (i != owner) others.push_back(i);
    }
    split_nonempty(channels, others);
  } else {
    split_nonempty(channels, all_targets);
  }
  return masks;
}

Tier DataflowSampler::map_tier(const std::vector<int>& ops, uint32_t nmp_mask, bool pool, SearchRng& rng) {
  const int n = int(ops.size());
  Tier tier;
  std::vector<uint32_t> nmp(n, 0);
  std::vector<bool> on_pool(n, false);
  std::vector<int> channels = mask_to_channels(nmp_mask);
  const bool cc = space_ == DataflowSpace::cc_nmp;
  if (pool && (!cc || channels.empty())) {
    if (!cc) {
      for (int c : channels) nmp[rng.below(n)] |= 1u << c;  // any assignment; empties allowed
    }
    bool any = false;
    for (int i = 0; i < n; ++i) {
      on_pool[i] = nmp[i] == 0 || cc || rng.below(2);
      any |= on_pool[i];
    }
    if (!any) on_pool[n - 1] = true;
  } else {
    // NMP channels only: a non-empty contiguous split of the shuffled channels.
    rng.shuffle(channels);
    std::vector<int> cuts;
    for (int i = 1; i < int(channels.size()); ++i) cuts.push_back(i);
    rng.shuffle(cuts);
    cuts.resize(n - 1);
    std::sort(cuts.begin(), cuts.end());
    cuts.push_back(int(channels.size()));
    size_t group = 0;
    for (int i = 0; i < int(channels.size()); ++i) {
      while (i >= cuts[group]) ++group;
      nmp[group] |= 1u << channels[i];
    }
  }
  for (int i = 0; i < n; ++i) {
    OperatorBinding b;
    b.op = ops[i];
    b.nmp_mask = nmp[i];
    b.normal_pool = on_pool[i];
    b.nmp_ratio = b.exec() == ExecKind::nmp ? 1.0 : 0.0;
    if (b.exec() == ExecKind::mix) b.nmp_ratio = pick_ratio(b.op, popcount(b.nmp_mask), rng);
    tier.ops.push_back(b);
  }
  return tier;
}

Mpg DataflowSampler::map_mpg(uint64_t ops, uint32_t nmp_mask, bool pool, SearchRng& rng) {
  const OperatorGraph& g = model_->graph;
  Mpg mpg;
  mpg.nmp_mask = nmp_mask;
  mpg.normal_pool = pool;
  // Without the pool every operator of a tier needs at least one NMP channel of its own.
  const int cap = pool ? 64 : popcount(nmp_mask);
  std::vector<int> indeg(g.size(), 0);
  std::vector<int> ready;
  for (uint64_t m = ops; m; m &= m - 1) {
    int op = __builtin_ctzll(m);
    for (int p : g.predecessors(op)) indeg[op] += (ops >> p) & 1;
  }
  for (uint64_t m = ops; m; m &= m - 1) {
    int op = __builtin_ctzll(m);
    if (indeg[op] == 0) ready.push_back(op);
  }
  while (!ready.empty()) {
    rng.shuffle(ready);
    int size = std::min<int>(cap, 1 + int(rng.below(ready.size())));
    std::vector<int> tier(ready.begin(), ready.begin() + size);
    ready.erase(ready.begin(), ready.begin() + size);
    std::sort(tier.begin(), tier.end());
    for (int op : tier) {
      for (int s : g.successors(op)) {
        if ((ops >> s) & 1 && --indeg[s] == 0) ready.push_back(s);
      }
    }
    mpg.tiers.push_back(map_tier(tier, nmp_mask, pool, rng));
  }
  return mpg;
}

std::vector<Mag> DataflowSampler::map_mag(uint64_t ops, SearchRng& rng) {
  std::vector<uint64_t> comps = model_->graph.weak_components(ops);
  const int units = int(hw_->nmp_channels) + (hw_->normal_channels() > 0 ? 1 : 0);
  std::vector<std::vector<uint64_t>> groups;
  if (int(comps.size()) <= units && rng.below(2)) {
    groups.push_back(comps);
  } else {
    // More MPGs than channel units (or by chance): run them as several consecutive MAGs.
    size_t i = 0;
    while (i < comps.size()) {
      size_t take = std::min(comps.size() - i, size_t(1 + rng.below(units)));
      groups.emplace_back(comps.begin() + i, comps.begin() + i + take);
      i += take;
    }
  }
  std::vector<Mag> out;
  for (const auto& group : groups) {
    std::vector<bool> pools;
    std::vector<uint32_t> masks = gcmap_nmp_(int(group.size()), &pools, rng);
    Mag mag;
    for (size_t p = 0; p < group.size(); ++p) mag.mpgs.push_back(map_mpg(group[p], masks[p], pools[p], rng));
    out.push_back(std::move(mag));
  }
  return out;
}

namespace {
uint64_t mag_ops(const Mag& mag) {
  uint64_t m = 0;
  for (const Mpg& mpg : mag.mpgs) {
    for (const Tier& t : mpg.tiers) {
      for (const OperatorBinding& b : t.ops) m |= 1ULL << b.op;
    }
  }
  return m;
}
uint64_t mpg_ops(const Mpg& mpg) {
  uint64_t m = 0;
  for (const Tier& t : mpg.tiers) {
    for (const OperatorBinding& b : t.ops) m |= 1ULL << b.op;
  }
  return m;
}
}  // namespace

Dataflow DataflowSampler::random(SearchRng& rng) {
  Dataflow df;
  df.name = space_ == DataflowSpace::h2llm ? "h2llm" : "cc-nmp";
  for (uint64_t mag : random_mag_partition(model_->graph.all_mask(), rng)) {
    for (Mag& m : map_mag(mag, rng)) df.mags.push_back(std::move(m));
  }
  return df;
}

Dataflow DataflowSampler::resample_gcmap(const Dataflow& df, SearchRng& rng) {
  Dataflow out;
  out.name = df.name;
  for (const Mag& mag : df.mags) {
    for (Mag& m : map_mag(mag_ops(mag), rng)) out.mags.push_back(std::move(m));
  }
  return out;
}

Dataflow DataflowSampler::resample_tiers(const Dataflow& df, SearchRng& rng) {
  Dataflow out = df;
  for (Mag& mag : out.mags) {
    for (Mpg& mpg : mag.mpgs) mpg = map_mpg(mpg_ops(mpg), mpg.nmp_mask, mpg.normal_pool, rng);
  }
  return out;
}

Dataflow DataflowSampler::resample_ocmap(const Dataflow& df, SearchRng& rng) {
  Dataflow out = df;
  for (Mag& mag : out.mags) {
    for (Mpg& mpg : mag.mpgs) {
      for (Tier& tier : mpg.tiers) {
        std::vector<int> ops;
        for (const OperatorBinding& b : tier.ops) ops.push_back(b.op);
        tier = map_tier(ops, mpg.nmp_mask, mpg.normal_pool, rng);
      }
    }
  }
  return out;
}

Dataflow DataflowSampler::crossover(const Dataflow& front, const Dataflow& back, SearchRng& rng, bool keep_front,
                                    bool keep_back) {
  Dataflow out;
  out.name = front.name;
  const size_t cut = rng.below(front.mags.size() + 1);
  uint64_t taken = 0;
  for (size_t i = 0; i < cut; ++i) {
    if (keep_front) {
      out.mags.push_back(front.mags[i]);
    } else {
      for (Mag& m : map_mag(mag_ops(front.mags[i]), rng)) out.mags.push_back(std::move(m));
    }
    taken |= mag_ops(front.mags[i]);
  }
  // The longest suffix of `back` disjoint from the prefix.
  size_t first_back = back.mags.size();
  while (first_back > 0 && !(mag_ops(back.mags[first_back - 1]) & taken)) --first_back;
  uint64_t back_ops = 0;
  for (size_t i = first_back; i < back.mags.size(); ++i) back_ops |= mag_ops(back.mags[i]);
  const uint64_t middle = model_->graph.all_mask() & ~taken & ~back_ops;
  for (uint64_t mag : random_mag_partition(middle, rng)) {
    for (Mag& m : map_mag(mag, rng)) out.mags.push_back(std::move(m));
  }
  for (size_t i = first_back; i < back.mags.size(); ++i) {
    if (keep_back) {
      out.mags.push_back(back.mags[i]);
    } else {
      for (Mag& m : map_mag(mag_ops(back.mags[i]), rng)) out.mags.push_back(std::move(m));
    }
  }
  return out;
}

bool covers_each_operator_once(const Dataflow& df, const ModelConfig& model) {
  std::vector<int> seen(model.graph.size(), 0);
  for (const Mag& mag : df.mags) {
    for (const Mpg& mpg : mag.mpgs) {
      for (const Tier& t : mpg.tiers) {
        for (const OperatorBinding& b : t.ops) {
          if (b.op < 0 || b.op >= model.graph.size()) return false;
          seen[b.op]++;
        }
      }
    }
  }
  return std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; });
}

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

SearchResult genetic_search(const HardwareConfig& hw, const ModelConfig& model, const Scenario& scenario,
                            int64_t batch, const EvaluatorOptions& options, const SearchParams& params) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  if (params.population < 2) throw InputError(fmt::format("--population must be at least 2, found {}", params.population));
  if (params.generations < 1) throw InputError(fmt::format("--generations must be at least 1, found {}", params.generations));
  if (params.top_k < 2) throw InputError(fmt::format("--top-k must be at least 2, found {}", params.top_k));
  if (params.threads < 1) throw InputError(fmt::format("--threads must be at least 1, found {}", params.threads));
  std::vector<HardwareConfig> variants = params.search_hardware ? hardware_space(hw) : std::vector<HardwareConfig>{hw};
  if (variants.empty()) throw InputError("the hardware space is empty");
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
      if (!dataflow_capacity_violation(ind.df, model, variants[ind.hw], cap).empty()) continue;
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
      throw InputError(fmt::format("no dataflow of the search space fits in memory for model '{}' at batch {} on design '{}' "
                                   "(every sample overfilled a channel)",
                                   model.name, batch, hw.name));
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
  result.hardware = variants[top.front().hw];
  result.latency_per_layer_s = top.front().latency;
  for (const Worker& w : workers) result.evaluations += w.evaluations;
  result.wall_s = std::chrono::duration<double>(clock::now() - start).count();
  return result;
}

// ---------------------------------------------------------------------------------------------
// Exhaustive search.

namespace {

struct Enumerator {
  DataflowSampler* sampler;
  const ModelConfig* model;
  const HardwareConfig* hw;
  DataflowSpace space;
  int64_t limit;
  int64_t count = 0;

  void check_limit() {
    if (++count > limit) {
      throw InputError(fmt::format("exhaustive search: more than {} mappings for one MAG; the graph is too large "
                                   "for the exhaustive mode",
                                   limit));
    }
  }

  // All OCMaps of one tier.
  std::vector<Tier> tiers_of(const std::vector<int>& ops, uint32_t nmp_mask, bool pool) {
    std::vector<Tier> out;
    const int n = int(ops.size());
    const std::vector<int> channels = mask_to_channels(nmp_mask);
    const bool cc = space == DataflowSpace::cc_nmp;
    std::vector<std::vector<uint32_t>> assignments;  // per op NMP masks
    if (cc && pool) {
      assignments.push_back(std::vector<uint32_t>(n, 0));
    } else {
      int64_t total = 1;
      for (size_t i = 0; i < channels.size(); ++i) total *= n;
      for (int64_t code = 0; code < total; ++code) {
        std::vector<uint32_t> a(n, 0);
        int64_t c = code;
        for (int ch : channels) {
          a[c % n] |= 1u << ch;
          c /= n;
        }
        bool ok = true;
        if (!pool) {
          for (uint32_t m : a) ok &= m != 0;
        }
        if (ok) assignments.push_back(a);
      }
    }
    for (const auto& a : assignments) {
      for (uint32_t pools = 0; pools < (1u << n); ++pools) {
        if (!pool && pools) break;
        bool ok = true, any = false;
        for (int i = 0; i < n; ++i) {
          bool p = (pools >> i) & 1;
          if (a[i] == 0 && !p) ok = false;
          if (cc && p && a[i] != 0) ok = false;
          any |= p;
        }
        if (pool && !any) ok = false;
        if (!ok) continue;
        // Ratios of the MIX operators.
        std::vector<OperatorBinding> base(n);
        std::vector<std::vector<double>> choices(n);
        for (int i = 0; i < n; ++i) {
          base[i] = OperatorBinding{ops[i], a[i], bool((pools >> i) & 1), 1.0, false};
          if (base[i].exec() == ExecKind::npu) base[i].nmp_ratio = 0;
          choices[i] = base[i].exec() == ExecKind::mix ? sampler->ratio_candidates(ops[i], popcount(a[i]))
                                                       : std::vector<double>{base[i].nmp_ratio};
        }
        std::vector<size_t> pick(n, 0);
        while (true) {
          Tier t;
          for (int i = 0; i < n; ++i) {
            OperatorBinding b = base[i];
            b.nmp_ratio = choices[i][pick[i]];
            t.ops.push_back(b);
          }
          out.push_back(t);
          int i = 0;
          while (i < n && ++pick[i] == choices[i].size()) pick[i++] = 0;
          if (i == n) break;
        }
      }
    }
    return out;
  }

  // All tierings x OCMaps of one MPG.
  void mpgs_of(uint64_t ops, uint64_t placed, uint32_t nmp_mask, bool pool, Mpg& cur, std::vector<Mpg>& out) {
    if (placed == ops) {
      check_limit();
      out.push_back(cur);
      return;
    }
    const OperatorGraph& g = model->graph;
    uint64_t ready = 0;
    for (uint64_t m = ops & ~placed; m; m &= m - 1) {
      int op = __builtin_ctzll(m);
      bool ok = true;
      for (int p : g.predecessors(op)) ok &= !((ops >> p) & 1) || ((placed >> p) & 1);
      if (ok) ready |= 1ULL << op;
    }
    const int cap = pool ? 64 : popcount(nmp_mask);
    for (uint64_t sub = ready; sub; sub = (sub - 1) & ready) {
      if (popcount64(sub) > cap) continue;
      std::vector<int> tier_ops;
      for (uint64_t m = sub; m; m &= m - 1) tier_ops.push_back(__builtin_ctzll(m));
      for (Tier& t : tiers_of(tier_ops, nmp_mask, pool)) {
        cur.tiers.push_back(std::move(t));
        mpgs_of(ops, placed | sub, nmp_mask, pool, cur, out);
        cur.tiers.pop_back();
      }
    }
  }

  // All GCMaps of a MAG with `p` MPGs: per MPG (NMP mask, pool).
  std::vector<std::vector<std::pair<uint32_t, bool>>> gcmaps(int p) {
    std::vector<std::vector<std::pair<uint32_t, bool>>> out;
    const int nmp = int(hw->nmp_channels);
    const bool has_pool = hw->normal_channels() > 0;
    const int units = nmp + (has_pool ? 1 : 0);
    if (space == DataflowSpace::h2llm) {
      int64_t total = 1;
      for (int i = 0; i < units; ++i) total *= p;
      for (int64_t code = 0; code < total; ++code) {
        std::vector<std::pair<uint32_t, bool>> a(p, {0u, false});
        int64_t c = code;
        for (int u = 0; u < units; ++u) {
          if (u < nmp) {
            a[c % p].first |= 1u << u;
          } else {
            a[c % p].second = true;
          }
          c /= p;
        }
        if (std::all_of(a.begin(), a.end(), [](auto& x) { return x.first || x.second; })) out.push_back(a);
      }
      return out;
    }
    if (p == 1) {
      if (has_pool) out.push_back({{0u, true}});
      for (uint32_t m = 1; m < (1u << nmp); ++m) out.push_back({{m, false}});
      return out;
    }
    auto split = [&](const std::vector<int>& targets, int pool_owner) {
      const int k = int(targets.size());
      int64_t total = 1;
      for (int i = 0; i < nmp; ++i) total *= k;
      for (int64_t code = 0; code < total; ++code) {
        std::vector<std::pair<uint32_t, bool>> a(p, {0u, false});
        if (pool_owner >= 0) a[pool_owner].second = true;
        int64_t c = code;
        for (int ch = 0; ch < nmp; ++ch) {
          a[targets[c % k]].first |= 1u << ch;
          c /= k;
        }
        if (std::all_of(a.begin(), a.end(), [](auto& x) { return x.first || x.second; })) out.push_back(a);
      }
    };
    if (has_pool) {
      for (int owner = 0; owner < p; ++owner) {
        std::vector<int> others;
        for (int i = 0; i < p; ++i) {
          if (i != owner) others.push_back(i);
        }
        split(others, owner);
      }
    } else {
      std::vector<int> all(p);
      for (int i = 0; i < p; ++i) all[i] = i;
      split(all, -1);
    }
    return out;
  }
};

}  // namespace

ExhaustiveResult exhaustive_search(const HardwareConfig& hw, const ModelConfig& model, const Scenario& scenario,
                                   int64_t batch, const EvaluatorOptions& options, DataflowSpace space, int ratio_steps,
                                   int64_t max_mappings_per_mag) {
  AnalyticEvaluator ev(hw, model, scenario, batch, options);
  DataflowSampler sampler(&ev, space, ratio_steps);
  Enumerator en{&sampler, &model, &hw, space, max_mappings_per_mag};
  const OperatorGraph& g = model.graph;
  const int units = int(hw.nmp_channels) + (hw.normal_channels() > 0 ? 1 : 0);
  ExhaustiveResult result;

  // Best mapping of each MAG operator set (latency is a sum over MAGs).
  std::map<uint64_t, std::pair<double, Mag>> best_mag;
  auto mag_best = [&](uint64_t ops) -> const std::pair<double, Mag>& {
    auto it = best_mag.find(ops);
    if (it != best_mag.end()) return it->second;
    std::pair<double, Mag> best{std::numeric_limits<double>::infinity(), Mag{}};
    std::vector<uint64_t> comps = g.weak_components(ops);
    if (int(comps.size()) <= units) {
      en.count = 0;
      for (const auto& gc : en.gcmaps(int(comps.size()))) {
        std::vector<std::vector<Mpg>> options_per_mpg;
        for (size_t p = 0; p < comps.size(); ++p) {
          std::vector<Mpg> opts;
          Mpg cur{gc[p].first, gc[p].second, {}};
          en.mpgs_of(comps[p], 0, gc[p].first, gc[p].second, cur, opts);
          options_per_mpg.push_back(std::move(opts));
        }
        if (std::any_of(options_per_mpg.begin(), options_per_mpg.end(), [](auto& o) { return o.empty(); })) continue;
        std::vector<size_t> pick(comps.size(), 0);
        while (true) {
          Dataflow one;
          Mag mag;
          for (size_t p = 0; p < comps.size(); ++p) mag.mpgs.push_back(options_per_mpg[p][pick[p]]);
          one.mags.push_back(mag);
          double lat = ev.latency_per_layer_s(one);
          ++result.mappings_evaluated;
          if (lat < best.first) best = {lat, mag};
          size_t i = 0;
          while (i < pick.size() && ++pick[i] == options_per_mpg[i].size()) pick[i++] = 0;
          if (i == pick.size()) break;
        }
      }
    }
    return best_mag.emplace(ops, best).first->second;
  };

  double best_total = std::numeric_limits<double>::infinity();
  std::vector<uint64_t> cur, best_parts;
  std::function<void(uint64_t, double)> rec = [&](uint64_t placed, double acc) {
    if (placed == g.all_mask()) {
      ++result.mag_partitions;
      if (acc < best_total) {
        best_total = acc;
        best_parts = cur;
      }
      return;
    }
    const uint64_t rem = g.all_mask() & ~placed;
    for (uint64_t sub = rem; sub; sub = (sub - 1) & rem) {
      bool ok = true;
      for (uint64_t m = sub; m && ok; m &= m - 1) {
        for (int p : g.predecessors(__builtin_ctzll(m))) ok &= bool(((placed | sub) >> p) & 1);
      }
      if (!ok) continue;
      const auto& mb = mag_best(sub);
      if (!std::isfinite(mb.first)) continue;
      cur.push_back(sub);
      rec(placed | sub, acc + mb.first);
      cur.pop_back();
    }
  };
  rec(0, 0.0);
  if (!std::isfinite(best_total)) throw InputError("exhaustive search: no legal dataflow");
  result.best.name = space == DataflowSpace::h2llm ? "h2llm" : "cc-nmp";
  for (uint64_t ops : best_parts) result.best.mags.push_back(best_mag.at(ops).second);
  std::string c = dataflow_capacity_violation(result.best, model, hw, {batch, scenario.max_context_tokens});
  if (!c.empty()) throw InputError("exhaustive search: the optimum overfills memory: " + c);
  result.latency_per_layer_s = ev.latency_per_layer_s(result.best);
  return result;
}

}  // namespace h2sim

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
    : ev_(ev), model_(&ev->model()), hw_(&ev->hardware()), space_(space), ratio_steps_(std::max(2, ratio_steps)) {
  const OperatorGraph& g = model_->graph;
  const int n = g.size();
  pred_mask_.assign(n, 0);
  adj_mask_.assign(n, 0);
  for (int op = 0; op < n; ++op) {
    for (int p : g.predecessors(op)) {
      pred_mask_[op] |= 1ULL << p;
      adj_mask_[op] |= 1ULL << p;
    }
    for (int q : g.successors(op)) adj_mask_[op] |= 1ULL << q;
  }
  balanced_.assign(size_t(n) * 33, 0.0);
  balanced_known_.assign(size_t(n) * 33, 0);
}

std::vector<double> DataflowSampler::ratio_candidates(int op, int nmp_channels) {
  std::vector<double> out;
  for (int i = 1; i < ratio_steps_; ++i) out.push_back(double(i) / ratio_steps_);
  double b = ev_->balanced_nmp_ratio(op, nmp_channels);
  if (b > 0 && b < 1 && std::find(out.begin(), out.end(), b) == out.end()) out.push_back(b);
  return out;
}

double DataflowSampler::balanced_ratio_(int op, int nmp_channels) {
  if (nmp_channels < 0 || nmp_channels > 32) return ev_->balanced_nmp_ratio(op, nmp_channels);
  const size_t slot = size_t(op) * 33 + size_t(nmp_channels);
  if (!balanced_known_[slot]) {
    balanced_[slot] = ev_->balanced_nmp_ratio(op, nmp_channels);
    balanced_known_[slot] = 1;
  }
  return balanced_[slot];
}

double DataflowSampler::pick_ratio(int op, int nmp_channels, SearchRng& rng) {
  // Mostly the balanced split (as the artifact favours its bandwidth ratio), else any step.
  if (rng.unit() < 0.7) {
    double b = balanced_ratio_(op, nmp_channels);
    if (b > 0 && b < 1) return b;
  }
  return double(1 + rng.below(ratio_steps_ - 1)) / ratio_steps_;
}

namespace {
// std::vector<int>::resize on a fixed array holding `n` values: grown with zeros.
inline int resize_ints(int* v, int n, int to) {
  for (int i = n; i < to; ++i) v[i] = 0;
  return to;
}
}  // namespace

int DataflowSampler::mag_partition_(uint64_t ops, SearchRng& rng, uint64_t* mags) const {
  int out = 0;
  uint64_t left = ops;
  while (left) {
    const int count = popcount64(left);
    const int size = 1 + int(rng.below(count));
    if (size == count) {
      mags[out++] = left;
      break;
    }
    uint64_t mag = 0;
    for (int i = 0; i < size; ++i) {
      int ready[64];
      int n_ready = 0;
      for (uint64_t m = left; m; m &= m - 1) {
        int op = __builtin_ctzll(m);
        if (!(pred_mask_[op] & left)) ready[n_ready++] = op;
      }
      int pick = ready[rng.below(uint64_t(n_ready))];
      mag |= 1ULL << pick;
      left &= ~(1ULL << pick);
    }
    mags[out++] = mag;
  }
  return out;
}

std::vector<uint64_t> DataflowSampler::random_mag_partition(uint64_t ops, SearchRng& rng) const {
  uint64_t mags[64];
  const int n = mag_partition_(ops, rng, mags);
  return std::vector<uint64_t>(mags, mags + n);
}

int DataflowSampler::components_(uint64_t ops, uint64_t* comps) const {
  // OperatorGraph::weak_components with the adjacency as bitmasks (same components, same order).
  int out = 0;
  uint64_t left = ops;
  while (left) {
    uint64_t comp = 1ULL << __builtin_ctzll(left), frontier = comp;
    while (frontier) {
      const int u = __builtin_ctzll(frontier);
      frontier &= frontier - 1;
      const uint64_t add = adj_mask_[u] & ops & ~comp;
      comp |= add;
      frontier |= add;
    }
    comps[out++] = comp;
    left &= ~comp;
  }
  return out;
}

void DataflowSampler::gcmap_nmp_(int mpgs, uint32_t* masks, bool* pools, SearchRng& rng) const {
  const int nmp = int(hw_->nmp_channels);
  const bool has_pool = hw_->normal_channels() > 0;
  for (int i = 0; i < mpgs; ++i) {
    masks[i] = 0;
    pools[i] = false;
  }
  int channels[33];
  for (int c = 0; c < nmp; ++c) channels[c] = c;
  auto split_nonempty = [&](const int* units_in, int n_units, const int* targets, int n_targets) {
    // Shuffle the units and cut them into |targets| non-empty contiguous groups.
    int units[34];
    std::copy(units_in, units_in + n_units, units);
    rng.shuffle(units, size_t(n_units));
    int cuts[66];
    int n_cuts = 0;
    for (int i = 1; i < n_units; ++i) cuts[n_cuts++] = i;
    rng.shuffle(cuts, size_t(n_cuts));
    n_cuts = resize_ints(cuts, n_cuts, n_targets - 1);
    std::sort(cuts, cuts + n_cuts);
    cuts[n_cuts++] = n_units;
    int group = 0;
    for (int i = 0; i < n_units; ++i) {
      while (i >= cuts[group]) ++group;
      const int t = targets[group];
      if (units[i] == kPool) {
        pools[t] = true;
      } else {
        masks[t] |= 1u << units[i];
      }
    }
  };
  int all_targets[34];
  for (int i = 0; i < mpgs; ++i) all_targets[i] = i;
  if (space_ == DataflowSpace::h2llm) {
    int units[34];
    int n_units = 0;
    for (int c = 0; c < nmp; ++c) units[n_units++] = channels[c];
    if (has_pool) units[n_units++] = kPool;
    split_nonempty(units, n_units, all_targets, mpgs);
    return;
  }
  // Compute-centric: an MPG holds either NMP channels or the pool, never both.
  if (mpgs == 1) {
    if (has_pool && (nmp == 0 || rng.below(2))) {
      pools[0] = true;
    } else {
      int c[34];
      std::copy(channels, channels + nmp, c);
      rng.shuffle(c, size_t(nmp));
      const int n_c = resize_ints(c, nmp, int(1 + rng.below(uint64_t(nmp))));
      for (int i = 0; i < n_c; ++i) masks[0] |= 1u << c[i];
    }
    return;
  }
  if (has_pool) {
    int owner = int(rng.below(mpgs));
    pools[owner] = true;
    int others[34];
    int n_others = 0;
    for (int i = 0; i < mpgs; ++i) {
      if (i != owner) others[n_others++] = i;
    }
    split_nonempty(channels, nmp, others, n_others);
  } else {
    split_nonempty(channels, nmp, all_targets, mpgs);
  }
}

void DataflowSampler::map_tier_(const int* ops, int n, uint32_t nmp_mask, bool pool, SearchRng& rng, Tier& tier) {
  uint32_t nmp[64];
  bool on_pool[64];
  for (int i = 0; i < n; ++i) {
    nmp[i] = 0;
    on_pool[i] = false;
  }
  int channels[32];
  int n_channels = 0;
  for (uint32_t m = nmp_mask; m; m &= m - 1) channels[n_channels++] = __builtin_ctz(m);
  const bool cc = space_ == DataflowSpace::cc_nmp;
  if (pool && (!cc || n_channels == 0)) {
    if (!cc) {
      for (int k = 0; k < n_channels; ++k) nmp[rng.below(uint64_t(n))] |= 1u << channels[k];  // empties allowed
    }
    bool any = false;
    for (int i = 0; i < n; ++i) {
      on_pool[i] = nmp[i] == 0 || cc || rng.below(2);
      any |= on_pool[i];
    }
    if (!any) on_pool[n - 1] = true;
  } else {
    // NMP channels only: a non-empty contiguous split of the shuffled channels.
    rng.shuffle(channels, size_t(n_channels));
    int cuts[66];
    int n_cuts = 0;
    for (int i = 1; i < n_channels; ++i) cuts[n_cuts++] = i;
    rng.shuffle(cuts, size_t(n_cuts));
    n_cuts = resize_ints(cuts, n_cuts, n - 1);
    std::sort(cuts, cuts + n_cuts);
    cuts[n_cuts++] = n_channels;
    int group = 0;
    for (int i = 0; i < n_channels; ++i) {
      while (i >= cuts[group]) ++group;
      nmp[group] |= 1u << channels[i];
    }
  }
  tier.ops.clear();
  tier.ops.reserve(size_t(n));
  for (int i = 0; i < n; ++i) {
    OperatorBinding b;
    b.op = ops[i];
    b.nmp_mask = nmp[i];
    b.normal_pool = on_pool[i];
    b.nmp_ratio = b.exec() == ExecKind::nmp ? 1.0 : 0.0;
    if (b.exec() == ExecKind::mix) b.nmp_ratio = pick_ratio(b.op, popcount(b.nmp_mask), rng);
    tier.ops.push_back(b);
  }
}

Tier DataflowSampler::map_tier(const std::vector<int>& ops, uint32_t nmp_mask, bool pool, SearchRng& rng) {
  Tier tier;
  map_tier_(ops.data(), int(ops.size()), nmp_mask, pool, rng, tier);
  return tier;
}

void DataflowSampler::map_mpg_(uint64_t ops, uint32_t nmp_mask, bool pool, SearchRng& rng, Mpg& mpg) {
  const OperatorGraph& g = model_->graph;
  mpg.nmp_mask = nmp_mask;
  mpg.normal_pool = pool;
  mpg.tiers.clear();
  // Without the pool every operator of a tier needs at least one NMP channel of its own.
  const int cap = pool ? 64 : popcount(nmp_mask);
  int indeg[64];
  int ready[64];
  int n_ready = 0;
  for (uint64_t m = ops; m; m &= m - 1) {
    int op = __builtin_ctzll(m);
    indeg[op] = popcount64(pred_mask_[op] & ops);
  }
  for (uint64_t m = ops; m; m &= m - 1) {
    int op = __builtin_ctzll(m);
    if (indeg[op] == 0) ready[n_ready++] = op;
  }
  while (n_ready > 0) {
    rng.shuffle(ready, size_t(n_ready));
    const int size = std::min<int>(cap, 1 + int(rng.below(uint64_t(n_ready))));
    int tier[64];
    std::copy(ready, ready + size, tier);
    std::copy(ready + size, ready + n_ready, ready);
    n_ready -= size;
    std::sort(tier, tier + size);
    for (int i = 0; i < size; ++i) {
      for (int s : g.successors(tier[i])) {
        if ((ops >> s) & 1 && --indeg[s] == 0) ready[n_ready++] = s;
      }
    }
    mpg.tiers.emplace_back();
    map_tier_(tier, size, nmp_mask, pool, rng, mpg.tiers.back());
  }
}

Mpg DataflowSampler::map_mpg(uint64_t ops, uint32_t nmp_mask, bool pool, SearchRng& rng) {
  Mpg mpg;
  map_mpg_(ops, nmp_mask, pool, rng, mpg);
  return mpg;
}

void DataflowSampler::map_mag_(uint64_t ops, SearchRng& rng, std::vector<Mag>& out) {
  uint64_t comps[64];
  const int n_comps = components_(ops, comps);
  const int units = int(hw_->nmp_channels) + (hw_->normal_channels() > 0 ? 1 : 0);
  int group_size[64];
  int n_groups = 0;
  if (n_comps <= units && rng.below(2)) {
    group_size[n_groups++] = n_comps;
  } else {
    // More MPGs than channel units (or by chance): run them as several consecutive MAGs.
    int i = 0;
    while (i < n_comps) {
      const int take = int(std::min(size_t(n_comps - i), size_t(1 + rng.below(units))));
      group_size[n_groups++] = take;
      i += take;
    }
  }
  int first = 0;
  for (int k = 0; k < n_groups; ++k) {
    const int size = group_size[k];
    uint32_t masks[34];
    bool pools[34];
    gcmap_nmp_(size, masks, pools, rng);
    out.emplace_back();
    Mag& mag = out.back();
    mag.mpgs.resize(size_t(size));
    for (int p = 0; p < size; ++p) map_mpg_(comps[first + p], masks[p], pools[p], rng, mag.mpgs[p]);
    first += size;
  }
}

std::vector<Mag> DataflowSampler::map_mag(uint64_t ops, SearchRng& rng) {
  std::vector<Mag> out;
  map_mag_(ops, rng, out);
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
  uint64_t parts[64];
  const int n = mag_partition_(model_->graph.all_mask(), rng, parts);
  df.mags.reserve(size_t(n));
  for (int k = 0; k < n; ++k) map_mag_(parts[k], rng, df.mags);
  return df;
}

Dataflow DataflowSampler::resample_gcmap(const Dataflow& df, SearchRng& rng) {
  Dataflow out;
  out.name = df.name;
  out.mags.reserve(df.mags.size());
  for (const Mag& mag : df.mags) map_mag_(mag_ops(mag), rng, out.mags);
  return out;
}

Dataflow DataflowSampler::resample_tiers(const Dataflow& df, SearchRng& rng) {
  // As a copy of `df` whose MPGs are then remapped, without copying the tiers first.
  Dataflow out;
  out.name = df.name;
  out.mags.resize(df.mags.size());
  for (size_t a = 0; a < df.mags.size(); ++a) {
    const Mag& src = df.mags[a];
    Mag& dst = out.mags[a];
    dst.mpgs.resize(src.mpgs.size());
    for (size_t p = 0; p < src.mpgs.size(); ++p) {
      const Mpg& mpg = src.mpgs[p];
      map_mpg_(mpg_ops(mpg), mpg.nmp_mask, mpg.normal_pool, rng, dst.mpgs[p]);
    }
  }
  return out;
}

Dataflow DataflowSampler::resample_ocmap(const Dataflow& df, SearchRng& rng) {
  // As a copy of `df` whose tiers are then remapped, without copying the bindings first.
  Dataflow out;
  out.name = df.name;
  out.mags.resize(df.mags.size());
  for (size_t a = 0; a < df.mags.size(); ++a) {
    const Mag& src = df.mags[a];
    Mag& dst = out.mags[a];
    dst.mpgs.resize(src.mpgs.size());
    for (size_t p = 0; p < src.mpgs.size(); ++p) {
      const Mpg& mpg = src.mpgs[p];
      Mpg& to = dst.mpgs[p];
      to.nmp_mask = mpg.nmp_mask;
      to.normal_pool = mpg.normal_pool;
      to.tiers.resize(mpg.tiers.size());
      for (size_t t = 0; t < mpg.tiers.size(); ++t) {
        int ops[64];
        int n = 0;
        for (const OperatorBinding& b : mpg.tiers[t].ops) ops[n++] = b.op;
        map_tier_(ops, n, mpg.nmp_mask, mpg.normal_pool, rng, to.tiers[t]);
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
      map_mag_(mag_ops(front.mags[i]), rng, out.mags);
    }
    taken |= mag_ops(front.mags[i]);
  }
  // The longest suffix of `back` disjoint from the prefix.
  size_t first_back = back.mags.size();
  while (first_back > 0 && !(mag_ops(back.mags[first_back - 1]) & taken)) --first_back;
  uint64_t back_ops = 0;
  for (size_t i = first_back; i < back.mags.size(); ++i) back_ops |= mag_ops(back.mags[i]);
  const uint64_t middle = model_->graph.all_mask() & ~taken & ~back_ops;
  uint64_t parts[64];
  const int n = mag_partition_(middle, rng, parts);
  for (int k = 0; k < n; ++k) map_mag_(parts[k], rng, out.mags);
  for (size_t i = first_back; i < back.mags.size(); ++i) {
    if (keep_back) {
      out.mags.push_back(back.mags[i]);
    } else {
      map_mag_(mag_ops(back.mags[i]), rng, out.mags);
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

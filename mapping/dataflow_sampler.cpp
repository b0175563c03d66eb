// Role: the dataflow sampler (see mapping/dataflow_sampler.hpp): random legal dataflows, the
// GA's mutations and crossover, and their building blocks.
#include "mapping/dataflow_sampler.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "config/errors.hpp"

namespace h2sim {

DataflowSpace parse_dataflow_space(const std::string& name) {
  if (name == "h2llm") return DataflowSpace::h2llm;
  if (name == "cc-nmp") return DataflowSpace::cc_nmp;
  throw InputError(fmt::format("unknown dataflow space '{}' (valid: h2llm, cc-nmp)", name));
}

namespace {
constexpr int kPool = -1;  // the normal pool as a channel unit
}  // namespace

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

// Shuffles the `n` (at most 33) `units` in place and cuts them at random into `groups`
// contiguous runs, non-empty when groups <= n: group_of[i] is the run of units[i]. Draws the
// shuffle of the units, then the shuffle of the n - 1 cut points (the first groups - 1 are used).
void shuffle_and_cut(int* units, int n, int groups, SearchRng& rng, int* group_of) {
  rng.shuffle(units, size_t(n));
  int cuts[66];
  int n_cuts = 0;
  for (int i = 1; i < n; ++i) cuts[n_cuts++] = i;
  rng.shuffle(cuts, size_t(n_cuts));
  n_cuts = resize_ints(cuts, n_cuts, groups - 1);
  std::sort(cuts, cuts + n_cuts);
  cuts[n_cuts++] = n;
  int group = 0;
  for (int i = 0; i < n; ++i) {
    while (i >= cuts[group]) ++group;
    group_of[i] = group;
  }
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
    int group_of[34];
    std::copy(units_in, units_in + n_units, units);
    shuffle_and_cut(units, n_units, n_targets, rng, group_of);
    for (int i = 0; i < n_units; ++i) {
      const int t = targets[group_of[i]];
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
    int group_of[32];
    shuffle_and_cut(channels, n_channels, n, rng, group_of);
    for (int i = 0; i < n_channels; ++i) nmp[group_of[i]] |= 1u << channels[i];
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

namespace {
// A copy of `df`'s MAG and MPG structure in which `remap(src, dst)` fills each MPG: the mutations
// below the GCMap resample from that level down, without copying what they replace.
template <class RemapMpg>
Dataflow remap_each_mpg(const Dataflow& df, RemapMpg&& remap) {
  Dataflow out;
  out.name = df.name;
  out.mags.resize(df.mags.size());
  for (size_t a = 0; a < df.mags.size(); ++a) {
    const Mag& src = df.mags[a];
    Mag& dst = out.mags[a];
    dst.mpgs.resize(src.mpgs.size());
    for (size_t p = 0; p < src.mpgs.size(); ++p) remap(src.mpgs[p], dst.mpgs[p]);
  }
  return out;
}
}  // namespace

Dataflow DataflowSampler::resample_tiers(const Dataflow& df, SearchRng& rng) {
  return remap_each_mpg(df, [&](const Mpg& mpg, Mpg& to) {
    map_mpg_(mpg_ops(mpg), mpg.nmp_mask, mpg.normal_pool, rng, to);
  });
}

Dataflow DataflowSampler::resample_ocmap(const Dataflow& df, SearchRng& rng) {
  return remap_each_mpg(df, [&](const Mpg& mpg, Mpg& to) {
    to.nmp_mask = mpg.nmp_mask;
    to.normal_pool = mpg.normal_pool;
    to.tiers.resize(mpg.tiers.size());
    for (size_t t = 0; t < mpg.tiers.size(); ++t) {
      int ops[64];
      int n = 0;
      for (const OperatorBinding& b : mpg.tiers[t].ops) ops[n++] = b.op;
      map_tier_(ops, n, mpg.nmp_mask, mpg.normal_pool, rng, to.tiers[t]);
    }
  });
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

}  // namespace h2sim

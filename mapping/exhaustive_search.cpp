// Role: exhaustive search (see mapping/exhaustive_search.hpp): enumerates every MAG partition and,
// per MAG, every GCMap, tiering and OCMap; keeps the best mapping of each MAG operator set.
#include "mapping/exhaustive_search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include "config/errors.hpp"

namespace h2sim {

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

#pragma once
// Role: the dataflow sampler. Draws random dataflows that are legal by construction (an ordered
// MAG partition of the operator graph, a GCMap of each MAG's MPGs onto channel units, a tiering
// of each MPG, an OCMap of each tier with its MIX ratios), and the GA's variation operators built
// from the same building blocks (mutations resample one level and everything below it;
// crossover joins two parents' MAGs). Shared by the GA (mapping/genetic_search.hpp) and the
// exhaustive search (mapping/exhaustive_search.hpp). Reference §6 "Search".
#include <cstdint>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/evaluator.hpp"
#include "mapping/model.hpp"
#include "mapping/search_rng.hpp"

namespace h2sim {

enum class DataflowSpace {
  h2llm,   // data-centric: an operator may hold data on NMP channels and the pool (MIX)
  cc_nmp,  // compute-centric (SpecPIM): an operator uses only NMP or only normal channels
};
DataflowSpace parse_dataflow_space(const std::string& name);  // "h2llm" | "cc-nmp"
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

}  // namespace h2sim

#include "mapping/evaluator.hpp"

#include <algorithm>
#include <cmath>

#include "config/errors.hpp"
#include "mapping/artifact_fitted.hpp"
#include "mapping/roofline.hpp"

namespace h2sim {

AnalyticEvaluator::AnalyticEvaluator(HardwareConfig hw, ModelConfig model, Scenario scenario, int64_t batch,
                                     EvaluatorOptions options)
    : hw_(std::move(hw)), model_(std::move(model)), scenario_(std::move(scenario)), batch_(batch), options_(options) {
  if (batch_ <= 0) throw InputError("batch must be at least 1");
  if (options_.artifact_compat) nmp_divisor_ = artifact_fitted_nmp_utilization(hw_.pe, batch_);
  const int64_t g = scenario_.decode_tokens;
  if (options_.artifact_compat) {
    // The artifact runs every decode step at the final context.
    steps_.push_back({decode_context_tokens(scenario_, g, true), g});
  } else {
    for (int64_t i = 1; i <= g; ++i) {
      const int64_t ctx = decode_context_tokens(scenario_, i, false);
      if (!steps_.empty() && steps_.back().first == ctx) {
        steps_.back().second++;
      } else {
        steps_.push_back({ctx, 1});
      }
    }
  }
  for (const auto& s : steps_) total_steps_ += s.second;
  for (const auto& s : steps_) step_weight_.push_back(double(s.second));
  step_buf_.assign(4 * steps_.size(), 0.0);
  direct_.assign(size_t(model_.graph.size()) * kDirectMasks, nullptr);
}

GemmShape AnalyticEvaluator::final_decode_shape(int op) const {
  return operator_shape(model_, model_.graph.kind(op), {Pass::decode, batch_, 1, steps_.back().first});
}

double AnalyticEvaluator::balanced_nmp_ratio(int op, int nmp_channels) {
  const uint64_t key = uint64_t(op) << 8 | uint64_t(nmp_channels);
  auto it = balanced_.find(key);
  if (it != balanced_.end()) return it->second;
  const GemmShape s = final_decode_shape(op);
  const bool along_b = s.batch > 1;
  const int64_t units = along_b ? s.batch : s.n;
  const int pool = int(hw_.normal_channels()) + (options_.artifact_compat ? nmp_channels : 0);
  auto parts = [&](int64_t u) {
    GemmShape a = s, b = s;
    if (along_b) {
      a.batch = u;
      b.batch = units - u;
    } else {
      a.n = u;
      b.n = units - u;
      if (u == 0) a.batch = 0;
      if (u == units) b.batch = 0;
    }
    return std::make_pair(nmp_time_s(a, nmp_channels), pool > 0 ? npu_time_s(b, pool) : 0.0);
  };
  double ratio = 0.5;
  if (units >= 2 && pool > 0) {
    // NMP time grows and NPU time shrinks with u: find the crossing by bisection.
    int64_t lo = 1, hi = units - 1;
    while (lo < hi) {
      int64_t mid = (lo + hi) / 2;
      auto [a, b] = parts(mid);
      if (a >= b) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    int64_t best = lo;
    if (lo > 1) {
      auto [a0, b0] = parts(lo - 1);
      auto [a1, b1] = parts(lo);
      if (std::max(a0, b0) < std::max(a1, b1)) best = lo - 1;
    }
    ratio = double(best) / double(units);
  }
  balanced_.emplace(key, ratio);
  return ratio;
}

double AnalyticEvaluator::nmp_time_s(const GemmShape& s, int channels) const {
  if (s.batch <= 0 || s.m <= 0 || s.k <= 0 || s.n <= 0) return 0;
  return estimate_nmp_gemm(hw_, s, channels).latency_ns * 1e-9 / nmp_divisor_;
}

double AnalyticEvaluator::npu_time_s(const GemmShape& s, int channels) const {
  if (s.batch <= 0 || s.m <= 0 || s.k <= 0 || s.n <= 0) return 0;
  if (channels <= 0) throw InternalError("NPU operator without a channel holding its data");
  return estimate_npu_gemm(hw_, s, channels).latency_ns * 1e-9;
}

AnalyticEvaluator::Cost AnalyticEvaluator::compute_cost(const OperatorBinding& b) const {
  Cost c;
  const OpKind kind = model_.graph.kind(b.op);
  const int n_nmp = popcount(b.nmp_mask);
  const int n_pool = b.normal_pool ? int(hw_.normal_channels()) : 0;
  // Prefill: the NPU reads the operator from every channel holding it.
  const PassShape prefill{Pass::prefill, batch_, scenario_.prompt_tokens, scenario_.prompt_tokens};
  c.prefill_s = npu_time_s(operator_shape(model_, kind, prefill), n_nmp + n_pool);

  const size_t contexts = is_attention(kind) ? steps_.size() : 1;
  for (size_t i = 0; i < contexts; ++i) {
    const GemmShape s = operator_shape(model_, kind, {Pass::decode, batch_, 1, steps_[i].first});
    double nmp = 0, npu = 0;
    switch (b.exec()) {
      case ExecKind::npu:
        npu = npu_time_s(s, (b.npu_reads_nmp ? n_nmp : 0) + n_pool);
        break;
      case ExecKind::nmp:
        nmp = nmp_time_s(s, n_nmp);
        break;
      case ExecKind::mix: {
        GemmShape nmp_part, npu_part;
        split_mix(s, b.nmp_ratio, options_.artifact_compat, &nmp_part, &npu_part);
        nmp = nmp_time_s(nmp_part, n_nmp);
        // The NPU part lives on the pool only; the artifact also charges it the NMP channels'
        // bandwidth (reference §7 bug), reproduced only in artifact_compat.
        npu = npu_time_s(npu_part, n_pool + (options_.artifact_compat ? n_nmp : 0));
        break;
      }
    }
    c.nmp_s.push_back(nmp);
    c.npu_s.push_back(npu);
  }
  return c;
}

const AnalyticEvaluator::Cost& AnalyticEvaluator::cost(const OperatorBinding& b) {
  const bool mix = b.exec() == ExecKind::mix;
  // NPU and NMP bindings: a direct table by (operator, NMP channel count, pool, reads NMP).
  size_t slot = 0;
  const bool direct = !mix && b.op >= 0 && b.op < model_.graph.size();
  if (direct) {
    slot = size_t(b.op) * kDirectMasks + (size_t(popcount(b.nmp_mask)) << 2 | size_t(b.normal_pool) << 1 |
                                          size_t(b.npu_reads_nmp));
    if (direct_[slot]) return *direct_[slot];
  }
  uint64_t ratio_q = mix ? uint64_t(std::llround(b.nmp_ratio * double(1ULL << 40))) & ((1ULL << 41) - 1) : 0;
  uint64_t key = uint64_t(b.op) | (uint64_t(popcount(b.nmp_mask)) << 6) | (uint64_t(b.normal_pool) << 12) |
                 (uint64_t(b.npu_reads_nmp) << 13) | (ratio_q << 14);
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    if (direct) direct_[slot] = it->second.get();
    return *it->second;
  }
  auto c = std::make_unique<Cost>(compute_cost(b));
  const Cost& ref = *c;
  cache_.emplace(key, std::move(c));
  if (direct) direct_[slot] = &ref;
  return ref;
}

namespace {
struct Composer {
  // Latency of a MAG at decode context index `step`; `pos` walks the resolved costs.
  template <class CostT>
  static double mag_latency(const Mag& mag, const CostT* const* costs, size_t step) {
    double mag_s = 0;
    size_t pos = 0;
    for (const Mpg& mpg : mag.mpgs) {
      double mpg_s = 0;
      for (const Tier& tier : mpg.tiers) {
        double nmp_max = 0, npu_sum = 0;
        for (size_t i = 0; i < tier.ops.size(); ++i, ++pos) {
          const CostT* c = costs[pos];
          const size_t idx = c->nmp_s.size() == 1 ? 0 : step;
          nmp_max = std::max(nmp_max, c->nmp_s[idx]);
          npu_sum += c->npu_s[idx];
        }
        mpg_s += std::max(nmp_max, npu_sum);
      }
      mag_s = std::max(mag_s, mpg_s);
    }
    return mag_s;
  }
};
}  // namespace

double AnalyticEvaluator::latency_per_layer_s(const Dataflow& df) {
  ++evaluations_;
  scratch_.clear();
  double prefill = 0;
  for (const Mag& mag : df.mags) {
    for (const Mpg& mpg : mag.mpgs) {
      for (const Tier& tier : mpg.tiers) {
        for (const OperatorBinding& b : tier.ops) {
          const Cost* c = &cost(b);
          scratch_.push_back(c);
          prefill += c->prefill_s;
        }
      }
    }
  }
  double decode = 0;
  size_t pos = 0;
  const size_t steps = steps_.size();
  for (const Mag& mag : df.mags) {
    size_t count = 0;
    bool dynamic = false;
    for (const Mpg& mpg : mag.mpgs) {
      for (const Tier& tier : mpg.tiers) {
        for (size_t i = 0; i < tier.ops.size(); ++i) dynamic |= scratch_[pos + count++]->nmp_s.size() > 1;
      }
    }
    const Cost* const* costs = scratch_.data() + pos;
    if (!dynamic) {
      decode += Composer::mag_latency(mag, costs, 0) * double(total_steps_);
    } else {
      // Composer::mag_latency at every decode context at once: the same operations in the same
      // order for each context (so bit-identical), with the contexts as the inner loop.
      double* mag_s = step_buf_.data();
      double* mpg_s = mag_s + steps;
      double* nmp_max = mpg_s + steps;
      double* npu_sum = nmp_max + steps;
      std::fill(mag_s, mag_s + steps, 0.0);
      size_t k = 0;
      for (const Mpg& mpg : mag.mpgs) {
        std::fill(mpg_s, mpg_s + steps, 0.0);
        for (const Tier& tier : mpg.tiers) {
          std::fill(nmp_max, nmp_max + steps, 0.0);
          std::fill(npu_sum, npu_sum + steps, 0.0);
          for (size_t i = 0; i < tier.ops.size(); ++i, ++k) {
            const Cost* c = costs[k];
            if (c->nmp_s.size() == 1) {
              const double a = c->nmp_s[0], b = c->npu_s[0];
              for (size_t s = 0; s < steps; ++s) {
                nmp_max[s] = std::max(nmp_max[s], a);
                npu_sum[s] += b;
              }
            } else {
              const double* a = c->nmp_s.data();
              const double* b = c->npu_s.data();
              for (size_t s = 0; s < steps; ++s) {
                nmp_max[s] = std::max(nmp_max[s], a[s]);
                npu_sum[s] += b[s];
              }
            }
          }
          for (size_t s = 0; s < steps; ++s) mpg_s[s] += std::max(nmp_max[s], npu_sum[s]);
        }
        for (size_t s = 0; s < steps; ++s) mag_s[s] = std::max(mag_s[s], mpg_s[s]);
      }
      for (size_t s = 0; s < steps; ++s) decode += mag_s[s] * step_weight_[s];
    }
    pos += count;
  }
  return prefill + decode;
}

DataflowTiming AnalyticEvaluator::evaluate(const Dataflow& df) {
  DataflowTiming t;
  t.decode_steps = total_steps_;
  t.latency_per_layer_s = latency_per_layer_s(df);
  // Per-operator detail, and the split into prefill and decode.
  scratch_.clear();
  for (size_t a = 0; a < df.mags.size(); ++a) {
    for (size_t p = 0; p < df.mags[a].mpgs.size(); ++p) {
      const Mpg& mpg = df.mags[a].mpgs[p];
      for (size_t k = 0; k < mpg.tiers.size(); ++k) {
        for (const OperatorBinding& b : mpg.tiers[k].ops) {
          const Cost& c = cost(b);
          scratch_.push_back(&c);
          OperatorTiming o;
          o.op = b.op;
          o.exec = b.exec();
          o.mag = int(a);
          o.mpg = int(p);
          o.tier = int(k);
          o.nmp_mask = b.nmp_mask;
          o.normal_pool = b.normal_pool;
          o.nmp_ratio = o.exec == ExecKind::mix ? b.nmp_ratio : (o.exec == ExecKind::nmp ? 1.0 : 0.0);
          o.prefill_s = c.prefill_s;
          for (size_t s = 0; s < steps_.size(); ++s) {
            const size_t idx = c.nmp_s.size() == 1 ? 0 : s;
            const double w = double(steps_[s].second);
            o.decode_nmp_s += w * c.nmp_s[idx];
            o.decode_npu_s += w * c.npu_s[idx];
            o.decode_s += w * std::max(c.nmp_s[idx], c.npu_s[idx]);
          }
          const size_t last = c.nmp_s.size() - 1;
          o.decode_last_step_s = std::max(c.nmp_s[last], c.npu_s[last]);
          t.prefill_per_layer_s += c.prefill_s;
          t.ops.push_back(o);
        }
      }
    }
  }
  t.decode_per_layer_s = t.latency_per_layer_s - t.prefill_per_layer_s;
  size_t pos = 0;
  for (const Mag& mag : df.mags) {
    const Cost* const* costs = scratch_.data() + pos;
    t.decode_first_step_per_layer_s += Composer::mag_latency(mag, costs, 0);
    t.decode_last_step_per_layer_s += Composer::mag_latency(mag, costs, steps_.size() - 1);
    for (const Mpg& mpg : mag.mpgs) {
      for (const Tier& tier : mpg.tiers) pos += tier.ops.size();
    }
  }
  t.latency_model_s = t.latency_per_layer_s * double(model_.layers);
  return t;
}

}  // namespace h2sim

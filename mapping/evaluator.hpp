#pragma once
// Analytic evaluation of a whole dataflow (reference §6 items 6-7) on the per-GEMM roofline of §5.
//
// Decode, per step: operator = NMP roofline on its NMP channels, NPU roofline over the channels
// holding its data, MIX = both parts concurrently; tier = max(slowest NMP part, sum of NPU parts);
// MPG = sum of tiers; MAG = max over MPGs; layer = sum of MAGs. The context grows by one token
// per decode step (step i attends over prompt + i tokens, capped at the max context).
// Prefill: every operator on the NPU (one device: their times add up), each reading from the
// channels that hold it.
//
// `artifact_compat` reproduces the artifact's per-layer numbers: every decode step at the final
// context, and its MIX conventions (the NPU part charged the bandwidth of the operator's NMP
// channels too; NMP units truncated). See docs/mapping.md.
//
// Estimates are cached per (operator, NMP channel count, pool, ratio units): evaluating a dataflow
// is then a few table look-ups per operator. An evaluator is not thread-safe; use one per thread.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/model.hpp"

namespace h2sim {

struct EvaluatorOptions {
  bool artifact_compat = false;
};

struct OperatorTiming {
  int op = -1;
  ExecKind exec = ExecKind::npu;
  int mag = 0, mpg = 0, tier = 0;
  uint32_t nmp_mask = 0;
  bool normal_pool = false;
  double nmp_ratio = 0;
  double prefill_s = 0;          // per layer
  double decode_nmp_s = 0;       // per layer, summed over all decode steps
  double decode_npu_s = 0;
  double decode_s = 0;           // max(nmp, npu) summed over steps
  double decode_last_step_s = 0; // one step at the final context
};

struct DataflowTiming {
  double prefill_per_layer_s = 0;
  double decode_per_layer_s = 0;        // all decode steps
  double latency_per_layer_s = 0;       // prefill + decode
  double latency_model_s = 0;           // layers x per layer
  double decode_first_step_per_layer_s = 0;
  double decode_last_step_per_layer_s = 0;
  int64_t decode_steps = 0;
  std::vector<OperatorTiming> ops;      // execution order
};

class AnalyticEvaluator {
 public:
  AnalyticEvaluator(HardwareConfig hw, ModelConfig model, Scenario scenario, int64_t batch,
                    EvaluatorOptions options = {});

  // Fast path for the search: per-layer latency (prefill + decode).
  double latency_per_layer_s(const Dataflow& df);
  DataflowTiming evaluate(const Dataflow& df);

  const HardwareConfig& hardware() const { return hw_; }
  const ModelConfig& model() const { return model_; }
  const Scenario& scenario() const { return scenario_; }
  int64_t batch() const { return batch_; }
  const EvaluatorOptions& options() const { return options_; }
  int64_t evaluations() const { return evaluations_; }
  // The artifact's fitted divisor of every NMP GEMM latency (mapping/artifact_fitted.hpp): its
  // value under --artifact-compat, 1.0 otherwise.
  double nmp_latency_divisor() const { return nmp_divisor_; }
  // Contexts of the decode steps (compressed: a context and how many steps run at it).
  const std::vector<std::pair<int64_t, int64_t>>& decode_contexts() const { return steps_; }

  // The decode shape of an operator at the final context (used for MIX ratio candidates).
  GemmShape final_decode_shape(int op) const;
  // The NMP share (a multiple of 1/units) that best balances a MIX operator's NMP part on
  // `nmp_channels` channels against its NPU part on the pool, at the final context. Cached.
  double balanced_nmp_ratio(int op, int nmp_channels);

 private:
  struct Cost {
    double prefill_s = 0;
    std::vector<double> nmp_s;  // per decode context (size 1 if context-independent)
    std::vector<double> npu_s;
  };
  const Cost& cost(const OperatorBinding& b);
  Cost compute_cost(const OperatorBinding& b) const;
  double nmp_time_s(const GemmShape& s, int channels) const;
  double nmp_divisor_ = 1.0;
  double npu_time_s(const GemmShape& s, int channels) const;

  HardwareConfig hw_;
  ModelConfig model_;
  Scenario scenario_;
  int64_t batch_;
  EvaluatorOptions options_;
  std::vector<std::pair<int64_t, int64_t>> steps_;
  int64_t total_steps_ = 0;
  std::unordered_map<uint64_t, std::unique_ptr<Cost>> cache_;
  std::vector<const Cost*> scratch_;
  // Non-MIX costs by (op, popcount(nmp_mask) 0..32, pool, npu_reads_nmp): 33 x 4 slots per op.
  static constexpr size_t kDirectMasks = 33 * 4;
  std::vector<const Cost*> direct_;
  std::vector<double> step_weight_;  // double(steps_[s].second)
  std::vector<double> step_buf_;     // 4 x steps_.size() scratch for latency_per_layer_s
  std::unordered_map<uint64_t, double> balanced_;
  int64_t evaluations_ = 0;
};

}  // namespace h2sim

#pragma once
// The centralized NPU of the SoC. It owns no DRAM: a GEMM streams its DRAM operand (weights or
// KV cache) over the external links of the channels that hold it, and multiplies at
// compute_efficiency x peak as data arrives (chunks overlap transfer and compute).
// It runs one GEMM (or reduction) at a time, first come first served: concurrent operators queue.
// At `ideal` fidelity each caller-chosen queue is independent, which is the analytic model's
// assumption (NPU parts add up within a tier, parallel MPGs do not contend).
#include <systemc>

#include <map>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/gemm.hpp"
#include "models/external_link.hpp"
#include "models/span_log.hpp"
#include "models/waveform.hpp"

namespace h2sim {

struct NpuStats {
  double macs = 0;
  int64_t bytes_read = 0;
  double reduce_adds = 0;
  sc_core::sc_time compute_busy, reduce_busy;
};

class Npu : public sc_core::sc_module {
 public:
  // `ideal`: the artifact's roofline (bytes = MACs / AI over links at bandwidth_efficiency x
  // peak, compute and transfer fully overlapped); otherwise physical bytes in chunks.
  Npu(sc_core::sc_module_name name, const HardwareConfig& hw, bool ideal, std::vector<ExternalLink*> links);

  // Blocks until `shape` is computed with its DRAM operand spread evenly over `holding` channels.
  void gemm(const GemmShape& shape, const std::vector<int>& holding, int queue = 0);
  // Blocks until `adds` vector additions (the reduction of K-split partial sums) are done.
  void reduce(double adds, int queue = 0);
  // Writes `bytes` (KV-cache appends) spread evenly over `holding` channels; blocks until done.
  void write(int64_t bytes, const std::vector<int>& holding);

  const NpuStats& stats() const { return stats_; }
  // "" entries omitted: one line per queue with operations waiting or in service.
  std::vector<std::string> pending_work() const;
  // End-of-run invariants: every queue idle; the MACs and adds asked for are the ones done.
  std::vector<std::string> end_of_run_violations() const;
  void attach_waveform(Waveform& w);
  // GEMMs and reductions as spans on track "npu" (from their turn to their end).
  void attach_span_log(SpanLog& log) {
    log_ = &log;
    log_track_ = log.track("npu");
  }

 private:
  struct Queue {
    int64_t next_ticket = 0, serving = 0;
    sc_core::sc_event turn;
  };
  // Waits for the turn of a new ticket on `queue` (one queue at cycle fidelity); returns the queue.
  Queue& acquire(int queue);
  void release(Queue& q);

  const HardwareConfig& hw_;
  bool ideal_;
  std::map<int, Queue> queues_;
  std::vector<ExternalLink*> links_;
  sc_core::sc_time compute_free_at_;
  NpuStats stats_;
  double macs_requested_ = 0, adds_requested_ = 0;
  TracedValue<bool> busy_flag_;
  SpanLog* log_ = nullptr;
  int log_track_ = -1;
};

}  // namespace h2sim

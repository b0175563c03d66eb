#pragma once
// One LPDDR5 channel of the chip: its external link, its DRAM and, on an NMP channel, the
// hybrid-bonded logic die (16 bank-PEs, the input global buffer and the output buffer) with the
// control that plays a ChannelPlan.
//
// Playing a plan (cycle fidelity) runs three stages concurrently, coupled only by buffer room:
// the scatter stage moves input pieces over the external link into the input buffer as soon as
// they fit; the compute stage runs each block on all PEs once its input piece has arrived and its
// output tile has room; the load stage returns finished output tiles over the same link. At
// `ideal` fidelity the stages are serialized (scatter, compute, load per block), as in the
// artifact's roofline.
#include <systemc>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/channel_plan.hpp"
#include "models/bank_pe.hpp"
#include "models/dram_port.hpp"
#include "models/external_link.hpp"
#include "models/sc_time_util.hpp"
#include "models/span_log.hpp"

namespace h2sim {

struct ChannelParams {
  int index = 0;
  bool nmp = false;
  bool ideal = false;               // serialized stages, roofline PEs
  LinkRates link_rates;
  int64_t row_bytes = 0;             // DRAM row (page) size: weights fill consecutive rows of a bank
};

struct ChannelPhaseTimes {
  sc_core::sc_time scatter, compute, load;  // busy time of each stage
};

// Builds the channel's DRAM model as a child module named `name` (so it sits at chN.dram).
using DramFactory = std::function<std::unique_ptr<DramChannelPort>(const char* name)>;

class Channel : public sc_core::sc_module {
 public:
  Channel(sc_core::sc_module_name name, const HardwareConfig& hw, const ChannelParams& params,
          const DramFactory& make_dram);

  // Plays `plan` on this channel's NMP die; blocks the calling thread until the last load is done.
  void execute(const ChannelPlan& plan);

  ExternalLink& link() { return *link_; }
  DramChannelPort& dram() { return *dram_; }
  bool is_nmp() const { return params_.nmp; }
  const std::vector<std::unique_ptr<BankPe>>& pes() const { return pes_; }
  const ChannelPhaseTimes& phase_times() const { return phases_; }
  int64_t max_input_buffer_used_bytes() const { return max_input_used_; }
  int64_t max_output_buffer_used_bytes() const { return max_output_used_per_pe_; }
  void attach_waveform(Waveform& w);
  // Spans on tracks "chN scatter" / "chN compute" / "chN load" (the stages: a scatter or load
  // from its request to its completion, compute while any released block is unfinished) and
  // "chN link" (the link's transfers).
  void attach_span_log(SpanLog& log);

  // What this channel (its stages, link, DRAM port and PEs) still holds: one line per busy
  // component, named by its place in the hierarchy. Empty when idle.
  std::vector<std::string> pending_work() const;
  // End-of-run invariants (empty when all hold): no plan running, buffers empty and never above
  // capacity, link bytes requested = delivered, DRAM calls all returned, the bytes the PEs asked
  // their banks for = the bytes the DRAM streamed, the NPU bytes the link routed to the DRAM =
  // the bytes the DRAM moved externally.
  std::vector<std::string> end_of_run_violations() const;

 private:
  void scatter_stage();
  void release_stage();
  void load_stage();
  void start_pes();
  void pim_stage();
  void on_job_done(int64_t block);
  void check_occupancy() const;

  const HardwareConfig& hw_;
  ChannelParams params_;
  std::unique_ptr<ExternalLink> link_;
  std::unique_ptr<DramChannelPort> dram_;
  std::vector<std::unique_ptr<BankPe>> pes_;

  // The plan being played and the state the three stages share.
  const ChannelPlan* plan_ = nullptr;
  sc_core::sc_event start_scatter_, start_release_, start_load_, all_done_;
  sc_core::sc_event input_arrived_, input_freed_, output_ready_, output_freed_, block_completed_;
  BlockGate gate_;                           // blocks released to the PEs
  std::vector<int> block_pes_remaining_;     // PEs still working on each block
  int64_t blocks_completed_ = 0;
  sc_core::sc_time compute_active_since_;    // for the compute busy time (any block in flight)
  int64_t pieces_scattered_ = 0;
  TracedValue<int64_t> input_used_;          // bytes in the input buffer (arrived and in flight)
  TracedValue<int64_t> output_used_per_pe_;  // bytes of partial sums in the busiest PE's output share
  WaveSignal compute_wave_;
  SpanLog* log_ = nullptr;
  int log_scatter_ = -1, log_compute_ = -1, log_load_ = -1;
  void log_span(int track, const sc_core::sc_time& start, const char* what, int64_t bytes) {
    if (log_ != nullptr) log_->add(track, time_to_ps(start), time_to_ps(sc_core::sc_time_stamp()), what, bytes);
  }                  // a block released to the PEs and not yet computed
  std::vector<std::pair<int64_t, int64_t>> loads_pending_;  // (load bytes, per-PE bytes freed)
  int64_t loads_done_ = 0;
  int64_t loads_total_ = 0;
  bool compute_done_ = false;

  ChannelPhaseTimes phases_;
  int64_t max_input_used_ = 0;
  int64_t max_output_used_per_pe_ = 0;
  int active_pes_ = 0;

  // In-die PIM (nmp_kind in_die, cycle fidelity): the PEs do not stream on their own; the PIM
  // stage plays the blocks in order, each as one lockstep stream of all banks once the block is
  // released (its input is in the PEs' registers).
  struct PimJob {
    int64_t block = 0;
    int64_t start_row = 0;
    int64_t bytes_per_bank = 0;  // the most any PE needs: every bank streams that much
    std::vector<PeJob> pe;       // per PE: its own bytes and MACs
  };
  bool pim_lockstep_ = false;
  std::vector<PimJob> pim_jobs_;
  size_t pim_jobs_done_ = 0;
  sc_core::sc_event start_pim_;
};

}  // namespace h2sim

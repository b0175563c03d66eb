#include "models/channel.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "config/errors.hpp"
#include "models/sc_time_util.hpp"

namespace h2sim {

Channel::Channel(sc_core::sc_module_name name, const HardwareConfig& hw, const ChannelParams& params,
                 const DramFactory& make_dram)
    : sc_core::sc_module(name), hw_(hw), params_(params) {
  link_ = std::make_unique<ExternalLink>("link", params.link_rates);
  dram_ = make_dram("dram");
  if (params_.nmp) {
    for (int b = 0; b < hw.pes_per_channel(); ++b) {
      pes_.push_back(std::make_unique<BankPe>(("pe" + std::to_string(b)).c_str(), b, hw.pe,
                                              hw.buffers.weight_buffer_bytes, hw.burst_bytes, params.row_bytes, *dram_,
                                              params.ideal));
    }
    SC_HAS_PROCESS(Channel);
    pim_lockstep_ = !params_.ideal && hw.nmp_kind == NmpKind::in_die;
    if (pim_lockstep_) SC_THREAD(pim_stage);
    SC_THREAD(scatter_stage);
    SC_THREAD(release_stage);
    SC_THREAD(load_stage);
  }
}

void Channel::execute(const ChannelPlan& plan) {
  if (!params_.nmp) throw InternalError(std::string(name()) + ": execute() on a channel without an NMP die");
  if (plan_ != nullptr) throw InternalError(std::string(name()) + ": execute() while a plan is running");
  if (plan.split.pes != int64_t(pes_.size())) throw InternalError(std::string(name()) + ": plan for a different PE count");
  plan_ = &plan;
  pieces_scattered_ = 0;
  loads_pending_.clear();
  loads_done_ = 0;
  loads_total_ = 0;
  blocks_completed_ = 0;
  gate_.released = 0;
  compute_done_ = false;
  for (const auto& b : plan.blocks) loads_total_ += b.load_bytes > 0 ? 1 : 0;
  start_pes();
  start_release_.notify(sc_core::SC_ZERO_TIME);
  if (!params_.ideal) {  // ideal: the release stage scatters and loads itself, in order
    start_scatter_.notify(sc_core::SC_ZERO_TIME);
    start_load_.notify(sc_core::SC_ZERO_TIME);
  }
  sc_core::wait(all_done_);
  check_occupancy();
  plan_ = nullptr;
}

void Channel::start_pes() {
  const ChannelPlan& plan = *plan_;
  const int64_t pes = plan.split.pes;
  const int64_t tile_bytes_per_pe = plan.split.k_pe * plan.split.n_pe * plan.element_bytes;
  block_pes_remaining_.assign(plan.blocks.size(), 0);
  std::vector<std::vector<PeJob>> jobs(static_cast<size_t>(pes));
  std::vector<int64_t> cursor(static_cast<size_t>(pes), 0);
  for (size_t bi = 0; bi < plan.blocks.size(); ++bi) {
    const ChannelBlock& b = plan.blocks[bi];
    // Each GEMM's weights (or KV cache) fill consecutive rows of the PE's bank; an m-block
    // re-reads them from the tile's first row.
    if (b.n0 == 0 && b.k0 == 0) std::fill(cursor.begin(), cursor.end(), b.gemm * tile_bytes_per_pe);
    double block_macs = 0;
    for (int64_t pe = 0; pe < pes; ++pe) block_macs += plan.pe_work(b, pe).macs;
    for (int64_t pe = 0; pe < pes; ++pe) {
      const PeWork w = plan.pe_work(b, pe);
      PeJob job;
      if (params_.ideal) {
        // The roofline's simplification: the block's work spread perfectly over all PEs, and
        // the HB port charged the artifact's bytes per MAC (activations included).
        job.macs = block_macs / double(pes);
        job.weight_bytes = int64_t(std::llround(job.macs * plan.charged_hb_bytes_per_mac));
        ++block_pes_remaining_[bi];
      } else if (w.macs > 0) {
        job.macs = w.macs;
        job.weight_bytes = w.weight_bytes;
        job.start_row = cursor[pe] / params_.row_bytes;
        cursor[pe] += w.weight_bytes;
        ++block_pes_remaining_[bi];
      }
      jobs[pe].push_back(job);
    }
    if (block_pes_remaining_[bi] == 0) throw InternalError(std::string(name()) + ": a block with no work");
  }
  if (pim_lockstep_) {
    pim_jobs_.clear();
    pim_jobs_done_ = 0;
    for (size_t bi = 0; bi < plan.blocks.size(); ++bi) {
      PimJob pj;
      pj.block = int64_t(bi);
      bool first = true;
      for (int64_t pe = 0; pe < pes; ++pe) {
        const PeJob& j = jobs[size_t(pe)][bi];
        pj.pe.push_back(j);
        if (j.macs <= 0) continue;
        // Each PE's share of a block starts at the same row of its bank (channel_plan lays the
        // weights out alike in every bank); an all-bank ACT opens one row address in all.
        if (first) pj.start_row = j.start_row, first = false;
        pj.bytes_per_bank = std::max(pj.bytes_per_bank, j.weight_bytes);
      }
      pim_jobs_.push_back(std::move(pj));
    }
    start_pim_.notify(sc_core::SC_ZERO_TIME);
    return;
  }
  for (int64_t pe = 0; pe < pes; ++pe) {
    pes_[pe]->start(std::move(jobs[pe]), gate_, [this](int64_t block) { on_job_done(block); });
  }
}

void Channel::pim_stage() {
  const double lanes = double(hw_.pe.fpus_per_pe * hw_.pe.macs_per_fpu_per_cycle);
  for (;;) {
    sc_core::wait(start_pim_);
    for (const PimJob& pj : pim_jobs_) {
      while (gate_.released <= pj.block) sc_core::wait(gate_.changed);
      const sc_core::sc_time start = sc_core::sc_time_stamp();
      // The slowest PE paces the MAC commands: its MACs on one burst, in whole PE cycles.
      double cycles_per_burst = 0;
      for (const PeJob& j : pj.pe) {
        if (j.macs <= 0) continue;
        const double bursts = std::ceil(double(std::max<int64_t>(j.weight_bytes, 1)) / double(hw_.burst_bytes));
        cycles_per_burst = std::max(cycles_per_burst, std::ceil(j.macs / bursts / lanes));
      }
      const int64_t pe_interval_ps = std::llround(cycles_per_burst / hw_.pe.frequency_hz * 1e12);
      if (pj.bytes_per_bank > 0) dram_->pim_stream(pj.start_row, pj.bytes_per_bank, pe_interval_ps);
      wait_until(sc_core::sc_time_stamp() + sc_core::sc_time(double(pe_interval_ps), sc_core::SC_PS));  // the last burst's MACs
      for (size_t pe = 0; pe < pj.pe.size(); ++pe) {
        const PeJob& j = pj.pe[pe];
        if (j.macs <= 0) continue;
        pes_[pe]->record_lockstep_job(pj.bytes_per_bank, j.weight_bytes, j.macs, start, sc_core::sc_time_stamp());
      }
      ++pim_jobs_done_;
      for (const PeJob& j : pj.pe) {
        if (j.macs > 0) on_job_done(pj.block);
      }
    }
  }
}

void Channel::on_job_done(int64_t block) {
  if (--block_pes_remaining_[block] > 0) return;
  const ChannelBlock& b = plan_->blocks[block];
  ++blocks_completed_;
  if (blocks_completed_ == gate_.released) {
    phases_.compute += sc_core::sc_time_stamp() - compute_active_since_;
    compute_wave_.set(0);
    log_span(log_compute_, compute_active_since_, "compute", 0);
  }
  if (b.input_release_bytes > 0) {
    input_used_ -= b.input_release_bytes;
    input_freed_.notify(sc_core::SC_ZERO_TIME);
  }
  if (b.load_bytes > 0) {
    loads_pending_.emplace_back(b.load_bytes, b.output_bytes_per_pe);
    output_ready_.notify(sc_core::SC_ZERO_TIME);
  }
  if (blocks_completed_ == int64_t(plan_->blocks.size())) compute_done_ = true;
  block_completed_.notify(sc_core::SC_ZERO_TIME);
}

void Channel::check_occupancy() const {
  if (input_used_ != 0 || output_used_per_pe_ != 0) {
    throw InternalError(std::string(name()) + ": buffers not empty after a plan (input " +
                        std::to_string(input_used_.get()) + " B, output " + std::to_string(output_used_per_pe_.get()) + " B)");
  }
}

void Channel::scatter_stage() {
  for (;;) {
    sc_core::wait(start_scatter_);
    for (const auto& b : plan_->blocks) {
      if (b.scatter_bytes == 0) continue;
      // Room in the input buffer first: the piece is written there as it arrives.
      while (input_used_ + b.scatter_bytes > plan_->input_capacity_bytes) sc_core::wait(input_freed_);
      input_used_ += b.scatter_bytes;
      max_input_used_ = std::max(max_input_used_, input_used_.get());
      const sc_core::sc_time t0 = sc_core::sc_time_stamp();
      link_->transfer(b.scatter_bytes, LinkTraffic::scatter);
      phases_.scatter += sc_core::sc_time_stamp() - t0;
      log_span(log_scatter_, t0, "scatter", b.scatter_bytes);
      ++pieces_scattered_;
      input_arrived_.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

void Channel::release_stage() {
  for (;;) {
    sc_core::wait(start_release_);
    const ChannelPlan& plan = *plan_;
    for (size_t bi = 0; bi < plan.blocks.size(); ++bi) {
      const ChannelBlock& b = plan.blocks[bi];
      if (params_.ideal) {
        // Serialized like the roofline: this block's scatter starts after the previous block's load.
        if (b.scatter_bytes > 0) {
          input_used_ += b.scatter_bytes;
          max_input_used_ = std::max(max_input_used_, input_used_.get());
          const sc_core::sc_time t0 = sc_core::sc_time_stamp();
          link_->transfer(b.scatter_bytes, LinkTraffic::scatter);
          phases_.scatter += sc_core::sc_time_stamp() - t0;
          log_span(log_scatter_, t0, "scatter", b.scatter_bytes);
          ++pieces_scattered_;
        }
      } else {
        while (pieces_scattered_ <= b.input_piece) sc_core::wait(input_arrived_);
      }
      if (b.opens_output) {
        while (output_used_per_pe_ + b.output_bytes_per_pe > plan.output_capacity_bytes_per_pe) {
          sc_core::wait(output_freed_);
        }
        output_used_per_pe_ += b.output_bytes_per_pe;
        max_output_used_per_pe_ = std::max(max_output_used_per_pe_, output_used_per_pe_.get());
      }
      if (blocks_completed_ == gate_.released) {
        compute_active_since_ = sc_core::sc_time_stamp();
        compute_wave_.set(1);
      }
      ++gate_.released;
      gate_.changed.notify(sc_core::SC_ZERO_TIME);
      if (params_.ideal) {
        while (blocks_completed_ <= int64_t(bi)) sc_core::wait(block_completed_);
        if (b.load_bytes > 0) {
          loads_pending_.clear();
          const sc_core::sc_time t0 = sc_core::sc_time_stamp();
          link_->transfer(b.load_bytes, LinkTraffic::load);
          phases_.load += sc_core::sc_time_stamp() - t0;
          log_span(log_load_, t0, "load", b.load_bytes);
          output_used_per_pe_ -= b.output_bytes_per_pe;
          ++loads_done_;
        }
      }
    }
    if (params_.ideal) all_done_.notify(sc_core::SC_ZERO_TIME);
  }
}

void Channel::load_stage() {
  for (;;) {
    sc_core::wait(start_load_);
    size_t next = 0;
    while (loads_done_ < loads_total_) {
      while (next >= loads_pending_.size()) sc_core::wait(output_ready_);
      const auto [bytes, per_pe] = loads_pending_[next++];
      const sc_core::sc_time t0 = sc_core::sc_time_stamp();
      link_->transfer(bytes, LinkTraffic::load);
      phases_.load += sc_core::sc_time_stamp() - t0;
      log_span(log_load_, t0, "load", bytes);
      output_used_per_pe_ -= per_pe;
      ++loads_done_;
      output_freed_.notify(sc_core::SC_ZERO_TIME);
    }
    while (!compute_done_) sc_core::wait(block_completed_);
    all_done_.notify(sc_core::SC_ZERO_TIME);
  }
}

std::vector<std::string> Channel::pending_work() const {
  std::vector<std::string> p;
  if (plan_ != nullptr) {
    const int64_t pieces = [&] {
      int64_t n = 0;
      for (const auto& b : plan_->blocks) n += b.scatter_bytes > 0 ? 1 : 0;
      return n;
    }();
    p.push_back(std::string(name()) + ": playing a plan: " + std::to_string(pieces_scattered_) + " of " +
                std::to_string(pieces) + " input pieces scattered, " + std::to_string(gate_.released) +
                " blocks released, " + std::to_string(blocks_completed_) + " of " + std::to_string(plan_->blocks.size()) +
                " computed, " + std::to_string(loads_done_) + " of " + std::to_string(loads_total_) +
                " loads returned; input buffer " + std::to_string(input_used_.get()) + " B, output " +
                std::to_string(output_used_per_pe_.get()) + " B per PE");
  }
  if (std::string l = link_->pending_work(); !l.empty()) p.push_back(l);
  if (const int64_t f = dram_->port_stats().in_flight; f > 0) {
    p.push_back(std::string(name()) + ".dram: " + std::to_string(f) + " request(s) made and not yet answered");
  }
  for (const auto& pe : pes_) {
    if (std::string s = pe->pending_work(); !s.empty()) p.push_back(s);
  }
  if (pim_lockstep_ && plan_ != nullptr && pim_jobs_done_ < pim_jobs_.size()) {
    p.push_back(std::string(name()) + ".pim: " + std::to_string(pim_jobs_done_) + " of " +
                std::to_string(pim_jobs_.size()) + " lockstep blocks streamed; next block " +
                std::to_string(pim_jobs_[pim_jobs_done_].block) + ", blocks released " + std::to_string(gate_.released));
  }
  return p;
}

std::vector<std::string> Channel::end_of_run_violations() const {
  std::vector<std::string> v;
  const std::string n = name();
  if (plan_ != nullptr) v.push_back(n + ": a plan is still running");
  if (input_used_.get() != 0 || output_used_per_pe_.get() != 0) {
    v.push_back(n + ": buffers not empty after the run (input " + std::to_string(input_used_.get()) + " B, output " +
                std::to_string(output_used_per_pe_.get()) + " B per PE)");
  }
  if (params_.nmp && !params_.ideal) {  // ideal serializes the stages without buffer limits, like the roofline
    if (max_input_used_ > hw_.buffers.input_buffer_bytes) {
      v.push_back(n + ": input buffer reached " + std::to_string(max_input_used_) + " B, above its capacity of " +
                  std::to_string(hw_.buffers.input_buffer_bytes) + " B");
    }
    const int64_t out_cap = hw_.output_buffer_bytes_per_pe();
    if (max_output_used_per_pe_ > out_cap) {
      v.push_back(n + ": output buffer reached " + std::to_string(max_output_used_per_pe_) +
                  " B per PE, above its capacity of " + std::to_string(out_cap) + " B per PE");
    }
  }
  if (link_->requested_bytes() != link_->delivered_bytes()) {
    v.push_back(n + ".link: " + std::to_string(link_->requested_bytes()) + " B requested but " +
                std::to_string(link_->delivered_bytes()) + " B delivered");
  }
  const DramPortStats d = dram_->port_stats();
  if (d.in_flight != 0) v.push_back(n + ".dram: " + std::to_string(d.in_flight) + " request(s) never answered");
  int64_t hb_requested = 0;
  for (const auto& pe : pes_) {
    hb_requested += pe->hb_requested_bytes();
    for (auto& s : pe->end_of_run_violations()) v.push_back(std::move(s));
  }
  if (hb_requested != d.hb_bytes) {
    v.push_back(n + ": the PEs asked their banks for " + std::to_string(hb_requested) + " B, the DRAM streamed " +
                std::to_string(d.hb_bytes) + " B through the hybrid-bonded ports");
  }
  if (link_->routes_npu_to_dram()) {
    const int64_t npu_bytes = link_->bytes(LinkTraffic::npu_read) + link_->bytes(LinkTraffic::npu_write);
    if (npu_bytes != d.external_bytes) {
      v.push_back(n + ": the link carried " + std::to_string(npu_bytes) + " B of NPU traffic, the DRAM moved " +
                  std::to_string(d.external_bytes) + " B through its external interface");
    }
  }
  return v;
}

void Channel::attach_span_log(SpanLog& log) {
  const std::string ch = "ch" + std::to_string(params_.index);
  link_->attach_span_log(log, ch + " link");
  if (!params_.nmp) return;
  log_ = &log;
  log_scatter_ = log.track(ch + " scatter");
  log_compute_ = log.track(ch + " compute");
  log_load_ = log.track(ch + " load");
}

void Channel::attach_waveform(Waveform& w) {
  link_->attach_waveform(w);
  if (!params_.nmp) return;
  compute_wave_.attach(&w, std::string(name()) + ".compute_busy", 1, WaveFormat::bit);
  input_used_.attach(&w, std::string(name()) + ".input_buffer_bytes", 32, WaveFormat::analog);
  output_used_per_pe_.attach(&w, std::string(name()) + ".output_buffer_bytes_per_pe", 32, WaveFormat::analog);
  for (const auto& pe : pes_) pe->attach_waveform(w);
}

}  // namespace h2sim

#pragma once
// One processing element on the hybrid-bonded logic die, bonded to one DRAM bank.
//
// A PE plays its share of a channel plan as a list of jobs, one per block. Its weights do not
// depend on the activations, so it decouples access from execute: the fetcher streams the
// weights of all its jobs from its bank through the hybrid-bonded port into the weight buffer, in
// chunks of half the buffer (double buffering), running ahead of the multiplier; the multiplier
// does a job's MACs (fpus x SIMD per PE cycle) once the channel has released that block (input
// arrived, output room). The multiplier consumes a chunk as its bursts arrive (the weight buffer
// is a FIFO), so it starts one burst after the chunk's fetch starts and ends no sooner than one
// burst's MACs after the fetch ends; with uniform arrival that closed form is exact and needs no
// event per burst.
#include <systemc>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "models/dram_port.hpp"
#include "models/waveform.hpp"

namespace h2sim {

struct PeJob {
  int64_t weight_bytes = 0;   // streamed from the bank (and charged to the HB port)
  double macs = 0;
  int64_t start_row = 0;      // first DRAM row of the job's weights in the PE's bank
};

// Blocks of a plan the channel has released for computing (monotonic counter + its event).
struct BlockGate {
  int64_t released = 0;
  sc_core::sc_event changed;
};

struct BankPeStats {
  double macs = 0;
  int64_t weight_bytes = 0;
  int64_t jobs = 0;
  sc_core::sc_time busy;      // multiplier busy time
};

class BankPe : public sc_core::sc_module {
 public:
  // `ideal`: one chunk per job, fetched only once the block is released, MACs timed continuously
  // and overlapped with the stream: time = max(bytes / BW, MACs / rate), the roofline.
  BankPe(sc_core::sc_module_name name, int bank, const PeConfig& pe, int64_t weight_buffer_bytes,
         int64_t burst_bytes, int64_t row_bytes, DramChannelPort& dram, bool ideal);

  // Plays `jobs` (job i belongs to block i; empty jobs are skipped); calls `job_done(i)` when the
  // last MAC of job i has finished.
  void start(std::vector<PeJob> jobs, const BlockGate& gate, std::function<void(int64_t)> job_done);

  // In-die PIM (nmp_kind in_die): the channel's PIM stage drove this PE in lockstep with the
  // others; it records one job: `stream_bytes` read from its bank (all banks stream the same
  // bytes), `weight_bytes` of them its own, `macs` done between `start` and `end`.
  void record_lockstep_job(int64_t stream_bytes, int64_t weight_bytes, double macs, const sc_core::sc_time& start,
                           const sc_core::sc_time& end);

  const BankPeStats& stats() const { return stats_; }
  // Bytes the fetcher asked its bank for (the DRAM's hb_bytes must match at the end of a run).
  int64_t hb_requested_bytes() const { return hb_requested_bytes_; }
  int64_t max_weight_buffer_used_bytes() const { return max_weight_used_; }
  // "" when idle, else where the PE's jobs stand (for the watchdog's stall report).
  std::string pending_work() const;
  // End-of-run invariants (empty when all hold): idle, weight buffer empty and never above its
  // capacity (cycle fidelity; ideal streams a whole job as one chunk, like the roofline).
  std::vector<std::string> end_of_run_violations() const;
  void attach_waveform(Waveform& w);

 private:
  struct Chunk {
    int64_t job = 0;
    int64_t bytes = 0;
    double macs = 0;
    bool last_of_job = false;
    sc_core::sc_time fetch_start, fetch_end;  // set by the fetcher
  };
  void fetcher();
  void multiplier();
  sc_core::sc_time mac_time(double macs) const;

  int bank_;
  PeConfig pe_;
  int64_t weight_buffer_bytes_;
  int64_t burst_bytes_;
  int64_t row_bytes_;    // DRAM row size (the standard's organisation.row_bytes)
  DramChannelPort& dram_;
  bool ideal_;

  std::vector<PeJob> jobs_;
  std::vector<Chunk> chunks_;
  const BlockGate* gate_ = nullptr;
  std::function<void(int64_t)> job_done_;
  sc_core::sc_event start_fetch_, start_mul_, chunk_ready_, chunk_freed_;
  sc_core::sc_time last_mac_end_;  // when the multiplier finished its previous chunk
  size_t chunks_fetched_ = 0;
  size_t chunks_consumed_ = 0;
  bool running_ = false;
  int64_t hb_requested_bytes_ = 0;
  int64_t max_weight_used_ = 0;

  BankPeStats stats_;
  int64_t weight_buffer_used_bytes_ = 0;  // whole chunks: in from the end of their fetch to the end of their MACs

  // Waveform (see README, "Waveforms"): what the PE does over time, recorded when a chunk's span
  // is known. busy: the multiplier holds a chunk (from its first MAC to its last); mac_busy_fraction:
  // the share of the MAC units at work over that span (its integral is the multiplier's busy
  // time); hb_fetching / hb_gbps: the port streams a chunk, at that chunk's mean rate;
  // weight_buffer_bytes: bytes arrived and not yet consumed, arrival and consumption taken as
  // uniform over the fetch and the MAC span (exact at every sample; draw it interpolated).
  struct ChunkSpan {
    int64_t fetch_start_ps, fetch_end_ps, mac_start_ps, mac_end_ps, bytes;
  };
  void record_weight_buffer();
  WaveSignal busy_wave_, mac_fraction_wave_, hb_fetching_wave_, hb_gbps_wave_, weight_buffer_wave_;
  std::vector<ChunkSpan> spans_;  // this plan's chunks, for weight_buffer_bytes (only with a waveform)
};

}  // namespace h2sim

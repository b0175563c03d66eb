#pragma once
// Request streams for the channel engine: the micro-benchmark (`h2sim dram`) and the tests
// drive the engine through these, so both measure exactly the same thing.
#include <cstdint>

#include "models/dram/lpddr5_channel.hpp"

namespace h2sim {

// `bytes` of consecutive bursts from address 0, all available at time 0 (a saturating stream:
// the controller's queue is always full).
class SequentialSource : public ExternalRequestSource {
 public:
  SequentialSource(DramAccess kind, int64_t bytes, int64_t burst_bytes);
  bool next(ExternalRequest& out) override;

 private:
  DramAccess kind_;
  int64_t next_ = 0, end_, burst_;
};

// `count` bursts at uniformly random burst-aligned addresses of the whole channel, all available
// at time 0. Deterministic for a seed on every platform (SplitMix64, no std distributions).
class RandomSource : public ExternalRequestSource {
 public:
  RandomSource(DramAccess kind, int64_t count, int64_t capacity_bytes, int64_t burst_bytes, uint64_t seed);
  bool next(ExternalRequest& out) override;

 private:
  DramAccess kind_;
  int64_t left_, bursts_, burst_;
  uint64_t state_;
};

uint64_t splitmix64(uint64_t& state);
// Uniform in [0, n) (modulo bias below n / 2^64).
int64_t uniform_below(uint64_t& state, int64_t n);

// Every bank streams `bytes_per_bank` from row 0 through its hybrid-bonded port, one row per
// request, as the PE threads do through the SystemC adapter: each bank asks again at the
// engine's next_request_ps; requests are served in time order (ties: lower bank first).
// Returns the time the last byte reached its PE.
int64_t run_hb_sequential(Lpddr5Channel& channel, int64_t bytes_per_bank, int64_t start_ps = 0);

// Every bank reads `accesses_per_bank` single column accesses, each at a random row of its bank.
int64_t run_hb_random(Lpddr5Channel& channel, int64_t accesses_per_bank, uint64_t seed, int64_t start_ps = 0);

}  // namespace h2sim

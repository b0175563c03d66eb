#include "models/dram/dram_workloads.hpp"

#include <algorithm>
#include <vector>

namespace h2sim {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int64_t uniform_below(uint64_t& state, int64_t n) {
  return int64_t(splitmix64(state) % uint64_t(n));  // bias < n / 2^64: negligible
}

SequentialSource::SequentialSource(DramAccess kind, int64_t bytes, int64_t burst_bytes)
    : kind_(kind), end_((bytes + burst_bytes - 1) / burst_bytes * burst_bytes), burst_(burst_bytes) {}

bool SequentialSource::next(ExternalRequest& out) {
  if (next_ >= end_) return false;
  out = {kind_, next_, 0};
  next_ += burst_;
  return true;
}

RandomSource::RandomSource(DramAccess kind, int64_t count, int64_t capacity_bytes, int64_t burst_bytes,
                           uint64_t seed)
    : kind_(kind), left_(count), bursts_(capacity_bytes / burst_bytes), burst_(burst_bytes), state_(seed) {}

bool RandomSource::next(ExternalRequest& out) {
  if (left_ <= 0) return false;
  --left_;
  out = {kind_, uniform_below(state_, bursts_) * burst_, 0};
  return true;
}

namespace {
struct PeStream {
  int64_t next_ps;
  int64_t row;
  int64_t left;
};

// Serves the bank whose request comes first (ties: lower bank), as SystemC would order them.
template <typename Step>
int64_t run_banks(Lpddr5Channel& ch, std::vector<PeStream>& pes, Step step) {
  int64_t done = 0;
  for (;;) {
    int best = -1;
    for (int b = 0; b < int(pes.size()); ++b) {
      if (pes[size_t(b)].left > 0 && (best < 0 || pes[size_t(b)].next_ps < pes[size_t(best)].next_ps)) best = b;
    }
    if (best < 0) return done;
    HbReadResult r = step(best, pes[size_t(best)]);
    pes[size_t(best)].next_ps = r.next_request_ps;
    done = std::max(done, r.data_done_ps);
  }
  (void)ch;
}
}  // namespace

int64_t run_hb_sequential(Lpddr5Channel& ch, int64_t bytes_per_bank, int64_t start_ps) {
  const int64_t row_bytes = ch.standard().row_bytes;
  std::vector<PeStream> pes(size_t(ch.standard().banks()), PeStream{start_ps, 0, bytes_per_bank});
  return run_banks(ch, pes, [&](int b, PeStream& pe) {
    int64_t chunk = std::min(pe.left, row_bytes);
    // A sequential stream: the next row follows while bytes are left (row_switch may open it ahead).
    HbReadResult r = ch.hb_read(b, pe.row, chunk, pe.next_ps, pe.left > chunk);
    pe.left -= chunk;
    ++pe.row;
    return r;
  });
}

int64_t run_hb_random(Lpddr5Channel& ch, int64_t accesses_per_bank, uint64_t seed, int64_t start_ps) {
  const int64_t width = ch.standard().hb.column_access_bytes;
  std::vector<PeStream> pes(size_t(ch.standard().banks()), PeStream{start_ps, 0, accesses_per_bank});
  uint64_t state = seed;
  return run_banks(ch, pes, [&](int b, PeStream& pe) {
    --pe.left;
    return ch.hb_read(b, uniform_below(state, ch.rows_per_bank()), width, pe.next_ps);
  });
}

}  // namespace h2sim

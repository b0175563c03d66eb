#include "models/bank_pe.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "config/errors.hpp"
#include "models/sc_time_util.hpp"

namespace h2sim {

namespace {
int64_t to_ps(const sc_core::sc_time& t) { return int64_t(t.value() / sc_core::sc_time(1, sc_core::SC_PS).value()); }
}  // namespace

BankPe::BankPe(sc_core::sc_module_name name, int bank, const PeConfig& pe, int64_t weight_buffer_bytes,
               int64_t burst_bytes, int64_t row_bytes, DramChannelPort& dram, bool ideal)
    : sc_core::sc_module(name),
      bank_(bank),
      pe_(pe),
      weight_buffer_bytes_(weight_buffer_bytes),
      burst_bytes_(burst_bytes),
      row_bytes_(row_bytes),
      dram_(dram),
      ideal_(ideal) {
  if (row_bytes_ <= 0) throw InternalError(std::string(this->name()) + ": no DRAM row size");
  SC_HAS_PROCESS(BankPe);
  SC_THREAD(fetcher);
  SC_THREAD(multiplier);
}

void BankPe::start(std::vector<PeJob> jobs, const BlockGate& gate, std::function<void(int64_t)> job_done) {
  if (running_) throw InternalError(std::string(name()) + ": plan started while the previous one runs");
  running_ = true;
  jobs_ = std::move(jobs);
  gate_ = &gate;
  job_done_ = std::move(job_done);
  // Ideal: the whole job is one chunk. Cycle: half the weight buffer per chunk.
  chunks_.clear();
  const int64_t chunk_bytes = std::max<int64_t>(weight_buffer_bytes_ / 2, 1);
  for (int64_t j = 0; j < int64_t(jobs_.size()); ++j) {
    const PeJob& job = jobs_[j];
    if (job.macs <= 0) continue;
    const int64_t per = ideal_ ? std::max<int64_t>(job.weight_bytes, 1) : chunk_bytes;
    const int64_t n = std::max<int64_t>(1, (job.weight_bytes + per - 1) / per);
    for (int64_t c = 0; c < n; ++c) {
      Chunk ch;
      ch.job = j;
      ch.bytes = std::min(per, job.weight_bytes - c * per);
      ch.macs = job.weight_bytes > 0 ? job.macs * double(ch.bytes) / double(job.weight_bytes) : job.macs;
      ch.last_of_job = c + 1 == n;
      chunks_.push_back(ch);
    }
    ++stats_.jobs;
  }
  chunks_fetched_ = chunks_consumed_ = 0;
  start_fetch_.notify(sc_core::SC_ZERO_TIME);
  start_mul_.notify(sc_core::SC_ZERO_TIME);
}

sc_core::sc_time BankPe::mac_time(double macs) const {
  const double per_cycle = double(pe_.fpus_per_pe * pe_.macs_per_fpu_per_cycle);
  if (ideal_) return seconds_to_time(macs / (per_cycle * pe_.frequency_hz));
  return seconds_to_time(std::ceil(macs / per_cycle) / pe_.frequency_hz);
}

void BankPe::fetcher() {
  for (;;) {
    sc_core::wait(start_fetch_);
    int64_t current_job = -1;
    int64_t job_bytes_done = 0;
    for (size_t c = 0; c < chunks_.size(); ++c) {
      Chunk& ch = chunks_[c];
      // Double buffering: at most two chunks in the buffer (ideal: one, and only once released).
      while (chunks_fetched_ - chunks_consumed_ >= (ideal_ ? 1u : 2u)) sc_core::wait(chunk_freed_);
      if (ideal_) {
        while (gate_->released <= ch.job) sc_core::wait(gate_->changed);
      }
      if (ch.job != current_job) current_job = ch.job, job_bytes_done = 0;
      // Weights are laid out row after row of the bank; the DRAM model maps the rows.
      ch.fetch_start = sc_core::sc_time_stamp();
      hb_requested_bytes_ += ch.bytes;
      hb_fetching_wave_.set(1);
      // The job's stream goes on past this chunk (the die's controller may open the next row ahead).
      const bool job_continues = job_bytes_done + ch.bytes < jobs_[ch.job].weight_bytes;
      dram_.hb_read(bank_, jobs_[ch.job].start_row + job_bytes_done / row_bytes_, ch.bytes, job_continues);
      ch.fetch_end = sc_core::sc_time_stamp();
      hb_fetching_wave_.set(0);
      if (hb_gbps_wave_.attached() && ch.fetch_end > ch.fetch_start) {
        // bytes per ns = GB/s, over the fetch.
        hb_gbps_wave_.set_at(to_ps(ch.fetch_start), double(ch.bytes) / ((ch.fetch_end - ch.fetch_start).to_seconds() * 1e9));
        hb_gbps_wave_.set(0);
      }
      job_bytes_done += ch.bytes;
      stats_.weight_bytes += ch.bytes;
      weight_buffer_used_bytes_ += ch.bytes;
      max_weight_used_ = std::max(max_weight_used_, weight_buffer_used_bytes_);
      ++chunks_fetched_;
      chunk_ready_.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

void BankPe::multiplier() {
  for (;;) {
    sc_core::wait(start_mul_);
    sc_core::sc_time ideal_job_end;
    last_mac_end_ = sc_core::sc_time_stamp();
    for (size_t c = 0; c < chunks_.size(); ++c) {
      const Chunk& ch = chunks_[c];
      const bool first_of_job = c == 0 || chunks_[c - 1].job != ch.job;
      while (gate_->released <= ch.job) sc_core::wait(gate_->changed);
      const sc_core::sc_time gate_passed_at = sc_core::sc_time_stamp();
      // Ideal overlaps the job's whole stream with its MACs, from the moment it is released.
      if (ideal_ && first_of_job) ideal_job_end = sc_core::sc_time_stamp() + mac_time(jobs_[ch.job].macs);
      while (chunks_fetched_ <= c) sc_core::wait(chunk_ready_);
      const sc_core::sc_time before = sc_core::sc_time_stamp();
      sc_core::sc_time mac_start = before, mac_busy;
      if (ideal_) {
        wait_until(ideal_job_end);
        mac_busy = sc_core::sc_time_stamp() - before;
        stats_.busy += mac_busy;
      } else {
        // Streaming through the FIFO: MACs start once the first burst is in and cannot finish
        // before the last burst has arrived and been multiplied.
        const int64_t bursts = std::max<int64_t>(1, (ch.bytes + burst_bytes_ - 1) / burst_bytes_);
        const sc_core::sc_time dur = mac_time(ch.macs);
        const sc_core::sc_time first_burst_in = ch.fetch_start + (ch.fetch_end - ch.fetch_start) / double(bursts);
        const sc_core::sc_time start = std::max(last_mac_end_, std::max(first_burst_in, gate_passed_at));
        wait_until(std::max(start + dur, ch.fetch_end + dur / double(bursts)));
        last_mac_end_ = sc_core::sc_time_stamp();
        stats_.busy += dur;
        mac_start = start;
        mac_busy = dur;
      }
      if (busy_wave_.attached()) {
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        if (now > mac_start) {
          busy_wave_.set_at(to_ps(mac_start), 1);
          mac_fraction_wave_.set_at(to_ps(mac_start), mac_busy.to_seconds() / (now - mac_start).to_seconds());
          busy_wave_.set(0);
          mac_fraction_wave_.set(0);
        }
        spans_.push_back(ChunkSpan{to_ps(ch.fetch_start), to_ps(ch.fetch_end), to_ps(mac_start), to_ps(now), ch.bytes});
      }
      weight_buffer_used_bytes_ -= ch.bytes;
      if (weight_buffer_used_bytes_ < 0) throw InternalError(std::string(name()) + ": weight buffer occupancy below zero");
      ++chunks_consumed_;
      chunk_freed_.notify(sc_core::SC_ZERO_TIME);
      stats_.macs += ch.macs;
      if (ch.last_of_job) job_done_(ch.job);
    }
    record_weight_buffer();
    running_ = false;
  }
}

void BankPe::record_lockstep_job(int64_t stream_bytes, int64_t weight_bytes, double macs,
                                 const sc_core::sc_time& start, const sc_core::sc_time& end) {
  hb_requested_bytes_ += stream_bytes;
  stats_.weight_bytes += weight_bytes;
  stats_.macs += macs;
  ++stats_.jobs;
  const sc_core::sc_time busy = mac_time(macs);
  stats_.busy += busy;
  // The PE reads and multiplies as the MAC commands arrive: both span the stream. No weight
  // buffer: operands come from the bank and the registers (weight_buffer_bytes stays 0).
  if (hb_fetching_wave_.attached() && end > start) {
    hb_fetching_wave_.set_at(to_ps(start), 1);
    hb_gbps_wave_.set_at(to_ps(start), double(stream_bytes) / ((end - start).to_seconds() * 1e9));
    busy_wave_.set_at(to_ps(start), 1);
    mac_fraction_wave_.set_at(to_ps(start), busy.to_seconds() / (end - start).to_seconds());
    hb_fetching_wave_.set(0);
    hb_gbps_wave_.set(0);
    busy_wave_.set(0);
    mac_fraction_wave_.set(0);
  }
}

void BankPe::record_weight_buffer() {
  if (spans_.empty()) return;
  // Occupancy = sum over chunks of bytes x (share arrived - share consumed), each share a ramp
  // over its span: piecewise linear, so its values at the span ends describe it exactly.
  std::vector<int64_t> points;
  for (const ChunkSpan& s : spans_) {
    points.insert(points.end(), {s.fetch_start_ps, s.fetch_end_ps, s.mac_start_ps, s.mac_end_ps});
  }
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  auto ramp = [](int64_t t, int64_t a, int64_t b) {
    if (t >= b) return 1.0;
    if (t <= a) return 0.0;
    return double(t - a) / double(b - a);
  };
  size_t lo = 0;  // chunks before lo are consumed by t (mac_end_ps is non-decreasing)
  for (const int64_t t : points) {
    while (lo < spans_.size() && spans_[lo].mac_end_ps <= t) ++lo;
    double bytes = 0;
    for (size_t c = lo; c < spans_.size() && spans_[c].fetch_start_ps < t; ++c) {
      const ChunkSpan& s = spans_[c];
      bytes += double(s.bytes) * (ramp(t, s.fetch_start_ps, s.fetch_end_ps) - ramp(t, s.mac_start_ps, s.mac_end_ps));
    }
    weight_buffer_wave_.set_at(t, double(std::llround(bytes)));
  }
  spans_.clear();
}

std::string BankPe::pending_work() const {
  if (!running_) return "";
  const int64_t released = gate_ != nullptr ? gate_->released : 0;
  const int64_t next_job = chunks_consumed_ < chunks_.size() ? chunks_[chunks_consumed_].job : -1;
  return std::string(name()) + ": " + std::to_string(chunks_fetched_) + " of " + std::to_string(chunks_.size()) +
         " weight chunks fetched, " + std::to_string(chunks_consumed_) + " multiplied; next job " +
         std::to_string(next_job) + ", blocks released to the PEs " + std::to_string(released);
}

std::vector<std::string> BankPe::end_of_run_violations() const {
  std::vector<std::string> v;
  const std::string n = name();
  if (running_) v.push_back(n + ": still running (" + pending_work() + ")");
  if (weight_buffer_used_bytes_ != 0) {
    v.push_back(n + ": weight buffer holds " + std::to_string(weight_buffer_used_bytes_) + " B after the run");
  }
  if (!ideal_ && max_weight_used_ > weight_buffer_bytes_) {
    v.push_back(n + ": weight buffer reached " + std::to_string(max_weight_used_) + " B, above its capacity of " +
                std::to_string(weight_buffer_bytes_) + " B");
  }
  return v;
}

void BankPe::attach_waveform(Waveform& w) {
  const std::string n = name();
  hb_fetching_wave_.attach(&w, n + ".hb_fetching", 1, WaveFormat::bit);
  hb_gbps_wave_.attach(&w, n + ".hb_gbps", 64, WaveFormat::real);
  weight_buffer_wave_.attach(&w, n + ".weight_buffer_bytes", 32, WaveFormat::ramp);
  busy_wave_.attach(&w, n + ".busy", 1, WaveFormat::bit);
  mac_fraction_wave_.attach(&w, n + ".mac_busy_fraction", 64, WaveFormat::real);
}

}  // namespace h2sim

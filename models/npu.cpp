#include "models/npu.hpp"

#include <algorithm>
#include <string>

#include "config/errors.hpp"
#include "mapping/roofline.hpp"
#include "models/sc_time_util.hpp"

namespace h2sim {

namespace {
constexpr int64_t kNpuChunkBytes = 16 * 1024;  // the NPU's per-channel read granularity (inferred)
}

Npu::Npu(sc_core::sc_module_name name, const HardwareConfig& hw, bool ideal, std::vector<ExternalLink*> links)
    : sc_core::sc_module(name), hw_(hw), ideal_(ideal), links_(std::move(links)) {}

Npu::Queue& Npu::acquire(int queue) {
  Queue& q = queues_[ideal_ ? queue : 0];
  const int64_t ticket = q.next_ticket++;
  while (q.serving != ticket) sc_core::wait(q.turn);
  return q;
}

void Npu::release(Queue& q) {
  ++q.serving;
  q.turn.notify(sc_core::SC_ZERO_TIME);
}

void Npu::write(int64_t bytes, const std::vector<int>& holding) {
  if (bytes <= 0 || holding.empty()) return;
  const int n = static_cast<int>(holding.size());
  sc_core::sc_event_and_list all;
  std::vector<sc_core::sc_process_handle> writes;
  for (int i = 0; i < n; ++i) {
    const int64_t share = bytes / n + (i < bytes % n ? 1 : 0);
    ExternalLink* link = links_.at(holding[i]);
    writes.push_back(sc_core::sc_spawn([link, share]() { link->transfer(share, LinkTraffic::npu_write); }));
    all &= writes.back().terminated_event();
  }
  sc_core::wait(all);
}

void Npu::gemm(const GemmShape& shape, const std::vector<int>& holding, int queue) {
  if (holding.empty()) throw InternalError(std::string(name()) + ": NPU GEMM with no channel holding its data");
  macs_requested_ += shape.macs();
  Queue& q = acquire(queue);
  compute_free_at_ = std::max(compute_free_at_, sc_core::sc_time_stamp());
  const double rate = hw_.npu.compute_efficiency * hw_.npu.peak_macs_per_s;
  const double macs = shape.macs();
  // Bytes to stream: the artifact charges MACs / AI (weights re-read per batch item, inputs
  // too); the cycle model streams the DRAM operand once per batch item.
  const double total_bytes = ideal_ ? macs / arithmetic_intensity({1, shape.m, shape.k, shape.n}, hw_.element_bytes)
                                    : double(shape.batch) * double(shape.k) * double(shape.n) * double(hw_.element_bytes);
  const sc_core::sc_time start = sc_core::sc_time_stamp();
  const int n = static_cast<int>(holding.size());
  sc_core::sc_event_and_list all;
  std::vector<sc_core::sc_process_handle> streams;
  busy_flag_ = true;
  for (int i = 0; i < n; ++i) {
    const int64_t share = int64_t(total_bytes) / n + (i < int64_t(total_bytes) % n ? 1 : 0);
    ExternalLink* link = links_.at(holding[i]);
    streams.push_back(sc_core::sc_spawn([this, link, share, macs, total_bytes, rate]() {
      const int64_t chunk = ideal_ ? std::max<int64_t>(share, 1) : kNpuChunkBytes;
      for (int64_t done = 0; done < share; done += chunk) {
        const int64_t bytes = std::min(chunk, share - done);
        link->transfer(bytes, LinkTraffic::npu_read);
        stats_.bytes_read += bytes;
        if (!ideal_) {
          // The chunk's MACs start when both it and the multiplier are ready.
          const sc_core::sc_time dur = seconds_to_time(macs * (double(bytes) / total_bytes) / rate);
          const sc_core::sc_time begin = std::max(compute_free_at_, sc_core::sc_time_stamp());
          compute_free_at_ = begin + dur;
          stats_.compute_busy += dur;
        }
      }
    }));
    all &= streams.back().terminated_event();
  }
  sc_core::wait(all);
  if (ideal_) {
    stats_.compute_busy += seconds_to_time(macs / rate);
    wait_until(start + seconds_to_time(macs / rate));
  } else {
    wait_until(compute_free_at_);
  }
  stats_.macs += macs;
  busy_flag_ = false;
  if (log_ != nullptr) log_->add(log_track_, time_to_ps(start), time_to_ps(sc_core::sc_time_stamp()), "gemm", int64_t(total_bytes));
  release(q);
}

void Npu::reduce(double adds, int queue) {
  if (adds <= 0) return;
  adds_requested_ += adds;
  Queue& q = acquire(queue);
  const sc_core::sc_time dur = seconds_to_time(adds / hw_.npu.reduce_ops_per_s);
  busy_flag_ = true;
  sc_core::wait(dur);
  busy_flag_ = false;
  if (log_ != nullptr) {
    log_->add(log_track_, time_to_ps(sc_core::sc_time_stamp() - dur), time_to_ps(sc_core::sc_time_stamp()), "reduce", 0);
  }
  stats_.reduce_adds += adds;
  stats_.reduce_busy += dur;
  release(q);
}

std::vector<std::string> Npu::pending_work() const {
  std::vector<std::string> p;
  for (const auto& [id, q] : queues_) {
    if (q.next_ticket == q.serving) continue;
    p.push_back(std::string(name()) + ": queue " + std::to_string(id) + ": " + std::to_string(q.next_ticket - q.serving) +
                " operation(s) waiting or in service");
  }
  return p;
}

std::vector<std::string> Npu::end_of_run_violations() const {
  std::vector<std::string> v = pending_work();
  const std::string n = name();
  // MAC counts are sums of doubles in call order, so the two sides add the same terms.
  if (macs_requested_ != stats_.macs) {
    v.push_back(n + ": " + std::to_string(macs_requested_) + " MACs requested, " + std::to_string(stats_.macs) + " done");
  }
  if (adds_requested_ != stats_.reduce_adds) {
    v.push_back(n + ": " + std::to_string(adds_requested_) + " reduction adds requested, " +
                std::to_string(stats_.reduce_adds) + " done");
  }
  return v;
}

void Npu::attach_waveform(Waveform& w) { busy_flag_.attach(&w, std::string(name()) + ".busy", 1); }

}  // namespace h2sim

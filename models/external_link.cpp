#include "models/external_link.hpp"

#include <algorithm>
#include <string>

#include "config/errors.hpp"
#include "models/sc_time_util.hpp"

namespace h2sim {

const char* to_string(LinkTraffic t) {
  switch (t) {
    case LinkTraffic::scatter: return "scatter";
    case LinkTraffic::load: return "load";
    case LinkTraffic::npu_read: return "npu_read";
    case LinkTraffic::npu_write: return "npu_write";
  }
  return "?";
}

ExternalLink::ExternalLink(sc_core::sc_module_name name, LinkRates rates)
    : sc_core::sc_module(name), rates_(rates) {
  if (!(rates_.transfer_bytes_per_s > 0) || !(rates_.npu_bytes_per_s > 0)) {
    throw InternalError(std::string(basename()) + ": link rates must be positive");
  }
}

void ExternalLink::transfer(int64_t bytes, LinkTraffic kind) {
  if (bytes <= 0) return;
  const bool npu = kind == LinkTraffic::npu_read || kind == LinkTraffic::npu_write;
  requested_bytes_ += bytes;
  const int64_t ticket = next_ticket_++;
  while (serving_ != ticket) sc_core::wait(turn_);
  const sc_core::sc_time start = sc_core::sc_time_stamp();
  ++active_;
  busy_flag_ = true;
  bytes_in_flight_ = bytes;
  WaveSignal& kind_wave = kind_wave_[npu ? 2 : kind == LinkTraffic::scatter ? 0 : 1];
  kind_wave.set(1);
  if (npu && dram_ != nullptr) {
    if (npu_address_ + bytes > dram_capacity_bytes_) npu_address_ = 0;
    dram_->external_access(kind == LinkTraffic::npu_read ? DramAccess::read : DramAccess::write, npu_address_, bytes);
    npu_address_ += bytes;
  } else {
    sc_core::wait(transfer_time(bytes, npu ? rates_.npu_bytes_per_s : rates_.transfer_bytes_per_s));
  }
  bytes_[static_cast<int>(kind)] += bytes;
  busy_[static_cast<int>(kind)] += sc_core::sc_time_stamp() - start;
  ++transfers_;
  kind_wave.set(0);
  if (log_ != nullptr) log_->add(log_track_, time_to_ps(start), time_to_ps(sc_core::sc_time_stamp()), to_string(kind), bytes);
  if (--active_ == 0) {
    busy_flag_ = false;
    bytes_in_flight_ = 0;
  }
  ++serving_;
  turn_.notify(sc_core::SC_ZERO_TIME);
}

sc_core::sc_time ExternalLink::busy_time() const {
  sc_core::sc_time total;
  for (const auto& t : busy_) total += t;
  return total;
}

int64_t ExternalLink::delivered_bytes() const {
  int64_t total = 0;
  for (const int64_t b : bytes_) total += b;
  return total;
}

std::string ExternalLink::pending_work() const {
  const int64_t queued = next_ticket_ - serving_;
  if (queued == 0) return "";
  return std::string(name()) + ": " + std::to_string(queued) + " transfer(s) queued, the first in service (" +
         std::to_string(requested_bytes_ - delivered_bytes()) + " B requested but not delivered)";
}

void ExternalLink::attach_waveform(Waveform& w) {
  busy_flag_.attach(&w, std::string(name()) + ".busy", 1);
  bytes_in_flight_.attach(&w, std::string(name()) + ".bytes_in_flight", 32);
  kind_wave_[0].attach(&w, std::string(name()) + ".scatter", 1, WaveFormat::bit);
  kind_wave_[1].attach(&w, std::string(name()) + ".load", 1, WaveFormat::bit);
  kind_wave_[2].attach(&w, std::string(name()) + ".npu", 1, WaveFormat::bit);
}

}  // namespace h2sim

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
  const sc_core::sc_time duration = transfer_time(bytes, npu ? rates_.npu_bytes_per_s : rates_.transfer_bytes_per_s);
  // First come, first served: the bus is granted at the end of everything granted before.
  const sc_core::sc_time start = std::max(free_at_, sc_core::sc_time_stamp());
  free_at_ = start + duration;
  bytes_[static_cast<int>(kind)] += bytes;
  busy_[static_cast<int>(kind)] += duration;
  ++transfers_;
  wait_until(start);
  ++active_;
  busy_flag_ = true;
  bytes_in_flight_ = bytes;
  sc_core::wait(duration);
  if (--active_ == 0) {
    busy_flag_ = false;
    bytes_in_flight_ = 0;
  }
}

sc_core::sc_time ExternalLink::busy_time() const {
  sc_core::sc_time total;
  for (const auto& t : busy_) total += t;
  return total;
}

void ExternalLink::trace(sc_core::sc_trace_file* tf) const {
  sc_core::sc_trace(tf, busy_flag_, std::string(name()) + ".busy");
  sc_core::sc_trace(tf, bytes_in_flight_, std::string(name()) + ".bytes_in_flight");
}

}  // namespace h2sim

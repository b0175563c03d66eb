#include "models/bandwidth_pipe_dram.hpp"

#include <algorithm>
#include <string>

#include "config/errors.hpp"
#include "models/sc_time_util.hpp"

namespace h2sim {

BandwidthPipeDram::BandwidthPipeDram(sc_core::sc_module_name name, int banks, double hb_bytes_per_s,
                                     double external_bytes_per_s, int64_t burst_bytes)
    : sc_core::sc_module(name),
      hb_bytes_per_s_(hb_bytes_per_s),
      external_bytes_per_s_(external_bytes_per_s),
      burst_bytes_(burst_bytes),
      bank_free_at_(static_cast<size_t>(banks)) {}

void BandwidthPipeDram::hb_read(int bank, int64_t /*row*/, int64_t bytes, bool /*stream_continues*/) {
  if (bank < 0 || bank >= static_cast<int>(bank_free_at_.size())) {
    throw InternalError(std::string(name()) + ": hb_read of bank " + std::to_string(bank) + " out of range");
  }
  if (bytes <= 0) return;
  if (!(hb_bytes_per_s_ > 0)) throw InternalError(std::string(name()) + ": no hybrid-bonded ports on this channel");
  const sc_core::sc_time start = std::max(bank_free_at_[bank], sc_core::sc_time_stamp());
  bank_free_at_[bank] = start + transfer_time(bytes, hb_bytes_per_s_);
  stats_.hb_bytes += bytes;
  ++stats_.in_flight;
  wait_until(bank_free_at_[bank]);
  --stats_.in_flight;
}

void BandwidthPipeDram::pim_stream(int64_t /*row*/, int64_t bytes_per_bank, int64_t pe_interval_ps) {
  if (bytes_per_bank <= 0) return;
  if (!(hb_bytes_per_s_ > 0)) throw InternalError(std::string(name()) + ": no NMP ports on this channel");
  sc_core::sc_time start = sc_core::sc_time_stamp();
  for (const auto& f : bank_free_at_) start = std::max(start, f);
  const int64_t bursts = (bytes_per_bank + burst_bytes_ - 1) / burst_bytes_;
  const sc_core::sc_time per_burst = std::max(transfer_time(burst_bytes_, hb_bytes_per_s_),
                                              sc_core::sc_time(double(pe_interval_ps), sc_core::SC_PS));
  const sc_core::sc_time end = start + per_burst * double(bursts);
  for (auto& f : bank_free_at_) f = end;
  stats_.hb_bytes += bytes_per_bank * int64_t(bank_free_at_.size());
  ++stats_.in_flight;
  wait_until(end);
  --stats_.in_flight;
}

void BandwidthPipeDram::external_access(DramAccess, int64_t, int64_t bytes) {
  if (bytes <= 0) return;
  const sc_core::sc_time start = std::max(external_free_at_, sc_core::sc_time_stamp());
  external_free_at_ = start + transfer_time(bytes, external_bytes_per_s_);
  stats_.external_bytes += bytes;
  ++stats_.in_flight;
  wait_until(external_free_at_);
  --stats_.in_flight;
}

}  // namespace h2sim

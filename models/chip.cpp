#include "models/chip.hpp"

#include <string>

#include "config/errors.hpp"
#include "mapping/roofline.hpp"
#include "models/bandwidth_pipe_dram.hpp"
#include "models/lpddr5_dram.hpp"

namespace h2sim {

LinkRates link_rates_for(const HardwareConfig& hw, bool ideal) {
  LinkRates r;
  if (ideal) {
    r.transfer_bytes_per_s = artifact_transfer_bytes_per_s(hw);
    r.npu_bytes_per_s = hw.npu.bandwidth_efficiency * hw.external_bandwidth_bytes_per_s;
  } else {
    r.transfer_bytes_per_s = hw.external_bandwidth_bytes_per_s;
    r.npu_bytes_per_s = hw.external_bandwidth_bytes_per_s;
  }
  return r;
}

Chip::Chip(sc_core::sc_module_name name, const HardwareConfig& hw, const ChipOptions& options)
    : sc_core::sc_module(name), hw_(hw) {
  if (options.row_bytes <= 0) throw InternalError("chip: no DRAM row size (ChipOptions::row_bytes)");
  if (options.dram_standard != nullptr && options.dram_standard->row_bytes != options.row_bytes) {
    throw InternalError("chip: ChipOptions::row_bytes differs from the DRAM standard's organisation.row_bytes");
  }
  std::vector<ExternalLink*> links;
  for (int c = 0; c < hw.channels; ++c) {
    ChannelParams p;
    p.index = c;
    p.nmp = c < hw.nmp_channels;
    p.ideal = options.ideal;
    p.link_rates = link_rates_for(hw, options.ideal);
    p.row_bytes = options.row_bytes;
    const std::string ch = "ch" + std::to_string(c);
    const DramStandard* standard = options.dram_standard;
    auto make_dram = [&hw, &options, standard, c, nmp = p.nmp](const char* dram_name) -> std::unique_ptr<DramChannelPort> {
      if (options.dram_factory) return options.dram_factory(dram_name, c, nmp);
      if (standard != nullptr) return std::make_unique<Lpddr5Dram>(dram_name, hw, *standard, nmp);
      return std::make_unique<BandwidthPipeDram>(dram_name, static_cast<int>(hw.banks_per_channel),
                                                 nmp ? hw.pe.hb_bandwidth_bytes_per_s : 0.0,
                                                 hw.external_bandwidth_bytes_per_s, hw.burst_bytes);
    };
    channels_.push_back(std::make_unique<Channel>(ch.c_str(), hw, p, make_dram));
    if (standard != nullptr || options.dram_factory) channels_.back()->link().attach_dram(&channels_.back()->dram(), hw.channel_capacity_bytes());
    links.push_back(&channels_.back()->link());
  }
  npu_ = std::make_unique<Npu>("npu", hw, options.ideal, links);
}

std::vector<std::string> Chip::pending_work() const {
  std::vector<std::string> p;
  for (const auto& c : channels_) {
    for (auto& s : c->pending_work()) p.push_back(std::move(s));
  }
  for (auto& s : npu_->pending_work()) p.push_back(std::move(s));
  return p;
}

std::vector<std::string> Chip::end_of_run_violations() const {
  std::vector<std::string> v;
  for (const auto& c : channels_) {
    for (auto& s : c->end_of_run_violations()) v.push_back(std::move(s));
  }
  for (auto& s : npu_->end_of_run_violations()) v.push_back(std::move(s));
  return v;
}

void Chip::attach_span_log(SpanLog& log) {
  for (const auto& c : channels_) c->attach_span_log(log);
  npu_->attach_span_log(log);
}

void Chip::attach_waveform(Waveform& w) {
  for (const auto& c : channels_) c->attach_waveform(w);
  npu_->attach_waveform(w);
}

}  // namespace h2sim

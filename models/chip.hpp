#pragma once
// The whole SoC: `channels` LPDDR5 channels (the first nmp_channels with an NMP logic die) and
// the NPU. Elaborated once per process from an already-validated HardwareConfig.
#include <systemc>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "models/channel.hpp"
#include "models/npu.hpp"

namespace h2sim {

struct DramStandard;

// Builds the DRAM of channel `channel` as a child module named `name`.
using ChannelDramFactory = std::function<std::unique_ptr<DramChannelPort>(const char* name, int channel, bool nmp)>;

struct ChipOptions {
  bool ideal = false;
  // The cycle-level LPDDR5 model behind every channel; nullptr: bandwidth pipes.
  const DramStandard* dram_standard = nullptr;
  // The size of a DRAM row, by which PEs number the rows their weights fill (the standard's
  // organisation.row_bytes; see kRowBytesWithoutStandard for designs without one).
  int64_t row_bytes = 0;
  // Replaces the DRAM of every channel when set (tests: fault injection, e.g. a DRAM that loses
  // a request, to exercise the watchdog and the end-of-run invariants).
  ChannelDramFactory dram_factory;
};

class Chip : public sc_core::sc_module {
 public:
  Chip(sc_core::sc_module_name name, const HardwareConfig& hw, const ChipOptions& options);

  Channel& channel(int i) { return *channels_.at(static_cast<size_t>(i)); }
  int channel_count() const { return static_cast<int>(channels_.size()); }
  Npu& npu() { return *npu_; }
  const HardwareConfig& hw() const { return hw_; }
  void attach_waveform(Waveform& w);
  void attach_span_log(SpanLog& log);

  // Every component still holding work (channels, links, DRAM ports, PEs, NPU queues), one line
  // each, named by its place in the hierarchy: the watchdog's stall report.
  std::vector<std::string> pending_work() const;
  // Every end-of-run invariant that does not hold (see Channel, BankPe, Npu); empty when all do.
  std::vector<std::string> end_of_run_violations() const;

 private:
  const HardwareConfig& hw_;
  std::vector<std::unique_ptr<Channel>> channels_;
  std::unique_ptr<Npu> npu_;
};

// The link rates each fidelity uses: ideal follows the artifact's formulas (GiB-based transfers,
// bandwidth_efficiency for the NPU); cycle the physical peak (its losses come from the models).
LinkRates link_rates_for(const HardwareConfig& hw, bool ideal);

}  // namespace h2sim

#pragma once
// The whole SoC: `channels` LPDDR5 channels (the first nmp_channels with an NMP logic die) and
// the NPU. Elaborated once per process from an already-validated HardwareConfig.
#include <systemc>

#include <memory>
#include <vector>

#include "config/hardware_config.hpp"
#include "models/channel.hpp"
#include "models/npu.hpp"

namespace h2sim {

struct DramStandard;

struct ChipOptions {
  bool ideal = false;
  // The cycle-level LPDDR5 model behind every channel; nullptr: bandwidth pipes.
  const DramStandard* dram_standard = nullptr;
};

class Chip : public sc_core::sc_module {
 public:
  Chip(sc_core::sc_module_name name, const HardwareConfig& hw, const ChipOptions& options);

  Channel& channel(int i) { return *channels_.at(static_cast<size_t>(i)); }
  int channel_count() const { return static_cast<int>(channels_.size()); }
  Npu& npu() { return *npu_; }
  const HardwareConfig& hw() const { return hw_; }
  void attach_waveform(Waveform& w);

 private:
  const HardwareConfig& hw_;
  std::vector<std::unique_ptr<Channel>> channels_;
  std::unique_ptr<Npu> npu_;
};

// The link rates each fidelity uses: ideal follows the artifact's formulas (GiB-based transfers,
// bandwidth_efficiency for the NPU); cycle the physical peak (its losses come from the models).
LinkRates link_rates_for(const HardwareConfig& hw, bool ideal);

}  // namespace h2sim

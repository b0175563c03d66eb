// Role: the chip setup shared by the runners (see sim/chip_setup.hpp).
#include "sim/chip_setup.hpp"

#include <fmt/format.h>

#include "config/errors.hpp"
#include "models/lpddr5_dram.hpp"

namespace h2sim {

std::unique_ptr<DramStandard> load_design_standard(const HardwareConfig& hw,
                                                   const std::vector<std::string>& dram_overrides) {
  if (hw.dram_standard_file.empty()) return nullptr;
  return std::make_unique<DramStandard>(load_dram_standard(hw.dram_standard_file, dram_overrides));
}

int64_t row_bytes_of(const DramStandard* standard) {
  return standard != nullptr ? standard->row_bytes : kRowBytesWithoutStandard;
}

void observe_dram_commands(Chip& chip, const std::vector<DramCommandObserver*>& sinks,
                           std::unique_ptr<DramCommandFanout>& fanout) {
  if (sinks.empty()) return;
  DramCommandObserver* o = sinks.front();
  if (sinks.size() > 1) {
    fanout = std::make_unique<DramCommandFanout>(sinks);
    o = fanout.get();
  }
  for (int c = 0; c < chip.channel_count(); ++c) static_cast<Lpddr5Dram&>(chip.channel(c).dram()).observe_commands(o, c);
}

void finish_dram_commands(Chip& chip) {
  for (int c = 0; c < chip.channel_count(); ++c) static_cast<Lpddr5Dram&>(chip.channel(c).dram()).finish_commands();
}

ChipSetup setup_chip(const HardwareConfig& hw, Fidelity fidelity, DramModel dram,
                     const std::vector<std::string>& dram_overrides, const ChannelDramFactory& factory) {
  ChipSetup s;
  s.options.ideal = fidelity == Fidelity::ideal;
  s.options.dram_factory = factory;
  s.standard = load_design_standard(hw, dram_overrides);
  s.options.row_bytes = row_bytes_of(s.standard.get());
  if (factory) {
    s.dram_model = "custom";
  } else if (fidelity == Fidelity::cycle && dram == DramModel::lpddr5) {
    if (!s.standard) {
      throw InputError(fmt::format("{}: key 'dram_standard' is not set; add it or use --dram pipe", hw.source_file));
    }
    s.options.dram_standard = s.standard.get();
    s.dram_model = "lpddr5";
  } else {
    s.dram_model = "pipe";
  }
  return s;
}

}  // namespace h2sim

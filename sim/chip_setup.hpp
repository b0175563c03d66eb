#pragma once
// Role: the one chip setup the runners share (`gemm` and `run`): which DRAM model sits behind every
// channel, from the fidelity and --dram, and the DRAM standard it plays. Nothing is guessed: the
// cycle-level LPDDR5 model on a design without a `dram_standard` is an input error, never a
// silent fall-back to the bandwidth pipe.
#include <memory>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "models/chip.hpp"
#include "models/dram/dram_command_observer.hpp"
#include "models/dram/dram_standard.hpp"
#include "sim/fidelity.hpp"

namespace h2sim {

// The DRAM behind each channel at `cycle` fidelity: the cycle-level LPDDR5 model of the design's
// `dram_standard` (the default), or a bandwidth pipe per port. `ideal` always uses the pipe.
enum class DramModel { lpddr5, pipe };

struct ChipSetup {
  ChipOptions options;                     // what Chip is built with
  std::string dram_model;                  // "lpddr5", "pipe" or "custom" (a test's DRAM factory)
  // The design's standard with --dram-set applied, whenever the design names one: it sets the row
  // size whichever DRAM model runs. options.dram_standard points to it only when the LPDDR5 model
  // plays it (cycle fidelity, --dram lpddr5).
  std::unique_ptr<DramStandard> standard;
};

// The design's DRAM standard with `dram_overrides` (--dram-set) applied, or nullptr when the design
// names none; and the row size it gives (kRowBytesWithoutStandard without one). Used at every
// fidelity: the analytic activity counts activates per row too.
std::unique_ptr<DramStandard> load_design_standard(const HardwareConfig& hw,
                                                   const std::vector<std::string>& dram_overrides);
int64_t row_bytes_of(const DramStandard* standard);

// The options of the chip for a simulated fidelity (ideal or cycle). `dram_overrides` are the
// KEY=VALUE of --dram-set for the standard; `factory` (tests only) replaces every channel's DRAM.
// InputError naming the design file and key if the LPDDR5 model is asked for and the design has
// no `dram_standard`.
// Every LPDDR5 channel of the chip reports its DRAM commands to `sinks` (through `fanout`, which
// the caller keeps alive, when there are several); none: nothing is attached.
void observe_dram_commands(Chip& chip, const std::vector<DramCommandObserver*>& sinks,
                           std::unique_ptr<DramCommandFanout>& fanout);
// After the simulation: every LPDDR5 channel reports its refreshes up to its last data.
void finish_dram_commands(Chip& chip);

ChipSetup setup_chip(const HardwareConfig& hw, Fidelity fidelity, DramModel dram,
                     const std::vector<std::string>& dram_overrides, const ChannelDramFactory& factory);

}  // namespace h2sim

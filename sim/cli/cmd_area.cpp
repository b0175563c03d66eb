// h2sim area: the silicon area of a design (NMP logic die or in-die PIM units per channel, NPU,
// DRAM dies) and whether each NMP logic die fits under the DRAM die it bonds to (mapping/area.hpp).
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "config/atomic_file.hpp"
#include "config/hardware_config.hpp"
#include "config/locator.hpp"
#include "mapping/area.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/flags/flags.hpp"

namespace h2sim::cli {

namespace {
// The variables of area's flags; names, defaults and help are in the table (sim/cli/flags/).
struct AreaArgs {
  std::string hw_file, json_file;
  std::vector<std::string> overrides;
};

void run(const AreaArgs& a) {
  const std::string hw_file = locate_config(ConfigKind::hardware, a.hw_file, "--hw");
  check_output_file("--json", a.json_file);
  check_not_an_input("--json", a.json_file, {hw_file});
  const HardwareConfig hw = load_hardware_config(hw_file, a.overrides);
  const AreaReport r = compute_area(hw);
  std::cout << area_table(r);
  if (!a.json_file.empty()) write_file_atomically(a.json_file, area_json(r).dump(2) + "\n");
}
}  // namespace

void register_area_command(CLI::App& app) {
  auto args = std::make_shared<AreaArgs>();
  CLI::App* cmd = app.add_subcommand(
      "area", "Silicon area of a design (NMP logic die per channel, in-die PIM units, NPU, DRAM dies) and whether "
              "each NMP die fits under its DRAM die (docs/area.md)");
  add_flags(*cmd, area_flags(), {{"hw", &args->hw_file}, {"json", &args->json_file}, {"set", &args->overrides}});
  cmd->callback([args]() { run(*args); });
}

}  // namespace h2sim::cli

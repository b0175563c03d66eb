// h2sim verify-trace: checks a DRAM command trace (--command-trace of dram, gemm, run) against
// every rule of the design's DRAM standard, with a checker written apart from the engine
// (verify/dram_trace_checker). Exit 0: every rule met; exit 2: the first violation (or bad input).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "config/locator.hpp"
#include "models/dram/dram_standard.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/flags/flags.hpp"
#include "verify/dram_trace_checker.hpp"

namespace h2sim::cli {

namespace {
struct VerifyArgs {
  std::string trace_file, hw_file;
  std::vector<std::string> hw_overrides, dram_overrides;
};
}  // namespace

void register_verify_trace_command(CLI::App& app) {
  auto a = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify-trace", "Check a DRAM command trace against every rule of the design's DRAM standard (exit 2 on a violation)");
  add_flags(*cmd, verify_trace_flags(),
            {{"trace", &a->trace_file}, {"hw", &a->hw_file}, {"set", &a->hw_overrides}, {"dram-set", &a->dram_overrides}});
  cmd->callback([a]() {
    const std::string hw_file = locate_config(ConfigKind::hardware, a->hw_file, "--hw");
    HardwareConfig hw = load_hardware_config(hw_file, a->hw_overrides);
    if (hw.dram_standard_file.empty()) {
      throw InputError(fmt::format("--hw {}: key 'dram_standard' is not set, so there are no DRAM rules to check",
                                   hw_file));
    }
    DramStandard standard = load_dram_standard(hw.dram_standard_file, a->dram_overrides);
    TraceCheckResult r = check_command_trace_file(a->trace_file, standard, hw);
    std::cout << r.report;
    if (!r.ok) {
      throw InputError(fmt::format("{}: the command trace breaks rule {} at line {}", a->trace_file,
                                   trace_rule_name(r.violation.rule), r.violation.line));
    }
  });
}

}  // namespace h2sim::cli

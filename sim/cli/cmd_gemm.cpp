// h2sim gemm: one GEMM on the chip, at any fidelity.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "config/locator.hpp"
#include "config/atomic_file.hpp"
#include "models/waveform.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/flags/flags.hpp"
#include "sim/gemm_report.hpp"
#include "sim/gemm_runner.hpp"
#include "sim/interrupt.hpp"
#include "sim/watchdog.hpp"

namespace h2sim::cli {

namespace {
// The variables of gemm's flags; names, defaults and help are in the table (sim/cli/flags/).
struct GemmArgs {
  std::string hw_file;
  int64_t m = 0, k = 0, n = 0, batch = 0;
  std::string on, fidelity;
  std::string json_file, vcd_file, command_trace_file;
  std::string dram;
  std::vector<std::string> overrides, dram_overrides;
  double max_wall_s = 0;
  bool quiet = false;
};

void run(const GemmArgs& given) {
  GemmArgs a = given;
  validate_max_wall_s(a.max_wall_s);
  a.hw_file = locate_config(ConfigKind::hardware, a.hw_file, "--hw");
  for (const auto& [flag, path] : {std::pair{"--json", a.json_file}, std::pair{"--vcd", a.vcd_file},
                                   std::pair{"--command-trace", a.command_trace_file}}) {
    check_output_file(flag, path);
    check_not_an_input(flag, path, {a.hw_file});
  }
  if (!a.vcd_file.empty()) {  // the GTKWave save file written beside the VCD
    check_output_file("--vcd (its GTKWave save file)", gtkw_path_for(a.vcd_file));
    check_not_an_input("--vcd (its GTKWave save file)", gtkw_path_for(a.vcd_file), {a.hw_file});
  }
  HardwareConfig hw = load_hardware_config(a.hw_file, a.overrides);
  GemmShape shape{a.batch, a.m, a.k, a.n};
  validate_gemm_shape(shape, "--m/--k/--n/--batch");
  GemmRunOptions opt;
  opt.fidelity = parse_fidelity(a.fidelity);
  if (a.on != "nmp" && a.on != "npu") throw InputError("--on: unknown target '" + a.on + "' (valid: nmp, npu)");
  opt.target = a.on == "nmp" ? GemmTarget::nmp : GemmTarget::npu;
  opt.vcd_path = a.vcd_file;
  if (a.dram != "lpddr5" && a.dram != "pipe") throw InputError("--dram: unknown model '" + a.dram + "' (valid: lpddr5, pipe)");
  opt.dram = a.dram == "lpddr5" ? DramModel::lpddr5 : DramModel::pipe;
  opt.dram_overrides = a.dram_overrides;
  if (!opt.vcd_path.empty() && opt.fidelity == Fidelity::analytic) {
    throw InputError("--vcd needs a simulated fidelity (ideal or cycle), not analytic");
  }
  if (!a.command_trace_file.empty() && (opt.fidelity != Fidelity::cycle || opt.dram != DramModel::lpddr5)) {
    throw InputError("--command-trace needs the cycle-level DRAM model (--fidelity cycle, --dram lpddr5)");
  }
  opt.command_trace_path = a.command_trace_file;
  opt.max_wall_s = a.max_wall_s;
  opt.exit_process_on_stop = true;
  opt.progress = !a.quiet;
  const SigintGuard sigint;  // Ctrl-C: the watchdog stops the simulation cleanly (exit 130)
  GemmRunResult r = run_gemm(hw, shape, opt);
  std::cout << format_gemm_report(r);
  if (!a.json_file.empty()) write_file_atomically(a.json_file, gemm_report_json(r).dump(2) + "\n");
  if (!a.vcd_file.empty()) {
    std::cout << fmt::format("  {:<34} {} (open: gtkwave {})\n", "waveform", a.vcd_file, gtkw_path_for(a.vcd_file));
  }
  if (!a.command_trace_file.empty()) {
    std::cout << fmt::format("  {:<34} {} ({} commands)\n", "DRAM command trace", a.command_trace_file,
                             r.command_trace_commands);
  }
}
}  // namespace

void register_gemm_command(CLI::App& app) {
  auto args = std::make_shared<GemmArgs>();
  CLI::App* cmd = app.add_subcommand("gemm", "Simulate one GEMM (batch x (M x K) x (K x N)) on a design");
  add_flags(*cmd, gemm_flags(),
            {{"hw", &args->hw_file},
             {"m", &args->m},
             {"k", &args->k},
             {"n", &args->n},
             {"command-trace", &args->command_trace_file},
             {"batch", &args->batch},
             {"on", &args->on},
             {"fidelity", &args->fidelity},
             {"dram", &args->dram},
             {"dram-set", &args->dram_overrides},
             {"json", &args->json_file},
             {"vcd", &args->vcd_file},
             {"set", &args->overrides},
             {"max-wall-s", &args->max_wall_s},
             {"quiet", &args->quiet}});
  cmd->callback([args]() { run(*args); });
}

}  // namespace h2sim::cli

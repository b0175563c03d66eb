// h2sim dram: micro-benchmark of one LPDDR5 channel (external x16 path or hybrid-bonded ports).
#include <iostream>
#include <memory>

#include "config/atomic_file.hpp"
#include "config/errors.hpp"
#include "config/locator.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/flags/flags.hpp"
#include "sim/dram_bench.hpp"

namespace h2sim::cli {

void register_dram_command(CLI::App& app) {
  auto o = std::make_shared<DramBenchOptions>();
  auto json_file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("dram", "Micro-benchmark of one DRAM channel with the cycle-level timing model");
  const auto opts = add_flags(*cmd, dram_flags(),
                              {{"hw", &o->hw_file},
                               {"path", &o->path},
                               {"pattern", &o->pattern},
                               {"trace", &o->trace_file},
                               {"trace-format", &o->trace_format},
                               {"address-mapping", &o->address_mapping},
                               {"bytes", &o->bytes},
                               {"kind", &o->kind},
                               {"seed", &o->seed},
                               {"json", json_file.get()},
                               {"command-trace", &o->command_trace},
                               {"set", &o->hw_overrides},
                               {"dram-set", &o->dram_overrides}});
  CLI::Option* pattern = opts.at("pattern");
  CLI::Option* trace = opts.at("trace");
  CLI::Option* bytes = opts.at("bytes");
  CLI::Option* kind = opts.at("kind");
  cmd->callback([o, json_file, pattern, trace, bytes, kind]() {
    if (trace->count() > 0) {
      if (pattern->count() > 0) throw InputError("--trace and --pattern exclude each other (give one)");
      if (bytes->count() > 0) throw InputError("--bytes is for --pattern; a --trace gives its own requests");
      if (kind->count() > 0) throw InputError("--kind is for --pattern; a --trace gives each request's kind");
      o->pattern = "trace";
    } else {
      if (pattern->count() == 0) throw InputError("--pattern or --trace is required");
      if (bytes->count() == 0) throw InputError("--bytes is required with --pattern");
    }
    DramBenchOptions resolved = *o;
    resolved.hw_file = locate_config(ConfigKind::hardware, o->hw_file, "--hw");
    check_output_file("--json", *json_file);
    check_not_an_input("--json", *json_file, {resolved.hw_file, resolved.dram_file, resolved.trace_file});
    check_output_file("--command-trace", resolved.command_trace);
    check_not_an_input("--command-trace", resolved.command_trace,
                       {resolved.hw_file, resolved.dram_file, resolved.trace_file, *json_file});
    DramBenchResult r = run_dram_bench(resolved);
    std::cout << r.table;
    if (!json_file->empty()) write_file_atomically(*json_file, r.json.dump(2) + "\n");
  });
}

}  // namespace h2sim::cli

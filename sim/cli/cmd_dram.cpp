// h2sim dram: micro-benchmark of one LPDDR5 channel (external x16 path or hybrid-bonded ports).
#include <iostream>
#include <memory>

#include "config/atomic_file.hpp"
#include "config/errors.hpp"
#include "config/locator.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"
#include "sim/dram_bench.hpp"

namespace h2sim::cli {

void register_dram_command(CLI::App& app) {
  auto o = std::make_shared<DramBenchOptions>();
  auto json_file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("dram", "Micro-benchmark of one DRAM channel with the cycle-level timing model");
  o->hw_file = kDefaultHardware;
  cmd->add_option("--hw", o->hw_file, std::string(kHwHelp) + "; its dram_standard gives the timing")
      ->capture_default_str();
  cmd->add_option("--path", o->path, "external (x16 interface, FR-FCFS) or hb (hybrid-bonded bank ports, NMP)")
      ->capture_default_str();
  CLI::Option* pattern = cmd->add_option("--pattern", o->pattern, "sequential or random (or replay a --trace)");
  CLI::Option* trace = cmd->add_option("--trace", o->trace_file,
                                       "Replay a request trace on the external path: `LD|ST <addr>` lines (Ramulator) "
                                       "or `<cycle> R|W <addr>` (timed, like DRAMSys .stl); docs/dram.md");
  cmd->add_option("--trace-format", o->trace_format, "auto, loadstore or timed")->capture_default_str();
  cmd->add_option("--address-mapping", o->address_mapping,
                  "RoBaRaCoCh (Ramulator 2) or fields lowest bits first, e.g. column,bank,bank_group,row "
                  "(default: the standard's controller.address_mapping)");
  // 1 GiB: a stream's bandwidth settles within a few MiB, and 1 GiB of random external reads
  // already takes 30-40 s and ~0.3 GiB of memory (sequential: ~1.5 s; measured on 2 EPYC cores);
  // one channel of the designs holds 4 GiB.
  CLI::Option* bytes = cmd->add_option("--bytes", o->bytes, "Bytes to move (hb: split evenly over the banks); with --pattern")
      ->transform(whole_number(1, int64_t(1) << 30, "a benchmark settles within a few MiB"));
  CLI::Option* kind = cmd->add_option("--kind", o->kind, "read or write (external path, --pattern)")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the random pattern")->capture_default_str()->transform(unsigned_64());
  cmd->add_option("--json", *json_file, "Write the results as JSON to this file");
  cmd->add_option("--command-trace", o->command_trace,
                  "Write every DRAM command issued (CSV, docs/dram.md; check it with h2sim verify-trace)");
  cmd->add_option("--set", o->hw_overrides, "Override a hardware config key: KEY=VALUE (repeatable)");
  cmd->add_option("--dram-set", o->dram_overrides,
                  "Override a DRAM standard key, e.g. hb_port.row_switch_overlap=1 (repeatable)");
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

// The flag table of each command: the one place a flag's name, type, range, default, unit and
// help are written (sim/cli/flags/flags.hpp says what uses them).
//
// To add a flag to a command:
//   1. Add a line to the command's table below, in the place it should appear in --help:
//        whole_flag("context-stride", "help text").default_is("16").range(1, kMax...).in_unit("tokens"),
//      Types: text_flag, word_flag (fixed words), path_flag (an input file), name_or_path_flag,
//      whole_flag (give .range), seed_flag, real_flag (give .real_range), bool_flag, key_values_flag
//      (KEY=VALUE, swept as NAME.KEY), output_flag (a file or folder the command writes: a sweep
//      never sets it, each point has its own folder). .parse_checked() makes CLI11 check the
//      range while parsing (and --help show it); without it the command checks after parsing.
//      .default_is(TEXT) is the value when the flag is not given, exactly as --help prints it.
//   2. Bind it to its variable in the command's add_flags call (sim/cli/cmd_<command>.cpp):
//        {"context-stride", &args->context_stride},
//   3. Document it in README.md (and docs/sweeps.md if a sweep needs to know something).
// A sweep of run, gemm or analyze accepts the new flag as a key with no further change.
#include <string>

#include "config/locator.hpp"
#include "mapping/gemm.hpp"
#include "mapping/search.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/flags/flags.hpp"

namespace h2sim::cli {

namespace {
// --max-wall-s of run and gemm: the commands check it after parsing (validate_max_wall_s); a
// billion seconds (~32 years) bounds what a sweep spec may write.
constexpr double kMaxWallS = 1e9;
// run --context-stride: a stride beyond the longest context of any scenario simulates one context.
constexpr int64_t kMaxContextStride = int64_t(1) << 30;
}  // namespace

const FlagTable& run_flags() {
  static const FlagTable t{
      "run",
      {
          name_or_path_flag("hw", kHwHelp).default_is(kDefaultHardware),
          name_or_path_flag("model", kModelHelp).default_is(kDefaultModel),
          name_or_path_flag("scenario", kScenarioHelp).default_is("sharegpt"),
          whole_flag("batch", "Sequences decoded together").default_is("1").range(1, kMaxBatch).parse_checked().in_unit("sequences"),
          name_or_path_flag("dataflow",
                            "npu-only, fc-nmp, attn-nmp, attn-nmp-split, cc-nmp, h2llm, or a dataflow YAML "
                            "(default: h2llm, searched and cached in OUT/dataflows; npu-only without NMP channels)"),
          word_flag("fidelity", {"analytic", "ideal", "cycle"}, "analytic, ideal or cycle").default_is("cycle"),
          word_flag("dram", {"lpddr5", "pipe"}, "DRAM at cycle fidelity: lpddr5 or pipe").default_is("lpddr5"),
          bool_flag("exact", "Simulate every layer and step (no memoization of repeated MAGs)"),
          whole_flag("context-stride", "Simulate attention at every Nth decode context and interpolate between (1: every context)")
              .default_is("16")
              .range(1, kMaxContextStride)
              .in_unit("tokens"),
          bool_flag("artifact-compat", "The artifact's conventions (decode at the final context, ...)"),
          output_flag("out", "Folder for cached searched dataflows").default_is("out"),
          seed_flag("seed", "Seed of the dataflow search").default_is("1"),
          word_flag("search-fidelity", {"analytic", "cycle"},
                    "How a searched dataflow (h2llm, cc-nmp) is chosen: analytic (the GA's best by the roofline) or "
                    "cycle (the GA's leaders and, for h2llm, the best cc-nmp dataflow simulated at cycle fidelity; the "
                    "fastest wins; needs --fidelity cycle; docs/mapping.md)")
              .default_is("analytic"),
          whole_flag("search-candidates", "With --search-fidelity cycle: how many of the GA's leaders to simulate")
              .default_is("4")
              .range(1, 64)
              .in_unit("dataflows"),
          output_flag("json", "Write the results as JSON (latency_s, prefill_s, decode_s, ttft_s, tpot_s, ...)"),
          output_flag("trace", "Write a Chrome/Perfetto JSON timeline of the whole run on the simulated time axis (docs/timeline.md)"),
          // Checked by run after parsing (its own message); the bound keeps the trace file finite.
          whole_flag("trace-detail-steps",
                     "--trace: decode steps shown layer by layer with every channel's work; later steps are aggregated "
                     "(operators only, each MAG stretched over all layers), which bounds the file")
              .default_is("1")
              .range(0, 1000000)
              .in_unit("steps"),
          output_flag("vcd", "Write a VCD waveform (timescale 1 ps) of the --vcd-window to this file, and a GTKWave save file beside it (w.vcd -> w.gtkw)"),
          output_flag("command-trace",
                      "Write the DRAM commands of the --vcd-window (and from the last all-bank refresh before it) as CSV "
                      "(docs/dram.md; check it with h2sim verify-trace)"),
          text_flag("vcd-window",
                    "Which layer the VCD and the command trace cover: prefill (layer 0) or decode:N (layer 0 of decode "
                    "step N, 1-based)")
              .default_is("decode:1"),
          name_or_path_flag("energy",
                            "Energy prices: a shipped name or a YAML (default: the shipped 'default', configs/energy/default.yaml)"),
          key_values_flag("energy-set", "Override an energy key, e.g. --energy-set pe_mac_pj=1"),
          key_values_flag("set", "Override a hardware config key, e.g. --set nmp_channels=4"),
          key_values_flag("dram-set", "Override a DRAM standard key"),
          real_flag("max-wall-s", "Stop the simulation (exit 3, no result file) after this many seconds of wall time; 0: no limit")
              .default_is("0")
              .real_range(0.0, kMaxWallS)
              .in_unit("s"),
          bool_flag("quiet", "No progress lines on stderr").sweep_sets_it(),
      }};
  return t;
}

const FlagTable& gemm_flags() {
  static const FlagTable t{
      "gemm",
      {
          name_or_path_flag("hw", kHwHelp).default_is(kDefaultHardware),
          whole_flag("m", "Rows of the activation matrix (tokens x batch), elements").is_required().range(1, kMaxGemmDimension).in_unit("elements"),
          whole_flag("k", "Reduction dimension, elements").is_required().range(1, kMaxGemmDimension).in_unit("elements"),
          whole_flag("n", "Columns of the weight matrix, elements").is_required().range(1, kMaxGemmDimension).in_unit("elements"),
          output_flag("command-trace",
                      "Write every DRAM command of every channel (CSV, docs/dram.md; check it with h2sim verify-trace)"),
          whole_flag("batch", "Independent GEMMs of this shape (attention heads x batch)").default_is("1").range(1, kMaxGemmDimension),
          word_flag("on", {"nmp", "npu"}, "Where it runs: nmp (tiled over the NMP channels) or npu (weights streamed over all channels)")
              .default_is("nmp"),
          word_flag("fidelity", {"analytic", "ideal", "cycle"},
                    "analytic (artifact roofline), ideal (SystemC, roofline simplifications) or cycle (SystemC, buffers, overlap, contention)")
              .default_is("cycle"),
          word_flag("dram", {"lpddr5", "pipe"},
                    "DRAM at cycle fidelity: lpddr5 (bank/command timing of the design's dram_standard) or pipe (fixed bandwidth)")
              .default_is("lpddr5"),
          key_values_flag("dram-set", "Override a DRAM standard key, e.g. --dram-set hb_port.row_switch=prefetch_buffer"),
          output_flag("json", "Write the results as JSON to this file (latency_ns, breakdown_ns, ...)"),
          output_flag("vcd", "Write a VCD waveform (links, PEs, buffers, DRAM; timescale 1 ps) to this file, and a GTKWave save file beside it (w.vcd -> w.gtkw)"),
          key_values_flag("set", "Override a hardware config key, e.g. --set nmp_channels=4 --set pe.frequency_mhz=800"),
          real_flag("max-wall-s", "Stop the simulation (exit 3, no result file) after this many seconds of wall time; 0: no limit")
              .default_is("0")
              .real_range(0.0, kMaxWallS)
              .in_unit("s"),
          bool_flag("quiet", "No progress lines on stderr").sweep_sets_it(),
      }};
  return t;
}

const FlagTable& analyze_flags() {
  // Bounds and their reasons: SearchLimits in mapping/search.hpp.
  using L = SearchLimits;
  static const FlagTable t{
      "analyze",
      {
          name_or_path_flag("hw", kHwHelp).is_required(),
          name_or_path_flag("model", kModelHelp).is_required(),
          name_or_path_flag("scenario", kScenarioHelp).is_required(),
          whole_flag("batch", "Sequences decoded together").is_required().range(1, kMaxBatch).parse_checked().in_unit("sequences"),
          name_or_path_flag("dataflow", "npu-only, fc-nmp, attn-nmp, attn-nmp-split, cc-nmp, h2llm (searched), or a dataflow YAML file")
              .is_required(),
          bool_flag("artifact-compat",
                    "Reproduce the artifact: every decode step at the final context, its MIX conventions and "
                    "Attn-NMP-Split ratio"),
          output_flag("json", "Write the results as JSON (latency_per_layer_s, ...) to this file"),
          whole_flag("population", "Search population for cc-nmp / h2llm")
              .default_is("2500")
              .range(L::kMinPopulation, L::kMaxPopulation, "~1.1 KiB per individual")
              .parse_checked(),
          whole_flag("generations", "Search generations for cc-nmp / h2llm").default_is("50").range(1, L::kMaxGenerations).parse_checked(),
          seed_flag("seed", "Search seed for cc-nmp / h2llm").default_is("1").parse_checked(),
          whole_flag("threads", "Search threads for cc-nmp / h2llm (0: up to 2)").default_is("0").range(0, L::kMaxThreads).parse_checked(),
      }};
  return t;
}

const FlagTable& explore_flags() {
  using L = SearchLimits;
  static const FlagTable t{
      "explore",
      {
          name_or_path_flag("hw", std::string(kHwHelp) + " (the base design)").is_required(),
          name_or_path_flag("model", kModelHelp).is_required(),
          name_or_path_flag("scenario", kScenarioHelp).is_required(),
          whole_flag("batch", "Sequences decoded together").is_required().range(1, kMaxBatch).parse_checked().in_unit("sequences"),
          output_flag("out", "Output directory (best_dataflow.yaml, summary.json)").is_required(),
          word_flag("space", {"dataflow", "hardware"}, "dataflow (fixed design) or hardware (also NMP channels {2,4,6,8} x 16 PE tuples)")
              .default_is("dataflow"),
          word_flag("dataflow-space", {"h2llm", "cc-nmp"}, "h2llm (data-centric) or cc-nmp (compute-centric)").default_is("h2llm"),
          whole_flag("population", "Individuals per generation (population x generations <= 10^9)")
              .default_is("2500")
              .range(L::kMinPopulation, L::kMaxPopulation, "~1.1 KiB per individual")
              .parse_checked(),
          whole_flag("generations", "Generations").default_is("50").range(1, L::kMaxGenerations).parse_checked(),
          whole_flag("top-k", "Parents kept per generation (at most --population)").default_is("50").range(L::kMinTopK, L::kMaxTopK).parse_checked(),
          real_flag("mutation-ratio", "Share of children made by mutation (rest: crossover)").default_is("0.8").real_range(0.0, 1.0).parse_checked(),
          seed_flag("seed", "RNG seed (same seed, same result, any thread count)").default_is("1").parse_checked(),
          whole_flag("threads", "Worker threads (the result does not depend on them)").default_is("1").range(1, L::kMaxThreads).parse_checked(),
          bool_flag("artifact-compat", "Evaluate with the artifact's conventions"),
          bool_flag("quiet", "No per-generation progress on stderr").sweep_sets_it(),
      }};
  return t;
}

const FlagTable& dram_flags() {
  static const FlagTable t{
      "dram",
      {
          name_or_path_flag("hw", std::string(kHwHelp) + "; its dram_standard gives the timing").default_is(kDefaultHardware),
          word_flag("path", {"external", "hb"}, "external (x16 interface, FR-FCFS) or hb (hybrid-bonded bank ports, NMP)")
              .default_is("external"),
          // --pattern or --trace, one of them (the command checks): no default shown.
          word_flag("pattern", {"sequential", "random"}, "sequential or random (or replay a --trace)"),
          path_flag("trace",
                    "Replay a request trace on the external path: `LD|ST <addr>` lines (Ramulator) "
                    "or `<cycle> R|W <addr>` (timed, like DRAMSys .stl); docs/dram.md"),
          word_flag("trace-format", {"auto", "loadstore", "timed"}, "auto, loadstore or timed").default_is("auto"),
          text_flag("address-mapping",
                    "RoBaRaCoCh (Ramulator 2) or fields lowest bits first, e.g. column,bank,bank_group,row "
                    "(default: the standard's controller.address_mapping)"),
          // 1 GiB: a stream's bandwidth settles within a few MiB, and 1 GiB of random external reads
          // already takes 30-40 s and ~0.3 GiB of memory (sequential: ~1.5 s; measured on 2 EPYC cores);
          // one channel of the designs holds 4 GiB.
          whole_flag("bytes", "Bytes to move (hb: split evenly over the banks); with --pattern")
              .range(1, int64_t(1) << 30, "a benchmark settles within a few MiB")
              .parse_checked()
              .in_unit("B"),
          word_flag("kind", {"read", "write"}, "read or write (external path, --pattern)").default_is("read"),
          seed_flag("seed", "Seed of the random pattern").default_is("1").parse_checked(),
          output_flag("json", "Write the results as JSON to this file"),
          output_flag("command-trace", "Write every DRAM command issued (CSV, docs/dram.md; check it with h2sim verify-trace)"),
          key_values_flag("set", "Override a hardware config key: KEY=VALUE (repeatable)"),
          key_values_flag("dram-set", "Override a DRAM standard key, e.g. hb_port.row_switch=prefetch_buffer (repeatable)"),
      }};
  return t;
}

const FlagTable& verify_trace_flags() {
  static const FlagTable t{
      "verify-trace",
      {
          positional(path_flag("trace", "Command trace CSV (--command-trace of h2sim dram, gemm or run)")).is_required(),
          name_or_path_flag("hw", std::string(kHwHelp) + ", the design the trace was made with; its dram_standard gives the rules")
              .default_is(kDefaultHardware),
          key_values_flag("set", "Override a hardware config key: KEY=VALUE (repeatable; as for the run)"),
          key_values_flag("dram-set", "Override a DRAM standard key: KEY=VALUE (repeatable; as for the run)"),
      }};
  return t;
}

const FlagTable& area_flags() {
  static const FlagTable t{
      "area",
      {
          name_or_path_flag("hw", std::string(kHwHelp) + "; its `area:` section gives the coefficients (docs/area.md)")
              .default_is(kDefaultHardware),
          output_flag("json", "Write the breakdown as JSON (area_mm2.*, fit, coefficients) to this file"),
          key_values_flag("set", "Override a hardware config key, e.g. --set area.logic_node_nm=16 (repeatable)"),
      }};
  return t;
}

const FlagTable& check_flags() {
  static const FlagTable t{
      "check",
      {
          positional(paths_flag("files", "Files to check (the kind of each is detected from its keys)")).is_required(),
          word_flag("kind",
                    {"hardware", "dram", "energy", "model", "artifact-graph", "artifact-shape", "scenario", "dataflow",
                     "experiment", "sweep"},
                    "Treat every file as this kind: hardware, dram, energy, model, artifact-graph, artifact-shape, "
                    "scenario, dataflow, experiment, sweep"),
          name_or_path_flag("hw",
                            "Dataflows: the design to check against, a shipped name or a hardware config YAML (default: "
                            "the shipped design the dataflow names, else h2llm)"),
          name_or_path_flag("model",
                            "Dataflows: the model to check against, a shipped name or a model YAML (default: the shipped "
                            "model the dataflow names, else llama3-8b)"),
          whole_flag("batch", "Dataflows: sequences whose KV cache must fit (capacity check)")
              .default_is("1")
              .range(1, kMaxBatch)
              .parse_checked()
              .in_unit("sequences"),
          whole_flag("max-context", "Dataflows: tokens of context the KV cache must hold (capacity check)")
              .default_is("2048")
              .range(1, int64_t(1) << 24, "the bound of a scenario's max_context_tokens")
              .parse_checked()
              .in_unit("tokens"),
          bool_flag("quiet", "Print errors only"),
      }};
  return t;
}

const FlagTable& sweep_flags() {
  static const FlagTable t{
      "sweep",
      {
          positional(path_flag("spec", "Sweep spec YAML (or an experiment spec), e.g. tests/data/sweeps/tiny.yaml"))
              .is_required(),
          output_flag("out", "Output folder: sweep.json, points/<id>/{config.yaml,result.json,log.txt}").is_required(),
          whole_flag("jobs", "Points simulated at once (processes)")
              .default_is("1")
              .range(1, kMaxJobs, "each job is a process of its own")
              .parse_checked(),
          text_flag("shard", "Run share I of N (1 <= I <= N): points whose index % N == I-1").default_is("1/1"),
          bool_flag("dry-run", "Print each point's id and command line, run nothing"),
      }};
  return t;
}

const FlagTable& merge_flags() {
  static const FlagTable t{
      "merge",
      {
          positional(path_flag("dir", "The sweep's --out folder")).is_required(),
          bool_flag("allow-missing", "Exit 0 even if some points have no result (listed as missing)"),
      }};
  return t;
}

const FlagTable& experiment_flags() {
  static const FlagTable t{
      "experiment",
      {
          positional(name_or_path_flag("spec", "Experiment spec: a shipped name (paper) or a spec YAML")).is_required(),
          output_flag("out", "Output folder (points/, dataflows/, plots/, results.csv, summary.*)")
              .default_is("out/experiment"),
          whole_flag("jobs", "Points simulated in parallel (processes)")
              .default_is("2")
              .range(1, kMaxJobs, "each job is a process of its own")
              .parse_checked(),
          text_flag("fidelity", "Run only analytic, ideal or cycle points, or both (the spec's)").default_is("both"),
          real_flag("max-wall-s",
                    "Stop a point's simulation after this many seconds of wall time (the point fails, exit 3 in its "
                    "log; the others go on); 0: no limit")
              .default_is("0")
              .real_range(0, kMaxWallS)
              .parse_checked()
              .in_unit("s"),
      }};
  return t;
}

const FlagTable* command_flags(const std::string& command) {
  if (command == "run") return &run_flags();
  if (command == "gemm") return &gemm_flags();
  if (command == "analyze") return &analyze_flags();
  if (command == "explore") return &explore_flags();
  if (command == "dram") return &dram_flags();
  if (command == "verify-trace") return &verify_trace_flags();
  if (command == "area") return &area_flags();
  if (command == "check") return &check_flags();
  if (command == "sweep") return &sweep_flags();
  if (command == "merge") return &merge_flags();
  if (command == "experiment") return &experiment_flags();
  return nullptr;
}

}  // namespace h2sim::cli

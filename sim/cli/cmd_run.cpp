// h2sim run: end-to-end LLM inference (prefill + every decode step) on a design.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <iostream>
#include <memory>
#include <thread>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "config/locator.hpp"
#include "mapping/baselines.hpp"
#include "mapping/dataflow_choice.hpp"
#include "mapping/report.hpp"
#include "config/atomic_file.hpp"
#include "models/waveform.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/flags/flags.hpp"
#include "sim/llm_report.hpp"
#include "sim/llm_runner.hpp"
#include "sim/interrupt.hpp"
#include "sim/watchdog.hpp"
#include "study/dataflow_selection.hpp"

namespace h2sim::cli {

namespace {
// The variables of run's flags; names, defaults and help are in the table (sim/cli/flags/).
struct RunArgs {
  std::string hw_file, model_file, scenario;
  int64_t batch = 0;
  std::string dataflow;  // "" = the design's default
  std::string fidelity, dram, out_dir;
  std::string json_file, trace_file, energy_file, vcd_file, command_trace_file, vcd_window;
  int64_t trace_detail_steps = 0;
  std::vector<std::string> energy_overrides;
  bool exact = false, artifact_compat = false, quiet = false;
  int64_t context_stride = 0;
  std::vector<std::string> overrides, dram_overrides;
  uint64_t seed = 0;
  double max_wall_s = 0;
  std::string search_fidelity;
  int64_t search_candidates = 0;
};

// A file's bytes, whatever its size (the executable is one of the selection's inputs).
std::string file_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// --search-fidelity cycle: the searched space's leaders (and, for h2llm, the best cc-nmp dataflow,
// a member of the same space) simulated at cycle fidelity as child runs; the fastest is cached in
// OUT/dataflows under a key of everything the choice depends on.
Dataflow choose_by_cycle(const RunArgs& a, const std::string& scenario_file, const std::string& energy_file,
                         const DataflowChoice& choice, const HardwareConfig& hw, const ModelConfig& model,
                         const Scenario& scenario, nlohmann::ordered_json* report) {
  // Every input of the cycle runs: the analytic search's inputs (its cache file name), the files
  // and overrides of the simulation and h2sim's own build.
  std::string key_text = searched_dataflow_cache_file(choice, hw, model, scenario, a.batch);
  key_text += "|" + file_text(a.hw_file) + "|" + file_text(hw.dram_standard_file) + "|" + a.dram;
  for (const auto& s : a.overrides) key_text += "|set " + s;
  for (const auto& s : a.dram_overrides) key_text += "|dram-set " + s;
  key_text += fmt::format("|exact {} stride {} candidates {}|", a.exact, a.context_stride, a.search_candidates);
  key_text += file_text(self_executable());
  const std::string key = cache_key_hash(key_text);
  const std::filesystem::path dir = std::filesystem::path(a.out_dir) / "dataflows";
  const std::string cached = (dir / fmt::format("{}-cycle-selected-{}.yaml", choice.name_or_file, key)).string();
  std::error_code ec;
  if (std::filesystem::exists(cached, ec)) {
    if (!a.quiet) std::cerr << "h2sim: using the cycle-selected dataflow cached in " << cached << "\n";
    (*report)["cached_file"] = cached;
    Dataflow df = load_dataflow(cached, model, hw);
    df.name = choice.name_or_file;
    return df;
  }
  std::vector<SelectionCandidate> cands;
  const SearchLeaders leaders = search_leaders(choice, hw, model, scenario, a.batch, a.search_candidates);
  for (size_t i = 0; i < leaders.dataflows.size(); ++i) {
    cands.push_back({fmt::format("{} #{}", choice.name_or_file, i + 1), leaders.dataflows[i],
                     leaders.latency_per_layer_s[i], 0});
  }
  if (choice.name_or_file == "h2llm") {
    DataflowChoice cc = choice;
    cc.name_or_file = "cc-nmp";
    const Dataflow d = choose_dataflow(cc, hw, model, scenario, a.batch);
    bool dup = false;
    for (const auto& c : cands) dup |= c.dataflow == d;
    AnalyticEvaluator ev(hw, model, scenario, a.batch);
    if (!dup) cands.push_back({"cc-nmp", d, ev.latency_per_layer_s(d), 0});
  }
  SelectionInputs in;
  in.exe = self_executable();
  in.run_args = {"run", "--hw", a.hw_file, "--model", a.model_file, "--scenario", scenario_file, "--batch",
                 std::to_string(a.batch), "--fidelity", "cycle", "--dram", a.dram, "--context-stride",
                 std::to_string(a.context_stride)};
  if (a.exact) in.run_args.push_back("--exact");
  if (!energy_file.empty()) in.run_args.insert(in.run_args.end(), {"--energy", energy_file});
  for (const auto& s : a.energy_overrides) in.run_args.insert(in.run_args.end(), {"--energy-set", s});
  for (const auto& s : a.overrides) in.run_args.insert(in.run_args.end(), {"--set", s});
  for (const auto& s : a.dram_overrides) in.run_args.insert(in.run_args.end(), {"--dram-set", s});
  in.work_dir = (dir / fmt::format("{}-cycle-selection-{}", choice.name_or_file, key)).string();
  in.jobs = int(std::clamp(std::thread::hardware_concurrency(), 1u, 2u));
  in.progress = !a.quiet;
  if (!a.quiet) {
    std::cerr << fmt::format("h2sim: simulating {} candidate dataflows at cycle fidelity (in {})...\n", cands.size(),
                             in.work_dir);
  }
  const size_t best = select_by_cycle(cands, in, model, hw);
  write_file_atomically(cached, dataflow_to_yaml(cands[best].dataflow, model, hw));
  auto& list = (*report)["candidates"];
  list = nlohmann::ordered_json::array();
  for (size_t i = 0; i < cands.size(); ++i) {
    nlohmann::ordered_json c;
    c["label"] = cands[i].label;
    c["analytic_latency_per_layer_s"] = cands[i].analytic_latency_per_layer_s;
    c["cycle_latency_s"] = cands[i].cycle_latency_s;
    list.push_back(c);
    if (!a.quiet) {
      std::cerr << fmt::format("h2sim:   {:<10} analytic {:.6g} s/layer, cycle {:.6g} s{}\n", cands[i].label,
                               cands[i].analytic_latency_per_layer_s, cands[i].cycle_latency_s,
                               i == best ? "  <- chosen" : "");
    }
  }
  (*report)["chosen"] = cands[best].label;
  (*report)["analytic_best_cycle_latency_s"] = cands[0].cycle_latency_s;
  Dataflow df = cands[best].dataflow;
  df.name = choice.name_or_file;
  return df;
}

void run(const RunArgs& given) {
  RunArgs a = given;
  validate_max_wall_s(a.max_wall_s);
  a.hw_file = locate_config(ConfigKind::hardware, a.hw_file, "--hw");
  a.model_file = locate_config(ConfigKind::model, a.model_file, "--model");
  const std::string scenario_file = locate_config(ConfigKind::scenario, a.scenario, "--scenario");
  // Energy prices: --energy (a file or a shipped name), else the shipped default ones.
  std::string energy_file;
  if (!a.energy_file.empty()) {
    energy_file = locate_config(ConfigKind::energy, a.energy_file, "--energy");
  } else if (const auto names = shipped_names(ConfigKind::energy);
             std::find(names.begin(), names.end(), kDefaultEnergy) != names.end()) {
    energy_file = locate_config(ConfigKind::energy, kDefaultEnergy, "--energy");
  }
  for (const auto& [flag, path] :
       {std::pair{"--json", a.json_file}, std::pair{"--trace", a.trace_file}, std::pair{"--vcd", a.vcd_file},
        std::pair{"--command-trace", a.command_trace_file}}) {
    check_output_file(flag, path);
    check_not_an_input(flag, path, {a.hw_file, a.model_file, scenario_file, a.dataflow, energy_file});
  }
  if (!a.vcd_file.empty()) {  // the GTKWave save file written beside the VCD
    check_output_file("--vcd (its GTKWave save file)", gtkw_path_for(a.vcd_file));
    check_not_an_input("--vcd (its GTKWave save file)", gtkw_path_for(a.vcd_file),
                       {a.hw_file, a.model_file, a.scenario, a.dataflow, a.energy_file});
  }
  const SigintGuard sigint;  // Ctrl-C stops the search or the simulation cleanly (exit 130)
  const HardwareConfig hw = load_hardware_config(a.hw_file, a.overrides);
  const ModelConfig model = load_model_config(a.model_file);
  const Scenario scenario = load_scenario(scenario_file);
  LlmRunOptions opt;
  opt.fidelity = parse_fidelity(a.fidelity);
  if (a.dram != "lpddr5" && a.dram != "pipe") throw InputError("--dram: unknown model '" + a.dram + "' (valid: lpddr5, pipe)");
  opt.dram = a.dram == "lpddr5" ? DramModel::lpddr5 : DramModel::pipe;
  opt.dram_overrides = a.dram_overrides;
  opt.exact = a.exact;
  if (a.context_stride < 1) throw InputError(fmt::format("--context-stride must be at least 1, found {}", a.context_stride));
  opt.context_stride = a.context_stride;
  opt.artifact_compat = a.artifact_compat;
  opt.progress = !a.quiet;
  opt.trace_path = a.trace_file;
  if (a.trace_detail_steps < 0 || a.trace_detail_steps > 1000000) {
    throw InputError(fmt::format("--trace-detail-steps must be in [0, 1000000], found {}", a.trace_detail_steps));
  }
  opt.trace_detail_steps = a.trace_detail_steps;
  opt.vcd_path = a.vcd_file;
  opt.vcd_window = a.vcd_window;
  if (!a.vcd_file.empty()) {
    if (opt.fidelity == Fidelity::analytic) throw InputError("--vcd needs a simulated fidelity (ideal or cycle), not analytic");
    validate_vcd_window(a.vcd_window, scenario.decode_tokens);
  }
  opt.command_trace_path = a.command_trace_file;
  if (!a.command_trace_file.empty()) {
    if (opt.fidelity != Fidelity::cycle || opt.dram != DramModel::lpddr5) {
      throw InputError("--command-trace needs the cycle-level DRAM model (--fidelity cycle, --dram lpddr5)");
    }
    validate_vcd_window(a.vcd_window, scenario.decode_tokens);
  }
  if (!a.trace_file.empty() && opt.fidelity == Fidelity::analytic) {
    throw InputError("--trace needs a simulated fidelity (ideal or cycle), not analytic");
  }

  EnergyConfig energy;
  if (!energy_file.empty()) {
    energy = load_energy_config(energy_file, a.energy_overrides);
    opt.energy = &energy;
  } else if (!a.quiet) {
    std::cerr << fmt::format("h2sim: no shipped energy config '{}' found (looked in: {}); give --energy FILE; "
                             "energy is not reported\n",
                             kDefaultEnergy, fmt::join(shipped_configs().looked_in, ", "));
  }
  DataflowChoice choice;
  choice.name_or_file = a.dataflow.empty() ? default_dataflow_name(hw) : a.dataflow;
  choice.artifact_compat = a.artifact_compat;
  choice.search.seed = a.seed;
  choice.search.threads = int(std::clamp(std::thread::hardware_concurrency(), 1u, 2u));
  choice.cache_dir = a.out_dir.empty() ? "" : a.out_dir + "/dataflows";
  choice.progress = !a.quiet;
  choice.search.stop = &interrupt_flag();
  nlohmann::ordered_json selection;
  if (a.search_fidelity != "analytic" && a.search_fidelity != "cycle") {
    throw InputError("--search-fidelity: '" + a.search_fidelity + "' (valid: analytic, cycle)");
  }
  const bool by_cycle = a.search_fidelity == "cycle" && is_searched_baseline(choice.name_or_file);
  if (by_cycle && (opt.fidelity != Fidelity::cycle || a.artifact_compat)) {
    throw InputError("--search-fidelity cycle chooses among dataflows simulated at cycle fidelity: it needs "
                     "--fidelity cycle and not --artifact-compat");
  }
  const Dataflow df = by_cycle ? choose_by_cycle(a, scenario_file, energy_file, choice, hw, model, scenario, &selection)
                               : choose_dataflow(choice, hw, model, scenario, a.batch);
  throw_if_interrupted("the dataflow search");

  opt.max_wall_s = a.max_wall_s;
  opt.exit_process_on_stop = true;
  const LlmRunResult r = run_llm(hw, model, scenario, a.batch, df, opt);
  std::cout << format_llm_report(r);
  if (!a.command_trace_file.empty()) {
    std::cout << fmt::format("  {:<34} {} ({} commands, window {})\n", "DRAM command trace", a.command_trace_file,
                             r.command_trace_commands, a.vcd_window);
  }
  if (!a.json_file.empty()) {
    nlohmann::ordered_json j = llm_report_json(r);
    j["search_fidelity"] = by_cycle ? "cycle" : "analytic";
    if (by_cycle) j["dataflow_selection"] = selection;
    write_file_atomically(a.json_file, j.dump(2) + "\n");
  }
}
}  // namespace

void register_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Simulate a whole LLM inference (prefill + decode). With no options: H2-LLM, LLaMA3-8B, ShareGPT, batch 1");
  add_flags(*cmd, run_flags(),
            {{"hw", &args->hw_file},
             {"model", &args->model_file},
             {"scenario", &args->scenario},
             {"batch", &args->batch},
             {"dataflow", &args->dataflow},
             {"fidelity", &args->fidelity},
             {"dram", &args->dram},
             {"exact", &args->exact},
             {"context-stride", &args->context_stride},
             {"artifact-compat", &args->artifact_compat},
             {"out", &args->out_dir},
             {"seed", &args->seed},
             {"search-fidelity", &args->search_fidelity},
             {"search-candidates", &args->search_candidates},
             {"json", &args->json_file},
             {"trace", &args->trace_file},
             {"trace-detail-steps", &args->trace_detail_steps},
             {"vcd", &args->vcd_file},
             {"command-trace", &args->command_trace_file},
             {"vcd-window", &args->vcd_window},
             {"energy", &args->energy_file},
             {"energy-set", &args->energy_overrides},
             {"set", &args->overrides},
             {"dram-set", &args->dram_overrides},
             {"max-wall-s", &args->max_wall_s},
             {"quiet", &args->quiet}});
  cmd->callback([args]() { run(*args); });
}

}  // namespace h2sim::cli

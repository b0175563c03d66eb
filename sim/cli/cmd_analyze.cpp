// h2sim analyze: analytic (roofline) evaluation of one dataflow of a whole model.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "config/errors.hpp"
#include "config/locator.hpp"
#include "mapping/baselines.hpp"
#include "mapping/dataflow_choice.hpp"
#include "mapping/report.hpp"
#include "mapping/search.hpp"
#include "config/atomic_file.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/flags/flags.hpp"
#include "sim/interrupt.hpp"

namespace h2sim::cli {

namespace {
// The variables of analyze's flags; names, defaults and help are in the table (sim/cli/flags/).
struct AnalyzeArgs {
  std::string hw_file, model_file, scenario, dataflow, json_file;
  int64_t batch = 0;
  bool artifact_compat = false;
  int64_t population = 0, generations = 0;
  uint64_t seed = 0;
  int threads = 0;
};

void run(const AnalyzeArgs& given) {
  AnalyzeArgs a = given;
  // Flags first (each numeric one is range-checked while parsing), then the files.
  DataflowChoice choice;
  choice.name_or_file = a.dataflow;
  choice.artifact_compat = a.artifact_compat;
  choice.search.population = a.population;
  choice.search.generations = a.generations;
  // The parents kept per generation are not a flag here: the default, but never more than the population.
  choice.search.top_k = std::min(choice.search.top_k, a.population);
  choice.search.seed = a.seed;
  choice.search.threads = a.threads > 0 ? a.threads : int(std::clamp(std::thread::hardware_concurrency(), 1u, 2u));
  check_search_params(choice.search);  // checked even for a fixed dataflow: a wrong flag is wrong
  if (!is_fixed_baseline(a.dataflow) && !is_searched_baseline(a.dataflow)) {
    // A file: a symlink loop or an over-long name is said here (choose_dataflow's fs::exists throws).
    std::error_code ec;
    (void)std::filesystem::status(a.dataflow, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
      throw InputError(fmt::format("--dataflow {}: {}", a.dataflow, ec.message()));
    }
  }
  a.hw_file = locate_config(ConfigKind::hardware, a.hw_file, "--hw");
  a.model_file = locate_config(ConfigKind::model, a.model_file, "--model");
  const std::string scenario_file = locate_config(ConfigKind::scenario, a.scenario, "--scenario");
  check_output_file("--json", a.json_file);
  check_not_an_input("--json", a.json_file, {a.hw_file, a.model_file, scenario_file, a.dataflow});

  HardwareConfig hw = load_hardware_config(a.hw_file);
  ModelConfig model = load_model_config(a.model_file);
  Scenario scenario = load_scenario(scenario_file);
  EvaluatorOptions opt{a.artifact_compat};
  // Ctrl-C stops a searched dataflow (cc-nmp, h2llm) between generations; analyze then writes
  // nothing, since the result would not be the searched dataflow's.
  SigintGuard sigint;
  choice.search.stop = &interrupt_flag();
  const Dataflow df = choose_dataflow(choice, hw, model, scenario, a.batch);
  throw_if_interrupted(fmt::format("the search of the {} dataflow", a.dataflow));
  AnalyticEvaluator ev(hw, model, scenario, a.batch, opt);
  DataflowTiming t = ev.evaluate(df);
  AnalysisContext ctx{&hw, &model, &scenario, a.batch, a.artifact_compat};
  std::cout << timing_table(ctx, df, t);
  if (!a.json_file.empty()) write_file_atomically(a.json_file, timing_json(ctx, df, t).dump(2) + "\n");
}
}  // namespace

void register_analyze_command(CLI::App& app) {
  auto args = std::make_shared<AnalyzeArgs>();
  CLI::App* cmd = app.add_subcommand("analyze", "Analytic (roofline) latency of a whole model under one dataflow");
  add_flags(*cmd, analyze_flags(),
            {{"hw", &args->hw_file},
             {"model", &args->model_file},
             {"scenario", &args->scenario},
             {"batch", &args->batch},
             {"dataflow", &args->dataflow},
             {"artifact-compat", &args->artifact_compat},
             {"json", &args->json_file},
             {"population", &args->population},
             {"generations", &args->generations},
             {"seed", &args->seed},
             {"threads", &args->threads}});
  cmd->callback([args]() { run(*args); });
}

}  // namespace h2sim::cli

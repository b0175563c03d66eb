// h2sim analyze: analytic (roofline) evaluation of one dataflow of a whole model.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "config/errors.hpp"
#include "mapping/baselines.hpp"
#include "mapping/report.hpp"
#include "mapping/search.hpp"
#include "sim/atomic_file.hpp"
#include "sim/cli/commands.hpp"

namespace h2sim::cli {

namespace {
struct AnalyzeArgs {
  std::string hw_file, model_file, scenario, dataflow, json_file;
  int64_t batch = 1;
  bool artifact_compat = false;
  int64_t population = 2500, generations = 50;
  uint64_t seed = 1;
  int threads = 0;
};

void run(const AnalyzeArgs& a) {
  HardwareConfig hw = load_hardware_config(a.hw_file);
  ModelConfig model = load_model_config(a.model_file);
  Scenario scenario = resolve_scenario(a.scenario, a.model_file);
  if (a.batch < 1) throw InputError(fmt::format("--batch must be at least 1, found {}", a.batch));
  EvaluatorOptions opt{a.artifact_compat};
  const CapacityContext cap{a.batch, scenario.max_context_tokens};

  Dataflow df;
  if (is_fixed_baseline(a.dataflow)) {
    df = make_fixed_baseline(a.dataflow, model, hw, a.artifact_compat);
  } else if (is_searched_baseline(a.dataflow)) {
    // A searched space as a fixed dataflow: the best the GA finds (deterministic for --seed).
    SearchParams p;
    p.population = a.population;
    p.generations = a.generations;
    p.seed = a.seed;
    p.threads = a.threads > 0 ? a.threads : int(std::clamp(std::thread::hardware_concurrency(), 1u, 2u));
    p.space = parse_dataflow_space(a.dataflow);
    std::cerr << fmt::format("h2sim: searching the {} space ({} x {}, seed {})...\n", a.dataflow, p.population,
                             p.generations, p.seed);
    df = genetic_search(hw, model, scenario, a.batch, opt, p).best;
  } else if (std::filesystem::exists(a.dataflow)) {
    df = load_dataflow(a.dataflow, model, hw);
  } else {
    throw InputError(fmt::format("--dataflow: '{}' is neither a dataflow name (npu-only, fc-nmp, attn-nmp, "
                                 "attn-nmp-split, cc-nmp, h2llm) nor a file",
                                 a.dataflow));
  }
  if (a.artifact_compat && is_fixed_baseline(a.dataflow)) {
    // The artifact's fixed mappings never check capacity (its inverted Attn-NMP-Split ratio
    // overfills the normal pool): to reproduce them, overfilling is only a warning here.
    auto v = dataflow_structure_violations(df, model, hw);
    if (!v.empty()) throw InternalError("baseline '" + a.dataflow + "' is illegal: " + v.front());
    std::string over = dataflow_capacity_violation(df, model, hw, cap);
    if (!over.empty()) std::cerr << "h2sim: warning (--artifact-compat, capacity not enforced): " << over << "\n";
  } else {
    check_dataflow(df, model, hw, cap, a.dataflow);
  }
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
  cmd->add_option("--hw", args->hw_file, "Hardware config YAML (configs/hardware/*.yaml)")->required();
  cmd->add_option("--model", args->model_file, "Model YAML (configs/models/*.yaml) or the artifact's operator_graph.json")
      ->required();
  cmd->add_option("--scenario", args->scenario, "Scenario name (humaneval, sharegpt, longbench, loogle) or YAML file")
      ->required();
  cmd->add_option("--batch", args->batch, "Sequences decoded together")->required();
  cmd->add_option("--dataflow", args->dataflow,
                  "npu-only, fc-nmp, attn-nmp, attn-nmp-split, cc-nmp, h2llm (searched), or a dataflow YAML file")
      ->required();
  cmd->add_flag("--artifact-compat", args->artifact_compat,
                "Reproduce the artifact: every decode step at the final context, its MIX conventions and "
                "Attn-NMP-Split ratio");
  cmd->add_option("--json", args->json_file, "Write the results as JSON (latency_per_layer_s, ...) to this file");
  cmd->add_option("--population", args->population, "Search population for cc-nmp / h2llm")->capture_default_str();
  cmd->add_option("--generations", args->generations, "Search generations for cc-nmp / h2llm")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Search seed for cc-nmp / h2llm")->capture_default_str();
  cmd->add_option("--threads", args->threads, "Search threads for cc-nmp / h2llm (0: up to 2)")->capture_default_str();
  cmd->callback([args]() { run(*args); });
}

}  // namespace h2sim::cli

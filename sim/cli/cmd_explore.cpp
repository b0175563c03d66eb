// h2sim explore: genetic design-space search of dataflows (and optionally NMP hardware).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <memory>

#include "config/errors.hpp"
#include "config/locator.hpp"
#include "mapping/baselines.hpp"
#include "mapping/report.hpp"
#include "mapping/search.hpp"
#include "config/atomic_file.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/flags/flags.hpp"
#include "sim/interrupt.hpp"

namespace h2sim::cli {

namespace {
// The variables of explore's flags; names, defaults and help are in the table (sim/cli/flags/).
struct ExploreArgs {
  std::string hw_file, model_file, scenario, out_dir;
  std::string space, dataflow_space;
  int64_t batch = 0;
  int64_t population = 0, generations = 0, top_k = 0;
  double mutation_ratio = 0;
  uint64_t seed = 0;
  int threads = 0;
  bool artifact_compat = false;
  bool quiet = false;
};

void run(const ExploreArgs& given) {
  ExploreArgs a = given;
  // Flags first (each numeric one is range-checked while parsing), then the files.
  if (a.space != "dataflow" && a.space != "hardware") {
    throw InputError(fmt::format("--space: unknown space '{}' (valid: dataflow, hardware)", a.space));
  }
  SearchParams p;
  p.population = a.population;
  p.generations = a.generations;
  p.top_k = a.top_k;
  p.mutation_ratio = a.mutation_ratio;
  p.seed = a.seed;
  p.threads = a.threads;
  check_search_params(p);  // the cross-flag bounds: top-k <= population, the evaluation budget
  if (a.dataflow_space != "h2llm" && a.dataflow_space != "cc-nmp") {
    throw InputError(fmt::format("--dataflow-space: unknown space '{}' (valid: h2llm, cc-nmp)", a.dataflow_space));
  }
  p.space = parse_dataflow_space(a.dataflow_space);
  p.search_hardware = a.space == "hardware";
  check_output_dir("--out", a.out_dir);
  for (const char* f : {"best_dataflow.yaml", "summary.json"}) {
    check_output_file("--out", (std::filesystem::path(a.out_dir) / f).string());
  }

  a.hw_file = locate_config(ConfigKind::hardware, a.hw_file, "--hw");
  a.model_file = locate_config(ConfigKind::model, a.model_file, "--model");
  HardwareConfig hw = load_hardware_config(a.hw_file);
  ModelConfig model = load_model_config(a.model_file);
  Scenario scenario = load_scenario(locate_config(ConfigKind::scenario, a.scenario, "--scenario"));
  std::error_code ec;
  std::filesystem::create_directories(a.out_dir, ec);
  if (ec) throw InputError(fmt::format("--out: cannot create directory '{}': {}", a.out_dir, ec.message()));

  p.stop = &interrupt_flag();
  if (!a.quiet) {
    p.progress = [](const GenerationReport& r) {
      std::cerr << fmt::format("generation {:>3}/{}  best {:.6f} ms/layer  {:.0f} evaluations/s\n", r.generation + 1,
                               r.generations, r.best_latency_per_layer_s * 1e3, r.evaluations_per_s);
    };
  }
  SearchResult r;
  {
    // Ctrl-C stops the search between generations; the best dataflow so far is still evaluated
    // and written (atomically), with "interrupted": true in the summary.
    SigintGuard sigint;
    r = genetic_search(hw, model, scenario, a.batch, {a.artifact_compat}, p);
  }
  if (r.interrupted) std::cerr << "h2sim: interrupted; keeping the best dataflow found so far\n";

  const HardwareConfig& best_hw = r.hardware;
  check_dataflow(r.best, model, best_hw, {a.batch, scenario.max_context_tokens}, "explore");
  AnalyticEvaluator ev(best_hw, model, scenario, a.batch, {a.artifact_compat});
  DataflowTiming t = ev.evaluate(r.best);
  AnalysisContext ctx{&best_hw, &model, &scenario, a.batch, a.artifact_compat};
  std::cout << timing_table(ctx, r.best, t);

  // Baselines on the same design, for reference.
  nlohmann::json baselines = nlohmann::json::object();
  for (const std::string& name : baseline_names()) {
    if (!is_fixed_baseline(name)) continue;
    try {
      Dataflow b = make_fixed_baseline(name, model, best_hw, a.artifact_compat);
      if (!dataflow_violations(b, model, best_hw, {a.batch, scenario.max_context_tokens}).empty()) continue;
      baselines[name] = ev.latency_per_layer_s(b);
    } catch (const InputError&) {
    }
  }

  const std::string yaml_path = (std::filesystem::path(a.out_dir) / "best_dataflow.yaml").string();
  const std::string json_path = (std::filesystem::path(a.out_dir) / "summary.json").string();
  write_file_atomically(yaml_path, dataflow_to_yaml(r.best, model, best_hw));
  nlohmann::json j = timing_json(ctx, r.best, t);
  j["search"] = {{"space", a.space},
                 {"dataflow_space", a.dataflow_space},
                 {"population", a.population},
                 {"generations", a.generations},
                 {"generations_run", r.generations_run},
                 {"top_k", a.top_k},
                 {"mutation_ratio", a.mutation_ratio},
                 {"seed", a.seed},
                 {"threads", a.threads},
                 {"evaluations", r.evaluations},
                 {"wall_s", r.wall_s},
                 {"wall_evaluations_per_s", r.wall_s > 0 ? double(r.evaluations) / r.wall_s : 0.0},
                 {"interrupted", r.interrupted}};
  j["best_hardware"] = {{"name", best_hw.name},
                        {"nmp_channels", best_hw.nmp_channels},
                        {"fpus_per_pe", best_hw.pe.fpus_per_pe},
                        {"pe_frequency_mhz", best_hw.pe.frequency_hz / 1e6},
                        {"hb_bandwidth_gbps_per_pe", best_hw.pe.hb_bandwidth_bytes_per_s / 1e9}};
  j["baselines_latency_per_layer_s"] = baselines;
  j["best_dataflow_file"] = yaml_path;
  write_file_atomically(json_path, j.dump(2) + "\n");
  std::cout << fmt::format("\n  best dataflow  {}\n  summary        {}\n  search         {} evaluations in {:.2f} s "
                           "({:.0f} evaluations/s)\n",
                           yaml_path, json_path, r.evaluations, r.wall_s,
                           r.wall_s > 0 ? double(r.evaluations) / r.wall_s : 0.0);
}
}  // namespace

void register_explore_command(CLI::App& app) {
  auto args = std::make_shared<ExploreArgs>();
  CLI::App* cmd = app.add_subcommand("explore", "Genetic design-space search of the dataflow (and NMP hardware)");
  const auto options = add_flags(*cmd, explore_flags(),
                                 {{"hw", &args->hw_file},
                                  {"model", &args->model_file},
                                  {"scenario", &args->scenario},
                                  {"batch", &args->batch},
                                  {"out", &args->out_dir},
                                  {"space", &args->space},
                                  {"dataflow-space", &args->dataflow_space},
                                  {"population", &args->population},
                                  {"generations", &args->generations},
                                  {"top-k", &args->top_k},
                                  {"mutation-ratio", &args->mutation_ratio},
                                  {"seed", &args->seed},
                                  {"threads", &args->threads},
                                  {"artifact-compat", &args->artifact_compat},
                                  {"quiet", &args->quiet}});
  CLI::Option* top_k = options.at("top-k");
  cmd->callback([args, top_k]() {
    // Not given: the default, but never more than the population (given: checked against it).
    if (top_k->count() == 0) args->top_k = std::min(args->top_k, args->population);
    run(*args);
  });
}

}  // namespace h2sim::cli

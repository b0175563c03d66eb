#pragma once
// Each h2sim subcommand lives in its own file in sim/cli/ and registers itself here.
// A command's callback throws InputError for bad input; main() maps errors to exit codes.
#include <CLI/CLI.hpp>

namespace h2sim::cli {

// Help of the flags that name a config (config/locator.hpp resolves them).
inline constexpr const char* kHwHelp =
    "Design: a shipped name (h2llm, id-nmp, id-nmp-plus, npu-only) or a hardware config YAML";
inline constexpr const char* kModelHelp =
    "Model: a shipped name (llama3-8b, llama3-70b, opt-6.7b, palm-8b), a model YAML, or the artifact's "
    "operator_graph.json";
inline constexpr const char* kScenarioHelp = "A shipped scenario (humaneval, sharegpt, longbench, loogle) or a scenario YAML";

void register_gemm_command(CLI::App& app);
void register_run_command(CLI::App& app);
void register_analyze_command(CLI::App& app);
void register_explore_command(CLI::App& app);
void register_dram_command(CLI::App& app);
void register_check_command(CLI::App& app);
void register_experiment_command(CLI::App& app);
void register_sweep_commands(CLI::App& app);  // sweep and merge
void register_verify_trace_command(CLI::App& app);
void register_area_command(CLI::App& app);

}  // namespace h2sim::cli

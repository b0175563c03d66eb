// h2sim check: validate config files without running anything, and print what they resolve to.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "config/errors.hpp"
#include "config/locator.hpp"
#include "study/input_check.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/flags/flags.hpp"

namespace h2sim::cli {

namespace {
struct CheckArgs {
  std::vector<std::string> files;
  std::string kind;  // "" = detect
  std::string hw_file, model_file;
  int64_t batch = 1;
  int64_t max_context_tokens = 2048;
  bool quiet = false;
};

void run(const CheckArgs& a) {
  std::optional<InputKind> forced;
  if (!a.kind.empty()) {
    forced = parse_input_kind(a.kind);
    if (!forced) {
      throw InputError(fmt::format("--kind: unknown kind '{}' (valid: {})", a.kind, fmt::join(input_kind_names(), ", ")));
    }
  }
  CheckOptions o;
  if (!a.hw_file.empty()) o.hw_file = locate_config(ConfigKind::hardware, a.hw_file, "--hw");
  if (!a.model_file.empty()) o.model_file = locate_config(ConfigKind::model, a.model_file, "--model");
  o.shipped_config = shipped_config_path;
  o.batch = a.batch;
  o.max_context_tokens = a.max_context_tokens;

  // Every file is checked (one bad file does not hide the next); the exit code is 2 if any failed.
  int failed = 0;
  for (const std::string& file : a.files) {
    try {
      const InputKind kind = forced ? *forced : detect_input_kind(file);
      const std::string text = check_input_file(file, kind, o);
      if (!a.quiet) std::cout << text << std::flush;
    } catch (const InputError& e) {
      ++failed;
      std::cerr << "h2sim: error: " << e.what() << "\n";
    }
  }
  if (failed > 0) {
    throw InputError(fmt::format("check: {} of {} file(s) have errors", failed, a.files.size()));
  }
}
}  // namespace

void register_check_command(CLI::App& app) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Validate config files (hardware, DRAM standard, energy, model YAML or artifact JSON, scenario, dataflow, "
      "experiment or sweep spec) without running, and print the resolved values with units. Exit 0 if all are valid, "
      "2 otherwise.");
  add_flags(*cmd, check_flags(),
            {{"files", &args->files},
             {"kind", &args->kind},
             {"hw", &args->hw_file},
             {"model", &args->model_file},
             {"batch", &args->batch},
             {"max-context", &args->max_context_tokens},
             {"quiet", &args->quiet}});
  cmd->callback([args]() { run(*args); });
}

}  // namespace h2sim::cli

// h2sim experiment: the paper's experiments as one command (study/experiment_run.hpp): the spec's
// points run through the sweep runner, each its own `h2sim run` process (SystemC allows one
// elaboration per process), N at a time; then results.csv, summary.{md,json} and gnuplot charts
// in the output folder.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "config/locator.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/flags/flags.hpp"
#include "study/experiment_run.hpp"
#include "study/process_pool.hpp"

namespace h2sim::cli {

namespace {

namespace fs = std::filesystem;

struct ExperimentArgs {
  std::string spec_file;
  std::string out_dir = "out/experiment";
  int jobs = 2;
  std::string fidelity = "both";
  double max_wall_s = 0;  // per point, passed to each `run` (0: none)
};

std::string clock_text(double s) {
  const auto t = int64_t(s + 0.5);
  return t >= 3600 ? fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60) : fmt::format("{}:{:02}", t / 60, t % 60);
}

int run_experiment_command(const ExperimentArgs& a) {
  check_output_dir("--out", a.out_dir);
  for (const char* f : {"results.csv", "summary.json", "summary.md"}) {
    check_output_file("--out", (fs::path(a.out_dir) / f).string());
  }
  ExperimentRunOptions o;
  o.spec_file = locate_config(ConfigKind::experiment, a.spec_file, "spec");
  o.out_dir = a.out_dir;
  o.jobs = a.jobs;
  if (a.fidelity == "analytic" || a.fidelity == "cycle" || a.fidelity == "ideal") o.fidelities = {a.fidelity};
  else if (a.fidelity != "both") {
    throw InputError(fmt::format("--fidelity: '{}' is not one of analytic, ideal, cycle, both", a.fidelity));
  }
  o.max_wall_s = a.max_wall_s;
  o.exe = self_executable();
  const ExperimentRunReport r = run_experiment(o);
  std::cout << r.summary_markdown;
  std::cerr << fmt::format("h2sim: {} points run in {} (wall {:.1f} s); {} failed; wrote {}/results.csv, summary.md, "
                           "summary.json\n",
                           r.ran, clock_text(r.wall_s), r.wall_s, r.failed.size(), a.out_dir);
  if (!r.failed.empty()) {
    std::cerr << "h2sim: failed points (their logs are in " << (fs::path(a.out_dir) / "points").string()
              << "/ID/log.txt):\n";
    for (const auto& id : r.failed) std::cerr << "  " << id << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void register_experiment_command(CLI::App& app) {
  auto args = std::make_shared<ExperimentArgs>();
  CLI::App* cmd = app.add_subcommand(
      "experiment", "Run the paper's experiments (a spec of designs x models x scenarios x batches x fidelities), "
                    "write results.csv, summary.md/json and charts");
  add_flags(*cmd, experiment_flags(),
            {{"spec", &args->spec_file},
             {"out", &args->out_dir},
             {"jobs", &args->jobs},
             {"fidelity", &args->fidelity},
             {"max-wall-s", &args->max_wall_s}});
  cmd->callback([args]() {
    const int rc = run_experiment_command(*args);
    if (rc != 0) {
      std::cerr.flush();
      std::cout.flush();
      std::_Exit(rc);  // exit 1: some points failed (reported above); not an internal error
    }
  });
}

}  // namespace h2sim::cli

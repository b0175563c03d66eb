// h2sim sweep / h2sim merge: a sweep spec (study/sweep_spec.hpp) expanded into points, each its
// own process of run/gemm/analyze (study/sweep.hpp), N at a time, resumable, one shard of N if
// asked (Slurm job arrays, GNU parallel); merge gathers the points into results.csv and
// summary.json, the same bytes whatever the shards (an experiment folder: its summary and charts).
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "config/errors.hpp"
#include "config/locator.hpp"
#include "config/atomic_file.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/flags/flags.hpp"
#include "study/experiment_run.hpp"
#include "study/merge.hpp"
#include "study/sweep.hpp"

namespace h2sim::cli {

namespace {

namespace fs = std::filesystem;

struct SweepArgs {
  std::string spec_file;
  std::string out_dir;
  int jobs = 1;
  std::string shard = "1/1";
  bool dry_run = false;
};

struct MergeArgs {
  std::string out_dir;
  bool allow_missing = false;
};

int run_sweep_command(const SweepArgs& a) {
  const auto [shard, shards] = parse_shard(a.shard);
  if (!a.dry_run) check_output_dir("--out", a.out_dir);
  const SweepSpec spec = load_sweep_spec(a.spec_file);
  const std::vector<SweepPoint> all = expand_sweep(spec);
  const std::vector<SweepPoint> mine = shard_points(all, shard, shards);
  if (a.dry_run) {
    for (const auto& p : mine) {
      std::cout << p.id << ":";
      for (const auto& arg : sweep_point_arguments(spec, p, sweep_result_file(a.out_dir, p), sweep_cache_dir(a.out_dir, p))) {
        std::cout << ' ' << arg;
      }
      std::cout << "\n";
    }
    return 0;
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::cerr << fmt::format("h2sim: sweep '{}': {} points, shard {}/{} has {}, {} at a time, results in {}\n", spec.name,
                           all.size(), shard, shards, mine.size(), a.jobs, a.out_dir);
  PointRunnerOptions ro;
  ro.exe = self_executable();
  ro.jobs = a.jobs;
  ro.total = mine.size();
  // A run point whose dataflow the design cannot hold is a result (infeasible), as in experiments.
  if (spec.command == "run") ro.classify = classify_run_point;
  const SweepRunResult r = run_sweep(spec, all, mine, a.out_dir, process_point_runner(spec, a.out_dir, ro));
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cerr << fmt::format("h2sim: shard {}/{}: {} points ran ({} already done) in {:.1f} s; {} failed\n", shard, shards,
                           r.ran, r.already_done, wall_s, r.failed.size());
  if (!r.infeasible.empty()) std::cerr << fmt::format("h2sim: {} points are infeasible (infeasible.txt in their folders)\n", r.infeasible.size());
  if (!r.failed.empty()) {
    std::cerr << "h2sim: failed points (logs in their folders; rerun the same command to retry them):\n";
    for (const auto& id : r.failed) std::cerr << "  " << id << "\n";
    return 1;
  }
  return 0;
}

int run_merge_command(const MergeArgs& a) {
  check_output_file("merge", (fs::path(a.out_dir) / "results.csv").string());
  check_output_file("merge", (fs::path(a.out_dir) / "summary.json").string());
  const SweepMergeResult m = merge_sweep(a.out_dir);
  if (!m.experiment_file.empty()) {
    // An experiment's folder: its summary and charts, as `h2sim experiment` writes them.
    (void)summarize_experiment(load_experiment_spec(m.experiment_file), a.out_dir);
    std::cerr << fmt::format("h2sim: merged {} of {} points into {}/results.csv, summary.md and summary.json\n", m.ok,
                             m.points, a.out_dir);
  } else {
    write_file_atomically((fs::path(a.out_dir) / "results.csv").string(), m.csv);
    write_file_atomically((fs::path(a.out_dir) / "summary.json").string(), m.summary);
    std::cerr << fmt::format("h2sim: merged {} of {} points into {}/results.csv and summary.json\n", m.ok, m.points,
                             a.out_dir);
  }
  if (!m.missing.empty()) {
    std::cerr << fmt::format("h2sim: {} points have no result:", m.missing.size());
    for (size_t i = 0; i < m.missing.size() && i < 20; ++i) std::cerr << ' ' << m.missing[i];
    std::cerr << (m.missing.size() > 20 ? " ...\n" : "\n");
    if (!a.allow_missing) return 1;
  }
  return 0;
}

// Exit 1 (some points failed or are missing, reported above) without an internal-error message.
void exit_if_failed(int rc) {
  if (rc == 0) return;
  std::cerr.flush();
  std::cout.flush();
  std::_Exit(rc);
}

}  // namespace

void register_sweep_commands(CLI::App& app) {
  auto s = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run a sweep spec (axes over flags and set.KEY hardware overrides) as independent points, N at a time, "
               "resumable; --shard I/N runs one share (Slurm arrays)");
  add_flags(*cmd, sweep_flags(),
            {{"spec", &s->spec_file}, {"out", &s->out_dir}, {"jobs", &s->jobs}, {"shard", &s->shard},
             {"dry-run", &s->dry_run}});
  cmd->callback([s]() { exit_if_failed(run_sweep_command(*s)); });

  auto m = std::make_shared<MergeArgs>();
  CLI::App* merge = app.add_subcommand(
      "merge", "Gather a sweep folder's point results into results.csv and summary.json (sorted by point id; exit 1 "
               "if points are missing)");
  add_flags(*merge, merge_flags(), {{"dir", &m->out_dir}, {"allow-missing", &m->allow_missing}});
  merge->callback([m]() { exit_if_failed(run_merge_command(*m)); });
}

}  // namespace h2sim::cli

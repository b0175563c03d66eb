#include "study/experiment_run.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "config/atomic_file.hpp"
#include "config/errors.hpp"
#include "config/yaml_reader.hpp"
#include "study/experiment_summary.hpp"
#include "study/merge.hpp"
#include "study/paths.hpp"
#include "study/plots.hpp"
#include "study/sweep.hpp"

namespace h2sim {

namespace fs = std::filesystem;

std::string summarize_experiment(const ExperimentSpec& spec, const std::string& out_dir) {
  const SweepMergeResult merged = merge_sweep(out_dir);
  // Tables cover every point of the spec that ran: with a result, infeasible, or failed (a log
  // but no result); points not run yet (another fidelity, another shard) are left out.
  std::vector<PointResult> results;
  for (const auto& p : expand_experiment(spec)) {
    SweepPoint sp;
    sp.id = p.id;
    PointResult r = read_point_result(p, sweep_result_file(out_dir, sp));
    if (!r.ok) {
      if (const auto reason = read_if_exists(sweep_infeasible_file(out_dir, sp))) r.infeasible = *reason;
    }
    std::error_code ec;
    const bool ran = fs::exists(fs::path(sweep_point_dir(out_dir, sp)) / "log.txt", ec);
    if (r.ok || !r.infeasible.empty() || ran) results.push_back(r);
  }
  const fs::path out(out_dir);
  write_file_atomically((out / "results.csv").string(), merged.csv);
  const nlohmann::json summary = experiment_summary(spec, results);
  write_file_atomically((out / "summary.json").string(), summary.dump(2) + "\n");
  const std::string md = experiment_summary_markdown(summary);
  write_file_atomically((out / "summary.md").string(), md);
  write_plots(spec, results, (out / "plots").string());
  return md;
}

ExperimentRunReport run_experiment(const ExperimentRunOptions& o) {
  for (const auto& f : o.fidelities) {
    if (f != "analytic" && f != "ideal" && f != "cycle") {
      throw InputError(fmt::format("fidelity '{}' is not one of analytic, ideal, cycle", f));
    }
  }
  const ExperimentSpec spec = load_experiment_spec(o.spec_file);
  const std::vector<ExperimentPoint> all_points = expand_experiment(spec);
  const SweepSpec sweep = experiment_sweep(spec, all_points);
  const std::vector<SweepPoint>& all = sweep.points;
  std::vector<SweepPoint> mine;
  const std::vector<std::string>& fids = o.fidelities.empty() ? spec.fidelities : o.fidelities;
  for (const auto& p : all) {
    if (std::find(fids.begin(), fids.end(), *value_of(p.axis_values, "fidelity")) != fids.end()) mine.push_back(p);
  }

  ExperimentRunReport report;
  report.points = mine.size();
  size_t done_before = 0;
  for (const auto& p : mine) {
    std::error_code ec;
    if (fs::exists(sweep_result_file(o.out_dir, p), ec) || fs::exists(sweep_infeasible_file(o.out_dir, p), ec)) ++done_before;
  }
  std::cerr << fmt::format("h2sim: experiment '{}': {} points ({} already done), {} at a time, results in {}\n",
                           spec.name, mine.size(), done_before, done_before < mine.size() ? o.jobs : 0, o.out_dir);
  PointRunnerOptions ro;
  ro.exe = o.exe;
  ro.jobs = o.jobs;
  ro.total = mine.size();
  if (o.max_wall_s > 0) ro.extra_args = {"--max-wall-s", fmt::format("{}", o.max_wall_s)};
  ro.classify = classify_run_point;
  const auto t0 = std::chrono::steady_clock::now();
  const SweepRunResult r = run_sweep(sweep, all, mine, o.out_dir, process_point_runner(sweep, o.out_dir, ro));
  report.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  report.already_done = r.already_done;
  report.ran = r.ran;
  report.failed = r.failed;
  report.summary_markdown = summarize_experiment(spec, o.out_dir);
  return report;
}

}  // namespace h2sim

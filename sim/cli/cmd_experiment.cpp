// h2sim experiment: the paper's experiments as one command. Expands a spec into points and runs
// each as its own `h2sim run` process (SystemC allows one elaboration per process), N at a time;
// then writes results.csv, summary.{md,json} and gnuplot charts into the output folder.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "config/errors.hpp"
#include "config/locator.hpp"
#include "config/yaml_reader.hpp"
#include "mapping/experiment.hpp"
#include "config/atomic_file.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"

extern char** environ;

namespace h2sim::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct ExperimentArgs {
  std::string spec_file;
  std::string out_dir = "out/experiment";
  int jobs = 2;
  std::string fidelity = "both";
  double max_wall_s = 0;  // per point, passed to each `run` (0: none)
};

// Spawns `exe args...` with stdin from /dev/null and stdout+stderr into `log_file`; no shell.
pid_t spawn(const std::string& exe, const std::vector<std::string>& args, const std::string& log_file) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw InputError(fmt::format("cannot start '{}': {}", exe, std::strerror(rc)));
  return pid;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exit code {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return "unknown status";
}

bool succeeded(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

std::string tail_lines(const std::string& file, size_t lines) {
  std::ifstream in(file);
  std::vector<std::string> all;
  for (std::string l; std::getline(in, l);) all.push_back(l);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += "    " + all[i] + "\n";
  return out;
}

std::string clock_text(double s) {
  const auto t = int64_t(s + 0.5);
  return t >= 3600 ? fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60) : fmt::format("{}:{:02}", t / 60, t % 60);
}

// gnuplot found on PATH, or "".
std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "");
  for (std::string dir; std::getline(ss, dir, ':');) {
    const std::string f = (fs::path(dir.empty() ? "." : dir) / name).string();
    std::error_code ec;
    if (::access(f.c_str(), X_OK) == 0 && fs::is_regular_file(f, ec)) return f;
  }
  return "";
}

// The reason a point is infeasible (run rejected its dataflow as illegal for the design), or "".
std::string infeasibility(int status, const std::string& log_file) {
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 2) return "";
  std::ifstream in(log_file);
  std::string text, line;
  bool found = false;
  while (std::getline(in, line)) {
    if (line.find("illegal dataflow") != std::string::npos) found = true;
    if (!found) continue;
    const size_t first = line.find_first_not_of(' ');
    if (first != std::string::npos) text += (text.empty() ? "" : " ") + line.substr(first);
  }
  return found ? text : "";
}

struct Running {
  size_t point = 0;
  Clock::time_point start;
};

// Runs the pending points, at most `jobs` at once. Points sharing a search key (one GA search
// through the shared dataflow cache) run one after another, in point order, so the first one
// searches and writes the cache and the next ones read it. Returns the ids that failed.
std::set<std::string> run_points(const std::vector<ExperimentPoint>& points, const std::vector<size_t>& pending_in,
                                 const std::string& out_dir, int jobs, size_t already_done, double max_wall_s) {
  const std::string exe = self_executable();
  const fs::path point_dir = fs::path(out_dir) / "points";
  std::vector<size_t> pending = pending_in;
  std::map<pid_t, Running> running;
  std::set<std::string> failed;
  const size_t total = points.size();
  size_t finished = 0;
  const auto t0 = Clock::now();

  while (!pending.empty() || !running.empty()) {
    // Launch what may run now: skip a point whose search key is held by a running or earlier
    // pending point.
    std::set<std::string> busy_keys;
    for (const auto& [pid, r] : running) {
      if (!points[r.point].search_key.empty()) busy_keys.insert(points[r.point].search_key);
    }
    for (auto it = pending.begin(); it != pending.end() && int(running.size()) < jobs;) {
      const ExperimentPoint& p = points[*it];
      if (!p.search_key.empty() && busy_keys.count(p.search_key)) {
        ++it;
        continue;
      }
      if (!p.search_key.empty()) busy_keys.insert(p.search_key);
      const std::string json = (point_dir / (p.id + ".json")).string();
      const std::string log = (point_dir / (p.id + ".log")).string();
      std::vector<std::string> args = run_arguments(p, json, out_dir);
      if (max_wall_s > 0) args.insert(args.end(), {"--max-wall-s", fmt::format("{}", max_wall_s)});
      const pid_t pid = spawn(exe, args, log);
      running[pid] = Running{*it, Clock::now()};
      it = pending.erase(it);
    }
    if (running.empty()) break;  // cannot happen: keys are only held by running points

    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw InternalError(fmt::format("waitpid: {}", std::strerror(errno)));
    }
    const auto found = running.find(pid);
    if (found == running.end()) continue;  // not one of ours
    const ExperimentPoint& p = points[found->second.point];
    const double point_s = std::chrono::duration<double>(Clock::now() - found->second.start).count();
    running.erase(found);
    ++finished;
    const double elapsed_s = std::chrono::duration<double>(Clock::now() - t0).count();
    const size_t left = pending.size() + running.size();
    const double eta_s = elapsed_s / double(finished) * double(left);
    const std::string log = (point_dir / (p.id + ".log")).string();
    const bool ok = succeeded(status) && fs::exists(point_dir / (p.id + ".json"));
    // A dataflow the design cannot hold (exit 2, "illegal dataflow": e.g. a fixed baseline whose
    // KV cache overfills its channels at batch 16) is a result, not a failure: recorded so that
    // a resume does not retry it, and listed in the summary.
    const std::string reason = ok ? "" : infeasibility(status, log);
    if (!reason.empty()) write_file_atomically((point_dir / (p.id + ".infeasible")).string(), reason + "\n");
    std::cerr << fmt::format("[{}/{}] {} {} ({:.1f} s) | elapsed {}, ETA {}\n", already_done + finished, total,
                             ok ? "done" : !reason.empty() ? "INFEASIBLE" : "FAILED", p.id, point_s,
                             clock_text(elapsed_s), clock_text(eta_s));
    if (!reason.empty()) std::cerr << "  " << reason << "\n";
    if (!ok && reason.empty()) {
      failed.insert(p.id);
      std::cerr << fmt::format("  {}: {}; its output ({}):\n{}", p.id, describe_status(status), log, tail_lines(log, 15));
    }
  }
  return failed;
}

// Renders the charts with gnuplot (data and scripts kept in OUT/plots for re-plotting by hand).
void write_plots(const ExperimentSpec& spec, const std::vector<PointResult>& results, const std::string& out_dir) {
  const fs::path plot_dir = fs::path(out_dir) / "plots";
  std::error_code dir_ec;
  fs::create_directories(plot_dir, dir_ec);
  if (dir_ec) throw InputError(fmt::format("cannot create '{}': {}", plot_dir.string(), dir_ec.message()));
  const std::string gnuplot = find_on_path("gnuplot");
  const std::string partial = ".partial";
  for (const PlotSpec& p : experiment_plots(spec, results, plot_dir.string(), partial)) {
    const std::string data = (plot_dir / (p.name + ".dat")).string();
    const std::string script = (plot_dir / (p.name + ".gp")).string();
    write_file_atomically(data, p.data);
    write_file_atomically(script, p.script);
    if (gnuplot.empty()) continue;
    const std::string png = (plot_dir / (p.name + ".png")).string();
    const std::string log = (plot_dir / (p.name + ".log")).string();
    int status = 0;
    const pid_t pid = spawn(gnuplot, {script}, log);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::error_code ec;
    if (succeeded(status) && fs::exists(png + partial, ec)) {
      fs::rename(png + partial, png, ec);
      if (ec) throw InputError(fmt::format("cannot write '{}': {}", png, ec.message()));
      std::cerr << "h2sim: wrote " << png << "\n";
    } else {
      fs::remove(png + partial, ec);
      std::cerr << fmt::format("h2sim: warning: gnuplot failed on {} ({}):\n{}", script, describe_status(status),
                               tail_lines(log, 10));
    }
  }
  if (gnuplot.empty()) {
    std::cerr << "h2sim: warning: gnuplot is not installed, so no PNG charts were drawn (CSV and summary are "
                 "complete; the chart data and gnuplot scripts are in "
              << plot_dir.string() << "). Install it with `apt-get install gnuplot-nox`, then rerun the same command.\n";
  }
}

int run_experiment(const ExperimentArgs& a) {
  check_output_dir("--out", a.out_dir);
  for (const char* f : {"results.csv", "summary.json", "summary.md"}) {
    check_output_file("--out", (fs::path(a.out_dir) / f).string());
  }
  std::vector<std::string> fids;
  if (a.fidelity == "analytic" || a.fidelity == "cycle" || a.fidelity == "ideal") fids = {a.fidelity};
  else if (a.fidelity != "both") {
    throw InputError(fmt::format("--fidelity: '{}' is not one of analytic, ideal, cycle, both", a.fidelity));
  }
  const ExperimentSpec spec = load_experiment_spec(locate_config(ConfigKind::experiment, a.spec_file, "spec"));
  const std::vector<ExperimentPoint> all = expand_experiment(spec);
  const std::vector<ExperimentPoint> to_run = expand_experiment(spec, fids.empty() ? spec.fidelities : fids);

  const fs::path out(a.out_dir);
  std::error_code ec;
  fs::create_directories(out / "points", ec);
  if (ec) throw InputError(fmt::format("--out: cannot create '{}': {}", (out / "points").string(), ec.message()));

  // Resume: a point whose JSON exists is done (JSON is written atomically, so it is complete).
  std::vector<size_t> pending;
  for (size_t i = 0; i < to_run.size(); ++i) {
    const fs::path base = out / "points" / to_run[i].id;
    std::error_code ec;
    if (!fs::exists(base.string() + ".json", ec) && !fs::exists(base.string() + ".infeasible", ec)) pending.push_back(i);
  }
  const size_t done_before = to_run.size() - pending.size();
  std::cerr << fmt::format("h2sim: experiment '{}': {} points ({} already done), {} at a time, results in {}\n",
                           spec.name, to_run.size(), done_before, pending.size() ? a.jobs : 0, out.string());
  const auto t0 = Clock::now();
  const std::set<std::string> failed = run_points(to_run, pending, out.string(), a.jobs, done_before, a.max_wall_s);
  const double wall_s = std::chrono::duration<double>(Clock::now() - t0).count();

  // Tables cover every point of the spec that has a result (other fidelities from earlier
  // runs too, so analytic and cycle sit side by side), plus the points that failed now.
  std::vector<PointResult> results;
  for (const auto& p : all) {
    PointResult r = read_point_result(p, (out / "points" / (p.id + ".json")).string());
    const std::string infeasible = (out / "points" / (p.id + ".infeasible")).string();
    std::error_code ec;
    if (!r.ok && fs::exists(infeasible, ec)) r.infeasible = read_text_file(infeasible);
    if (r.ok || !r.infeasible.empty() || failed.count(p.id)) results.push_back(r);
  }
  write_file_atomically((out / "results.csv").string(), results_csv(results));
  const nlohmann::json summary = experiment_summary(spec, results);
  write_file_atomically((out / "summary.json").string(), summary.dump(2) + "\n");
  const std::string md = experiment_summary_markdown(summary);
  write_file_atomically((out / "summary.md").string(), md);
  write_plots(spec, results, out.string());

  std::cout << md;
  std::cerr << fmt::format("h2sim: {} points run in {} (wall {:.1f} s); {} failed; wrote {}/results.csv, summary.md, "
                           "summary.json\n",
                           pending.size(), clock_text(wall_s), wall_s, failed.size(), out.string());
  if (!failed.empty()) {
    std::cerr << "h2sim: failed points (their logs are in " << (out / "points").string() << "):\n";
    for (const auto& id : failed) std::cerr << "  " << id << "\n";
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
  cmd->add_option("spec", args->spec_file, "Experiment spec: a shipped name (paper) or a spec YAML")->required();
  cmd->add_option("--out", args->out_dir, "Output folder (points/, dataflows/, plots/, results.csv, summary.*)")
      ->capture_default_str();
  cmd->add_option("--jobs", args->jobs, "Points simulated in parallel (processes)")
      ->capture_default_str()
      ->transform(whole_number(1, kMaxJobs, "each job is a process of its own"));
  cmd->add_option("--fidelity", args->fidelity, "Run only analytic, ideal or cycle points, or both (the spec's)")
      ->capture_default_str();
  cmd->add_option("--max-wall-s", args->max_wall_s,
                  "Stop a point's simulation after this many seconds of wall time (the point fails, exit 3 in its "
                  "log; the others go on); 0: no limit")
      ->capture_default_str()
      ->transform(real_number(0, 1e9));
  cmd->callback([args]() {
    const int rc = run_experiment(*args);
    if (rc != 0) {
      std::cerr.flush();
      std::cout.flush();
      std::_Exit(rc);  // exit 1: some points failed (reported above); not an internal error
    }
  });
}

}  // namespace h2sim::cli

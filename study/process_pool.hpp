#pragma once
// Runs independent h2sim invocations as child processes, N at a time. SystemC allows one
// elaboration per process, so every simulated point is a process of its own; this is the one
// point runner of `h2sim sweep` and `h2sim experiment` (study/sweep.hpp), and it draws the
// experiment's charts with gnuplot.
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace h2sim {

struct ProcessJob {
  std::string id;                 // shown in progress lines and returned when the job fails
  std::vector<std::string> args;  // without the executable
  std::string log_file;           // stdout + stderr of the child
  std::string result_file;        // must exist after exit 0, else the job failed
  // Jobs with the same non-empty key never run at once, and run in the given order (a search
  // shared through a cache file: the first writes it, the next read it).
  std::string serial_key;
};

// What a finished job gave: a result; a known reason it cannot give one (infeasible: e.g. a
// dataflow the design cannot hold; a result, not an error, and not retried); or a failure.
enum class JobOutcome { ok, infeasible, failed };
struct JobVerdict {
  JobOutcome outcome = JobOutcome::failed;
  std::string reason;  // infeasible: why (one line)
};
// How a job ended: exit_code (-1 if killed by a signal) and whether its result file exists.
struct JobExit {
  int exit_code = -1;
  int signal = 0;
  bool result_exists = false;
};
// The classification hook: decides ok / infeasible / failed from a job's exit and its log.
using JobClassifier = std::function<JobVerdict(const ProcessJob& job, const JobExit& exit)>;
// The default: ok if it exited 0 and wrote its result file, else failed.
JobVerdict classify_by_exit(const ProcessJob& job, const JobExit& exit);

struct ProcessPoolOptions {
  int jobs = 1;               // at most this many children at once
  size_t already_done = 0;    // counted in the progress lines' [done/total]
  size_t total = 0;           // 0: the number of jobs
  bool progress = true;       // a line on stderr per finished job, with elapsed time and ETA
  JobClassifier classify = classify_by_exit;
};

struct ProcessPoolResult {
  std::set<std::string> failed;                   // ids; their logs' tails were printed
  std::map<std::string, std::string> infeasible;  // id -> reason
};

// Spawns `exe args...` (no shell, stdin /dev/null) for every job and classifies each as it ends.
ProcessPoolResult run_processes(const std::string& exe, const std::vector<ProcessJob>& jobs,
                                const ProcessPoolOptions& options);

// Runs one program to its end (no shell, stdin /dev/null, output into log_file); its exit code,
// -1 if it was killed by a signal (`describe` says which).
int run_program(const std::string& exe, const std::vector<std::string>& args, const std::string& log_file,
                std::string* describe = nullptr);

// The last `lines` lines of a file, each indented by four spaces (a failed job's log).
std::string tail_lines(const std::string& file, size_t lines);

// A program found on PATH, or "".
std::string find_on_path(const std::string& name);

// The running executable, for running points with the same build: self_executable() in
// config/locator.hpp (the one place that reads /proc/self/exe).

}  // namespace h2sim

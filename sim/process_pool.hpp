#pragma once
// Runs independent h2sim invocations as child processes, N at a time. SystemC allows one
// elaboration per process, so every simulated point is a process of its own; this is the point
// runner shared by `h2sim sweep` (and the same scheme as `h2sim experiment`'s).
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

struct ProcessPoolOptions {
  int jobs = 1;               // at most this many children at once
  size_t already_done = 0;    // counted in the progress lines' [done/total]
  size_t total = 0;           // 0: the number of jobs
  bool progress = true;       // a line on stderr per finished job, with elapsed time and ETA
};

// Spawns `exe args...` (no shell, stdin /dev/null) for every job; returns the ids that failed
// (non-zero exit, signal, or no result file), after printing the tail of their logs.
std::set<std::string> run_processes(const std::string& exe, const std::vector<ProcessJob>& jobs,
                                    const ProcessPoolOptions& options);

}  // namespace h2sim

#include "study/process_pool.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "config/errors.hpp"

extern char** environ;

namespace h2sim {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

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

JobExit exit_of(int status) {
  JobExit e;
  if (WIFEXITED(status)) e.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
  return e;
}

std::string describe_exit(const JobExit& e) {
  if (e.exit_code >= 0) return fmt::format("exit code {}", e.exit_code);
  if (e.signal) return fmt::format("killed by signal {}", e.signal);
  return "unknown status";
}

std::string clock_text(double s) {
  const auto t = int64_t(s + 0.5);
  return t >= 3600 ? fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
                   : fmt::format("{}:{:02}", t / 60, t % 60);
}

struct Running {
  size_t job = 0;
  Clock::time_point start;
};

}  // namespace

JobVerdict classify_by_exit(const ProcessJob&, const JobExit& e) {
  return {e.exit_code == 0 && e.result_exists ? JobOutcome::ok : JobOutcome::failed, ""};
}

std::string tail_lines(const std::string& file, size_t lines) {
  std::ifstream in(file);
  std::vector<std::string> all;
  for (std::string l; std::getline(in, l);) all.push_back(l);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += "    " + all[i] + "\n";
  return out;
}

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

int run_program(const std::string& exe, const std::vector<std::string>& args, const std::string& log_file,
                std::string* describe) {
  const pid_t pid = spawn(exe, args, log_file);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw InternalError(fmt::format("waitpid: {}", std::strerror(errno)));
  }
  const JobExit e = exit_of(status);
  if (describe) *describe = describe_exit(e);
  return e.exit_code;
}

ProcessPoolResult run_processes(const std::string& exe, const std::vector<ProcessJob>& jobs,
                                const ProcessPoolOptions& o) {
  if (o.jobs < 1) throw InputError(fmt::format("--jobs must be at least 1, found {}", o.jobs));
  std::vector<size_t> pending;
  for (size_t i = 0; i < jobs.size(); ++i) pending.push_back(i);
  std::map<pid_t, Running> running;
  ProcessPoolResult result;
  const size_t total = o.total ? o.total : jobs.size();
  size_t finished = 0;
  const auto t0 = Clock::now();

  while (!pending.empty() || !running.empty()) {
    // Launch what may run now: skip a job whose serial key is held by a running or earlier job.
    std::set<std::string> busy;
    for (const auto& [pid, r] : running) {
      if (!jobs[r.job].serial_key.empty()) busy.insert(jobs[r.job].serial_key);
    }
    for (auto it = pending.begin(); it != pending.end() && int(running.size()) < o.jobs;) {
      const ProcessJob& j = jobs[*it];
      if (!j.serial_key.empty() && !busy.insert(j.serial_key).second) {
        ++it;
        continue;
      }
      running[spawn(exe, j.args, j.log_file)] = Running{*it, Clock::now()};
      it = pending.erase(it);
    }
    if (running.empty()) break;  // cannot happen: keys are only held by running jobs

    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw InternalError(fmt::format("waitpid: {}", std::strerror(errno)));
    }
    const auto found = running.find(pid);
    if (found == running.end()) continue;  // not one of ours
    const ProcessJob& j = jobs[found->second.job];
    const double job_s = std::chrono::duration<double>(Clock::now() - found->second.start).count();
    running.erase(found);
    ++finished;
    JobExit e = exit_of(status);
    std::error_code ec;
    e.result_exists = fs::exists(j.result_file, ec);
    const JobVerdict v = (o.classify ? o.classify : classify_by_exit)(j, e);
    if (v.outcome == JobOutcome::failed) result.failed.insert(j.id);
    if (v.outcome == JobOutcome::infeasible) result.infeasible[j.id] = v.reason;
    if (o.progress) {
      const double elapsed_s = std::chrono::duration<double>(Clock::now() - t0).count();
      const double eta_s = elapsed_s / double(finished) * double(pending.size() + running.size());
      const char* word = v.outcome == JobOutcome::ok ? "done" : v.outcome == JobOutcome::infeasible ? "INFEASIBLE" : "FAILED";
      std::cerr << fmt::format("[{}/{}] {} {} ({:.1f} s) | elapsed {}, ETA {}\n", o.already_done + finished, total, word,
                               j.id, job_s, clock_text(elapsed_s), clock_text(eta_s));
      if (v.outcome == JobOutcome::infeasible) std::cerr << "  " << v.reason << "\n";
    }
    if (v.outcome == JobOutcome::failed) {
      std::cerr << fmt::format("  {}: {}; its output ({}):\n{}", j.id, describe_exit(e), j.log_file,
                               tail_lines(j.log_file, 15));
    }
  }
  return result;
}

}  // namespace h2sim

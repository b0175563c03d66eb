#pragma once
// Ctrl-C for long commands: the SIGINT handler only sets one flag; the work loops (the genetic
// search between generations, the commands between stages) poll it and stop cleanly. Results are
// written atomically afterwards (sim/atomic_file.hpp), so an interrupted run leaves either a
// complete file or none.
#include <atomic>
#include <string>

namespace h2sim {

// The process-wide flag set by SIGINT (while a SigintGuard is alive). Pass its address to
// SearchParams::stop.
const std::atomic<bool>& interrupt_flag();
inline bool interrupt_requested() { return interrupt_flag().load(std::memory_order_relaxed); }

// Installs the flag-setting SIGINT handler for its lifetime (clearing the flag first) and
// restores the previous handler afterwards. Not nestable across threads; commands create one.
class SigintGuard {
 public:
  SigintGuard();
  ~SigintGuard();
  SigintGuard(const SigintGuard&) = delete;
  SigintGuard& operator=(const SigintGuard&) = delete;

 private:
  void (*previous_)(int);
};

// Throws Interrupted (exit code 130) saying the run was interrupted during `stage` and that no
// result file was written, if Ctrl-C was pressed.
void throw_if_interrupted(const std::string& stage);

}  // namespace h2sim

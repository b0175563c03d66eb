#pragma once
// Runs an elaborated simulation to its end under a watchdog.
//
// Instead of one sc_start() that returns only when the event queue is empty, the simulation is
// advanced in slices of simulated time (sized adaptively to ~0.1 s of wall time each). Between
// slices the watchdog checks:
//  - Ctrl-C (sim/interrupt.hpp): stops with Interrupted (exit 130);
//  - the wall-time limit (--max-wall-s): stops with LimitReached (exit 3);
//  - starvation: no event is pending although the run has not finished, i.e. some component
//    waits for something that will never happen (a lost transaction): InternalError.
// Every stop names the components that still hold work and their queues (`pending_work`), so a
// hang is reported as "chip.ch3.link: 2 transfers queued ..." instead of spinning or returning
// a latency of 0. Slicing does not change the result: events run in the same order either way.
#include <functional>
#include <string>
#include <vector>

namespace h2sim {

struct WatchdogOptions {
  double max_wall_s = 0;     // 0: no limit
  bool progress = false;     // a progress line on stderr every ~10 s of wall time
  std::string what = "simulation";  // names the run in messages ("gemm", "run")
  // How a stop (and a violated end-of-run invariant) is reported. false: an exception
  // (InternalError, LimitReached, Interrupted), for library callers. true (the CLI): the message
  // on stderr and an immediate exit with the documented code (1, 3, 130), writing nothing. An
  // exception would unwind past SystemC threads suspended mid-simulation on the kernel's own
  // coroutine stacks, whose memory is then never freed and which AddressSanitizer cannot follow
  // (it warns "False positive error reports may follow"); exiting is the clean way out.
  bool exit_process_on_stop = false;
};

struct WatchdogStats {
  int64_t slices = 0;
  double wall_s = 0;
};

// Simulates until `finished()` holds. `pending_work()` lists the components still busy (one
// line each, named by their place in the hierarchy) for the error messages.
WatchdogStats simulate_until_finished(const std::function<bool()>& finished,
                                      const std::function<std::vector<std::string>()>& pending_work,
                                      const WatchdogOptions& options);

// Reports `violations` (end-of-run invariants that failed), if any, as an internal error: an
// InternalError, or (exit_process_on_stop) the message and exit code 1.
void check_end_of_run(const std::vector<std::string>& violations, const WatchdogOptions& options);

// The peak resident memory of this process so far, in MiB (getrusage). A host measurement, so
// reports name it wall_peak_rss_mib: like wall_s it is not part of the deterministic result.
double peak_rss_mib();

// Checks --max-wall-s: finite and >= 0 (0 = no limit). InputError naming the flag otherwise.
void validate_max_wall_s(double max_wall_s);

}  // namespace h2sim

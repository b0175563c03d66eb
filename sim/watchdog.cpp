#include "sim/watchdog.hpp"

#include <fmt/format.h>
#include <systemc>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include <sys/resource.h>

#include "config/errors.hpp"
#include "models/sc_time_util.hpp"
#include "sim/interrupt.hpp"

namespace h2sim {

namespace {

using Clock = std::chrono::steady_clock;

std::string describe_pending(const std::vector<std::string>& pending) {
  if (pending.empty()) return "no component reports pending work";
  std::string s = "components still holding work:";
  constexpr size_t kMaxLines = 24;  // a stuck 8-channel chip can list every PE; keep it readable
  for (size_t i = 0; i < pending.size() && i < kMaxLines; ++i) s += "\n  " + pending[i];
  if (pending.size() > kMaxLines) s += fmt::format("\n  ... and {} more", pending.size() - kMaxLines);
  return s;
}

void collect_threads(sc_core::sc_object* object, std::vector<sc_core::sc_process_handle>* out) {
  sc_core::sc_process_handle h(object);
  if (h.valid() && h.proc_kind() == sc_core::SC_THREAD_PROC_ && !h.terminated()) out->push_back(h);
  for (sc_core::sc_object* child : object->get_child_objects()) collect_threads(child, out);
}

// Stops an unfinished simulation for good before the watchdog throws: every thread still
// suspended in it is killed from inside the simulation (a reaper process), so their stacks
// unwind and free what they hold. Without this they stay suspended on SystemC's coroutine stacks
// until the process exits: memory LeakSanitizer cannot see, stacks AddressSanitizer loses track of.
void abandon_simulation() {
  std::vector<sc_core::sc_process_handle> threads;
  for (sc_core::sc_object* top : sc_core::sc_get_top_level_objects()) collect_threads(top, &threads);
  sc_core::sc_spawn(
      [&threads] {
        for (auto& h : threads) {
          if (h.valid() && !h.terminated()) h.kill(sc_core::SC_INCLUDE_DESCENDANTS);
        }
      },
      "watchdog_reaper");
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  sc_core::sc_stop();
}

std::string now_text() { return fmt::format("{:.3f} us", time_to_ns(sc_core::sc_time_stamp()) / 1e3); }

}  // namespace

void validate_max_wall_s(double max_wall_s) {
  if (!std::isfinite(max_wall_s) || max_wall_s < 0) {
    throw InputError(fmt::format("--max-wall-s must be a finite number of seconds >= 0 (0: no limit), found {}", max_wall_s));
  }
}

double peak_rss_mib() {
  rusage u{};
  if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
  return double(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

namespace {

enum class StopKind { internal_error, limit, interrupted };

// The one way out of an unfinished or inconsistent simulation (see WatchdogOptions).
[[noreturn]] void stop(StopKind kind, const std::string& message, const WatchdogOptions& options) {
  if (options.exit_process_on_stop) {
    // The same words and codes as the CLI's handlers in sim/cli/main.cpp.
    switch (kind) {
      case StopKind::internal_error: std::cerr << "h2sim: internal error (please report): "; break;
      case StopKind::limit: std::cerr << "h2sim: stopped: "; break;
      case StopKind::interrupted: std::cerr << "h2sim: "; break;
    }
    std::cerr << message << std::endl;
    std::cout.flush();
    std::_Exit(kind == StopKind::internal_error ? kExitInternalError
               : kind == StopKind::limit        ? kExitLimitReached
                                                : kExitInterrupted);
  }
  if (kind != StopKind::internal_error || sc_core::sc_pending_activity()) abandon_simulation();
  switch (kind) {
    case StopKind::internal_error: throw InternalError(message);
    case StopKind::limit: throw LimitReached(message);
    case StopKind::interrupted: throw Interrupted(message);
  }
  throw InternalError(message);
}

}  // namespace

void check_end_of_run(const std::vector<std::string>& violations, const WatchdogOptions& options) {
  if (violations.empty()) return;
  std::string s = fmt::format("{}: {} end-of-run invariant(s) violated:", options.what, violations.size());
  for (size_t i = 0; i < violations.size() && i < 24; ++i) s += "\n  " + violations[i];
  if (violations.size() > 24) s += fmt::format("\n  ... and {} more", violations.size() - 24);
  stop(StopKind::internal_error, s, options);
}

WatchdogStats simulate_until_finished(const std::function<bool()>& finished,
                                      const std::function<std::vector<std::string>()>& pending_work,
                                      const WatchdogOptions& options) {
  validate_max_wall_s(options.max_wall_s);
  const auto start = Clock::now();
  auto wall = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  // Slices of simulated time, adapted so one slice takes ~0.05-0.2 s of wall time: short enough
  // to react to Ctrl-C and the limit promptly, long enough that the per-slice cost is nil.
  sc_core::sc_time slice(1, sc_core::SC_US);
  const sc_core::sc_time min_slice(1, sc_core::SC_NS), max_slice(1, sc_core::SC_SEC);
  WatchdogStats stats;
  double next_progress_s = 10;
  for (;;) {
    // A slice that ends before the next event would not move time (and SystemC warns about an
    // sc_start without activity): reach at least the next event.
    if (!sc_core::sc_pending_activity_at_current_time() && sc_core::sc_pending_activity_at_future_time()) {
      slice = std::max(slice, sc_core::sc_time_to_pending_activity());
    }
    const auto t0 = Clock::now();
    sc_core::sc_start(slice, sc_core::SC_EXIT_ON_STARVATION);
    ++stats.slices;
    const double took = std::chrono::duration<double>(Clock::now() - t0).count();
    if (took < 0.05 && slice < max_slice) slice = std::min(slice * 2, max_slice);
    if (took > 0.2 && slice > min_slice) slice = std::max(slice / 2, min_slice);
    if (finished()) break;
    if (!sc_core::sc_pending_activity()) {
      const std::string message = fmt::format(
          "{} stalled at simulated time {}: nothing is scheduled to happen but the run has not finished "
          "(a transaction was lost, or a component waits for an event nobody sends); {}",
          options.what, now_text(), describe_pending(pending_work()));
      stop(StopKind::internal_error, message, options);
    }
    if (interrupt_requested()) {
      const std::string message = fmt::format(
          "interrupted (Ctrl-C) during the {} at simulated time {}; no result file was written", options.what, now_text());
      stop(StopKind::interrupted, message, options);
    }
    const double w = wall();
    if (options.max_wall_s > 0 && w > options.max_wall_s) {
      const std::string message = fmt::format(
          "--max-wall-s {}: the {} ran {:.1f} s of wall time and reached simulated time {} without finishing; no "
          "result file was written; {}",
          options.max_wall_s, options.what, w, now_text(), describe_pending(pending_work()));
      stop(StopKind::limit, message, options);
    }
    if (options.progress && w >= next_progress_s) {
      std::cerr << fmt::format("h2sim: {}: simulated {}, wall {:.0f} s\n", options.what, now_text(), w);
      next_progress_s += 10;
    }
  }
  stats.wall_s = wall();
  return stats;
}

}  // namespace h2sim

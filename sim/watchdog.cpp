#include "sim/watchdog.hpp"

#include <fmt/format.h>
#include <systemc>

#include <algorithm>
#include <chrono>
#include <cmath>
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

void throw_if_violated(const std::vector<std::string>& violations, const std::string& what) {
  if (violations.empty()) return;
  std::string s = fmt::format("{}: {} end-of-run invariant(s) violated:", what, violations.size());
  for (size_t i = 0; i < violations.size() && i < 24; ++i) s += "\n  " + violations[i];
  if (violations.size() > 24) s += fmt::format("\n  ... and {} more", violations.size() - 24);
  throw InternalError(s);
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
    const auto t0 = Clock::now();
    sc_core::sc_start(slice, sc_core::SC_EXIT_ON_STARVATION);
    ++stats.slices;
    const double took = std::chrono::duration<double>(Clock::now() - t0).count();
    if (took < 0.05 && slice < max_slice) slice = std::min(slice * 2, max_slice);
    if (took > 0.2 && slice > min_slice) slice = std::max(slice / 2, min_slice);
    if (finished()) break;
    if (!sc_core::sc_pending_activity()) {
      throw InternalError(fmt::format(
          "{} stalled at simulated time {}: nothing is scheduled to happen but the run has not finished "
          "(a transaction was lost, or a component waits for an event nobody sends); {}",
          options.what, now_text(), describe_pending(pending_work())));
    }
    if (interrupt_requested()) {
      throw Interrupted(fmt::format("interrupted (Ctrl-C) during the {} at simulated time {}; no result file was written",
                                    options.what, now_text()));
    }
    const double w = wall();
    if (options.max_wall_s > 0 && w > options.max_wall_s) {
      throw LimitReached(fmt::format("--max-wall-s {}: the {} ran {:.1f} s of wall time and reached simulated time {} "
                                     "without finishing; no result file was written; {}",
                                     options.max_wall_s, options.what, w, now_text(), describe_pending(pending_work())));
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

#include "sim/interrupt.hpp"

#include <fmt/format.h>

#include <csignal>

#include "config/errors.hpp"

namespace h2sim {

namespace {
// The one global of h2sim: a signal handler can only reach static storage, and may only touch
// lock-free atomics (or volatile sig_atomic_t). Everything else polls it through interrupt_flag().
std::atomic<bool> g_sigint{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the SIGINT flag must be async-signal-safe");

extern "C" void on_sigint(int) { g_sigint.store(true, std::memory_order_relaxed); }
}  // namespace

const std::atomic<bool>& interrupt_flag() { return g_sigint; }

SigintGuard::SigintGuard() {
  g_sigint.store(false);
  previous_ = std::signal(SIGINT, on_sigint);
}

SigintGuard::~SigintGuard() { std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_); }

void throw_if_interrupted(const std::string& stage) {
  if (interrupt_requested()) {
    throw Interrupted(fmt::format("interrupted (Ctrl-C) during {}; no result file was written", stage));
  }
}

}  // namespace h2sim

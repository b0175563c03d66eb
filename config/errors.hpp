#pragma once
// Error kinds and the process exit codes they map to (documented in README.md):
//   0 ok, 1 internal error (a bug in h2sim), 2 bad input (config, flag, file), 3 a limit the user
//   set was reached (--max-wall-s), 130 interrupted by Ctrl-C (the shell's 128 + SIGINT).
#include <stdexcept>
#include <string>

namespace h2sim {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInternalError = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitLimitReached = 3;
inline constexpr int kExitInterrupted = 130;

// Bad user input: a config file, a key in it, a command-line flag. The message names where.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A run stopped by a limit the user set (--max-wall-s): not a bug, not bad input.
class LimitReached : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The user pressed Ctrl-C; the command stopped cleanly and wrote no result file.
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A violated internal invariant: a bug in h2sim, never the user's fault.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace h2sim

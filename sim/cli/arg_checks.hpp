#pragma once
// Checks of command-line arguments made before a command reads any file or runs anything.
//
// Strict numeric flags: a whole number is plain decimal (no octal surprise: CLI11
// would read `010` as 8; no silent clamping: it would read 99999999999999999999 as INT64_MAX)
// in a documented range, a real number is finite and in its range. A bad value fails while the
// command line is parsed, before any file is read, with a message naming the flag, the value
// and the valid range (CLI11 prefixes the flag's name), exit code 2.
//
//   cmd->add_option("--population", a.population, "...")->transform(cli::whole_number(2, 100000));
//
// Output paths: a result file or folder that cannot be written is an InputError up front, not
// after a long search or simulation.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "config/errors.hpp"

namespace h2sim::cli {

// Decimal digits with an optional sign, nothing else; "" if it is not one.
inline std::string plain_decimal(const std::string& text) {
  size_t i = (!text.empty() && (text[0] == '+' || text[0] == '-')) ? 1 : 0;
  if (i == text.size()) return "";
  for (size_t k = i; k < text.size(); ++k) {
    if (text[k] < '0' || text[k] > '9') return "";
  }
  return text;
}

// A whole number in [lo, hi]; `why` (optional) says where the bounds come from. The value is
// rewritten to its canonical decimal form, so CLI11's conversion cannot reinterpret it.
inline CLI::Validator whole_number(int64_t lo, int64_t hi, const std::string& why = "") {
  const std::string range = fmt::format("{}..{}", lo, hi);
  return CLI::Validator(
      [lo, hi, range, why](std::string& value) -> std::string {
        const std::string tail = why.empty() ? "" : "; " + why;
        if (plain_decimal(value).empty()) {
          return fmt::format("'{}' is not a whole number in decimal digits (valid: {}{})", value, range, tail);
        }
        errno = 0;
        char* end = nullptr;
        const long long v = std::strtoll(value.c_str(), &end, 10);
        if (errno == ERANGE || v < lo || v > hi) {
          return fmt::format("{} is out of range (valid: {}{})", value, range, tail);
        }
        value = std::to_string(v);
        return "";
      },
      "in " + range);
}

// An unsigned 64-bit whole number (seeds): 0..18446744073709551615, decimal, no sign.
inline CLI::Validator unsigned_64() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        const std::string range = "0..18446744073709551615";
        if (plain_decimal(value).empty() || value[0] == '-' || value[0] == '+') {
          return fmt::format("'{}' is not a whole number 0 or more in decimal digits (valid: {})", value, range);
        }
        errno = 0;
        char* end = nullptr;
        const unsigned long long v = std::strtoull(value.c_str(), &end, 10);
        if (errno == ERANGE) return fmt::format("{} is out of range (valid: {})", value, range);
        value = std::to_string(v);
        return "";
      },
      "0..2^64-1");
}

// A finite real number in [lo, hi] (decimal or scientific notation; not nan, not inf).
inline CLI::Validator real_number(double lo, double hi, const std::string& why = "") {
  const std::string range = fmt::format("[{}, {}]", lo, hi);
  return CLI::Validator(
      [lo, hi, range, why](std::string& value) -> std::string {
        const std::string tail = why.empty() ? "" : "; " + why;
        errno = 0;
        char* end = nullptr;
        const double v = value.empty() ? 0.0 : std::strtod(value.c_str(), &end);
        const bool hex = value.find_first_of("xX") != std::string::npos;
        if (value.empty() || hex || end == nullptr || *end != '\0' || !std::isfinite(v)) {
          return fmt::format("'{}' is not a finite number (valid: {}{})", value, range, tail);
        }
        if (!(v >= lo && v <= hi)) return fmt::format("{} is out of range (valid: {}{})", value, range, tail);
        return "";
      },
      "in " + range);
}

// Sequences decoded together: 4096 sequences of LLaMA3-8B at 2048 tokens hold 1 TiB of KV cache,
// beyond any design here, and batch x context x hidden stays far inside int64.
inline constexpr int64_t kMaxBatch = 4096;
// Processes run at once by sweep / experiment: each is a `run` of tens to hundreds of MiB.
inline constexpr int64_t kMaxJobs = 256;

namespace detail {
// The nearest existing folder at or above `dir` (the folder a write will create things in), or
// an InputError if the way there goes through something that is not a folder.
inline std::filesystem::path existing_ancestor(const std::string& flag, const std::string& what,
                                               std::filesystem::path dir) {
  namespace fs = std::filesystem;
  if (dir.empty()) dir = ".";
  std::error_code ec;
  while (!fs::exists(fs::symlink_status(dir, ec)) && dir.has_parent_path() && dir.parent_path() != dir) {
    dir = dir.parent_path();
  }
  if (!fs::exists(dir, ec)) dir = ".";
  if (!fs::is_directory(dir, ec)) {
    throw InputError(fmt::format("{} {}: cannot create it: '{}' is not a folder", flag, what, dir.string()));
  }
  return dir;
}

// A file can be created in `dir`: tried with a probe file (removed at once), since permissions
// alone do not tell (root, read-only mounts, /proc).
inline void require_writable(const std::string& flag, const std::string& what, const std::filesystem::path& dir) {
  const std::string probe = (dir / fmt::format(".h2sim-write-probe.{}", ::getpid())).string();
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw InputError(fmt::format("{} {}: cannot create a file in folder '{}': {}", flag, what, dir.string(),
                                 std::strerror(errno)));
  }
  ::close(fd);
  ::unlink(probe.c_str());
}
}  // namespace detail

// A result file `path` (given with `flag`; "" = not requested): not a folder, not a device or
// FIFO (it is written through a temporary file and a rename, which would replace one), and its
// folder exists or can be created, and is writable.
inline void check_output_file(const std::string& flag, const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) throw InputError(fmt::format("{} {}: {}", flag, path, ec.message()));
  if (fs::is_directory(st)) {
    throw InputError(fmt::format("{} {}: is a folder, but a file is written there (give a file name)", flag, path));
  }
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    throw InputError(fmt::format("{} {}: is not a regular file (a device, FIFO or socket); results are written to a "
                                 "temporary file and renamed over the target, which would replace it",
                                 flag, path));
  }
  if (!path.empty() && path.back() == '/') {
    throw InputError(fmt::format("{} {}: ends with '/'; give a file name", flag, path));
  }
  const fs::path parent = fs::path(path).parent_path();
  detail::require_writable(flag, path, detail::existing_ancestor(flag, path, parent));
}

// A result file must not be one of the command's inputs (a typo such as `--json hw.yaml`
// would replace a config with a report).
inline void check_not_an_input(const std::string& flag, const std::string& path, const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  if (path.empty()) return;
  std::error_code ec;
  for (const auto& in : inputs) {
    if (!in.empty() && fs::equivalent(path, in, ec) && !ec) {
      throw InputError(fmt::format("{} {}: is an input of this command ({}); writing the result there would replace it",
                                   flag, path, in));
    }
  }
}

// An output folder `dir` (given with `flag`): a folder or nothing yet, and writable (or creatable).
inline void check_output_dir(const std::string& flag, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) throw InputError(fmt::format("{} {}: {}", flag, dir, ec.message()));
  if (fs::exists(st) && !fs::is_directory(st)) {
    throw InputError(fmt::format("{} {}: exists and is not a folder", flag, dir));
  }
  detail::require_writable(flag, dir, detail::existing_ancestor(flag, dir, fs::path(dir)));
}

}  // namespace h2sim::cli

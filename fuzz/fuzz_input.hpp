#pragma once
// Shared harness of the libFuzzer targets: the loaders take file paths (they report the file in
// their errors, resolve relative includes and pick the format by extension), so each input is
// written to a private temporary folder first.
//
// Contract under test: any input either loads or throws h2sim::InputError. Any other exception,
// a crash, a sanitizer report or a hang is a finding; the harness aborts so libFuzzer saves it.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/errors.hpp"

namespace h2sim::fuzz {

// A folder of this process's own (fuzzing may run several jobs in parallel).
inline const std::string& work_dir() {
  static const std::string dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string d = std::string(base ? base : "/tmp") + "/h2sim-fuzz-" + std::to_string(getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

inline std::string write_input(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = work_dir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// Runs `load`; InputError is the expected outcome for bad input, anything else aborts.
template <typename F>
void expect_only_input_errors(F&& load) {
  try {
    load();
  } catch (const InputError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "h2sim fuzz: not an InputError: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "h2sim fuzz: unknown exception\n");
    std::abort();
  }
}

}  // namespace h2sim::fuzz

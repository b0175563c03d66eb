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

// A folder of this process's own (fuzzing may run several jobs in parallel), in $TMPDIR, else
// in /dev/shm: every input is written to a file, and on a disk file system (ext4 with online
// discard here) truncating and rewriting it made the targets wait 3-7x longer than they compute.
inline const std::string& work_dir() {
  static const std::string* const dir = [] {  // never destroyed: the exit handler reads it
    const char* env = std::getenv("TMPDIR");
    const std::string base = env && *env ? env : access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    auto* d = new std::string(base + "/h2sim-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(*d);
    std::atexit([] {  // a normal end of fuzzing; a crash leaves the folder (it holds the input)
      std::error_code ec;
      std::filesystem::remove_all(work_dir(), ec);  // symlinks are removed, never followed
    });
    return d;
  }();
  return *dir;
}

inline std::string write_input(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = work_dir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// For inputs that name other files by relative path (experiment and sweep specs): the input is
// written to <work_dir>/tree/tests/data/<folder>/<name>, in a tree whose other entries are
// symlinks into the source tree: tree/configs (so `../../../configs/...` resolves, as from
// tests/data/*/), tree/tests/data/{e2e,mapping,artifact} and tree/tests/data/{hardware,models,
// scenarios,dram,energy} -> configs/<same> (so `../hardware/...` resolves, as from configs/*/).
// Seeds from both places therefore load the files they name. `folder` must not be one of the
// linked names (the input would land in the source tree).
inline std::string write_input_in_tree(const std::string& folder, const std::string& name, const uint8_t* data,
                                       size_t size) {
  namespace fs = std::filesystem;
  static const std::string tree = [] {
    const std::string t = work_dir() + "/tree";
    const std::string src = H2SIM_SOURCE_DIR;
    fs::create_directories(t + "/tests/data");
    auto link = [](const std::string& target, const std::string& at) {
      std::error_code ec;
      if (!fs::exists(fs::symlink_status(at))) fs::create_directory_symlink(target, at, ec);
    };
    link(src + "/configs", t + "/configs");
    for (const char* d : {"e2e", "mapping", "artifact"}) link(src + "/tests/data/" + d, t + "/tests/data/" + d);
    for (const char* d : {"hardware", "models", "scenarios", "dram", "energy"}) {
      link(src + "/configs/" + d, t + "/tests/data/" + d);
    }
    return t;
  }();
  const std::string dir = tree + "/tests/data/" + folder;
  fs::create_directories(dir);
  const std::string path = dir + "/" + name;
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

// Regressions of fuzz findings (fuzz/, scripts/fuzz.sh) that are not a bad input file of
// tests/data/bad/ alone: each test names the target that found it.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <string>
#include <unistd.h>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "study/sweep.hpp"

using namespace h2sim;
namespace fs = std::filesystem;

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / ("h2sim-fuzz-regressions-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string input_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

// fuzz_sweep: a sweep name with a byte that is not UTF-8 loaded, and `h2sim sweep` then died with
// "internal error" writing sweep.json (JSON is UTF-8 only). Every YAML file is now checked on load.
TEST(FuzzRegression, SweepNameNotUtf8IsAnInputError) {
  const std::string path = write_temp("sweep-not-utf8.yaml", "command: run\nname: \xdf\n");
  const std::string msg = input_error([&] { (void)load_sweep_spec(path); });
  EXPECT_NE(msg.find(path + ":2:7: not valid UTF-8 (byte 0xDF)"), std::string::npos) << msg;
}

TEST(FuzzRegression, Utf8NamesStillLoadAndReachTheManifest) {
  const std::string path = write_temp("sweep-utf8.yaml", "command: run\nname: \"sw\xc3\xa9" "ep \xe2\x82\xac\"\n");
  const SweepSpec spec = load_sweep_spec(path);
  EXPECT_EQ(spec.name, "sw\xc3\xa9" "ep \xe2\x82\xac");
  EXPECT_NE(sweep_manifest(spec, {}).find("\"name\""), std::string::npos);
}

// The same through `--set name=...` (the override value bypasses the file check).
TEST(FuzzRegression, OverrideNotUtf8IsAnInputError) {
  const std::string msg = input_error(
      [] { (void)load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml", {"name=h2\xdfllm"}); });
  EXPECT_NE(msg.find("--set: an override is not valid UTF-8 (byte 0xDF at offset 7)"), std::string::npos) << msg;
}

// Overlong forms, surrogates and code points above U+10FFFF are not UTF-8 either.
TEST(FuzzRegression, MalformedUtf8SequencesAreRejected) {
  for (const std::string bad : {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\x80"}) {
    const std::string path = write_temp("hw.yaml", "name: x" + bad + "\n");
    EXPECT_NE(input_error([&] { (void)load_hardware_config(path); }).find("not valid UTF-8"), std::string::npos);
  }
}

// Found by hand beside fuzz_sweep (a 300-byte spec): seven axes of ten values are 10^7 points,
// which expand_sweep built in memory for minutes before failing. Now a load error naming 'axes'.
TEST(FuzzRegression, SweepWithTooManyPointsIsAnInputError) {
  std::string text = "name: big\ncommand: gemm\naxes:\n";
  for (const char* key : {"m", "k", "n", "batch", "on", "fidelity", "dram"}) {
    text += std::string("  - ") + key + ": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n";
  }
  const std::string path = write_temp("sweep-big.yaml", text);
  const std::string msg = input_error([&] { (void)load_sweep_spec(path); });
  EXPECT_NE(msg.find("key 'axes': the axes give 10 x 10 x 10 x 10 x 10 x 10 x 10 points, more than the 100000"),
            std::string::npos)
      << msg;
}

// libFuzzer target: `--set KEY=VALUE` / `--energy-set KEY=VALUE` overrides
// (config/yaml_reader.cpp apply_overrides). Each line of the input is one override; the list is
// applied to configs/hardware/h2llm.yaml through load_hardware_config and to
// configs/energy/default.yaml through load_energy_config, so an override that is accepted is
// validated exactly like the file. The first line is also parsed as a `--shard I/N`.
#include <sstream>
#include <vector>

#include "config/hardware_config.hpp"
#include "fuzz/fuzz_input.hpp"
#include "mapping/energy.hpp"
#include "study/sweep.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace h2sim;
  std::vector<std::string> overrides;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  for (std::string line; std::getline(in, line);) overrides.push_back(line);
  if (overrides.size() > 64) return -1;  // a command line, not a file: keep inputs small
  fuzz::expect_only_input_errors(
      [&] { (void)load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml", overrides); });
  fuzz::expect_only_input_errors(
      [&] { (void)load_energy_config(H2SIM_SOURCE_DIR "/configs/energy/default.yaml", overrides); });
  if (!overrides.empty()) fuzz::expect_only_input_errors([&] { (void)parse_shard(overrides.front()); });
  return 0;
}

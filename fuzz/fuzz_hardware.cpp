// libFuzzer target: hardware configs (config/hardware_config.cpp), through `h2sim check`, which
// also loads the DRAM standard a design names and checks that the design fits it.
#include "fuzz/fuzz_input.hpp"
#include "study/input_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = h2sim::fuzz::write_input("hardware.yaml", data, size);
  h2sim::fuzz::expect_only_input_errors(
      [&] { h2sim::check_input_file(path, h2sim::InputKind::hardware, h2sim::CheckOptions{}); });
  return 0;
}

// libFuzzer target: DRAM timing standards (models/dram/dram_standard.cpp).
#include "fuzz/fuzz_input.hpp"
#include "models/dram/dram_standard.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = h2sim::fuzz::write_input("dram.yaml", data, size);
  h2sim::fuzz::expect_only_input_errors([&] { h2sim::load_dram_standard(path); });
  return 0;
}

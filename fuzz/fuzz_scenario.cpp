// libFuzzer target: scenarios (mapping/model.cpp load_scenario).
#include "fuzz/fuzz_input.hpp"
#include "mapping/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = h2sim::fuzz::write_input("scenario.yaml", data, size);
  h2sim::fuzz::expect_only_input_errors([&] { h2sim::load_scenario(path); });
  return 0;
}

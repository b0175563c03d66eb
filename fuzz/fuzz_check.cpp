// libFuzzer target: `h2sim check` on any bytes: kind detection, then the detected loader (all
// formats, with the cross-file checks).
#include "fuzz/fuzz_input.hpp"
#include "study/input_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace h2sim;
  static const CheckOptions options = [] {
    CheckOptions o;
    o.shipped_config = shipped_config_path;
    return o;
  }();
  const std::string path = fuzz::write_input("input.yaml", data, size);
  fuzz::expect_only_input_errors([&] { check_input_file(path, detect_input_kind(path), options); });
  return 0;
}

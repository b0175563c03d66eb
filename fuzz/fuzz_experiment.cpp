// libFuzzer target: experiment specs (study/experiment.cpp): load (which loads every design's
// hardware and every model, and resolves the scenarios), expand into points and build each
// point's `run` command line. The input sits in a tree where the relative paths of
// configs/experiments/*.yaml and tests/data/experiments/*.yaml resolve (fuzz_input.hpp).
#include "fuzz/fuzz_input.hpp"
#include "study/experiment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace h2sim;
  const std::string path = fuzz::write_input_in_tree("experiments", "input.yaml", data, size);
  fuzz::expect_only_input_errors([&] {
    const ExperimentSpec spec = load_experiment_spec(path);
    for (const auto& p : expand_experiment(spec)) (void)run_arguments(p, "result.json", "out");
  });
  return 0;
}

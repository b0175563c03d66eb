// libFuzzer target: experiment specs (study/experiment.cpp): load (which loads every design's
// hardware and every model, and resolves the scenarios), expand into points and build each
// point's `run` command line (through the sweep runner, as `h2sim experiment` does). The input sits in a tree where the relative paths of
// configs/experiments/*.yaml and tests/data/experiments/*.yaml resolve (fuzz_input.hpp).
#include "fuzz/fuzz_input.hpp"
#include "study/experiment.hpp"
#include "study/sweep.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace h2sim;
  const std::string path = fuzz::write_input_in_tree("experiments", "input.yaml", data, size);
  fuzz::expect_only_input_errors([&] {
    const ExperimentSpec spec = load_experiment_spec(path);
    const SweepSpec sweep = experiment_sweep(spec, expand_experiment(spec));
    for (const SweepPoint& p : sweep.points) {
      (void)sweep_point_arguments(sweep, p, "result.json", sweep_cache_dir("out", p));
    }
  });
  return 0;
}

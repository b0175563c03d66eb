// libFuzzer target: sweep specs (study/sweep_spec.cpp; an experiment spec is a sweep spec too):
// load, expand (which loads each point's hardware with its `set.KEY` overrides, model and
// scenario), then the manifest and, for the first points, the command line and the resolved
// config.yaml. The input sits in a tree where the relative paths of tests/data/sweeps/*.yaml
// and configs/experiments/*.yaml resolve (fuzz_input.hpp); a point without `hw` uses
// configs/hardware/h2llm.yaml from the working directory, as `h2sim run` does (scripts/fuzz.sh
// runs from the source tree).
#include "fuzz/fuzz_input.hpp"
#include "study/sweep.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace h2sim;
  const std::string path = fuzz::write_input_in_tree("sweeps", "input.yaml", data, size);
  fuzz::expect_only_input_errors([&] {
    const SweepSpec spec = load_sweep_spec(path);
    // The loader allows 100000 points, 90 us each under the sanitizers: keep an input under the
    // 10 s timeout (a large spec expands with the same code as a small one).
    size_t count = 1;
    for (const auto& a : spec.axes) count *= a.rows.size();
    if (count > 5000) return;
    const std::vector<SweepPoint> points = expand_sweep(spec);
    (void)sweep_manifest(spec, points);
    for (size_t i = 0; i < points.size() && i < 4; ++i) {
      (void)sweep_point_arguments(spec, points[i], "result.json", "point");
      (void)sweep_point_config(spec, points[i]);
    }
    (void)shard_points(points, 2, 3);
  });
  return 0;
}

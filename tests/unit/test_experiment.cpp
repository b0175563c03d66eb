// The experiment spec loader, its expansion into points (and into sweep points), and the
// summary built from results.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/errors.hpp"
#include "study/experiment.hpp"
#include "study/experiment_summary.hpp"
#include "study/sweep.hpp"

namespace h2sim {
namespace {

namespace fs = std::filesystem;

std::string paper_spec() { return std::string(H2SIM_SOURCE_DIR) + "/configs/experiments/paper.yaml"; }
std::string tiny_spec() { return std::string(H2SIM_TEST_DATA_DIR) + "/experiments/tiny.yaml"; }

// Writes `text` as a spec next to the tiny one (so its relative paths resolve) and returns it.
class SpecFile {
 public:
  explicit SpecFile(const std::string& name, const std::string& text)
      : path_((fs::temp_directory_path() / ("h2sim-exp-" + name + ".yaml")).string()) {
    std::ofstream(path_) << text;
  }
  ~SpecFile() { fs::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string tiny_text() {
  // Absolute paths, so the spec can live anywhere.
  const std::string src = H2SIM_SOURCE_DIR;
  return "name: t\n"
         "designs:\n"
         "  - {name: h2llm, hardware: " + src + "/configs/hardware/h2llm.yaml, dataflow: fc-nmp}\n"
         "  - {name: cp, hardware: " + src + "/configs/hardware/npu-only.yaml, dataflow: npu-only}\n"
         "models: [" + src + "/tests/data/e2e/tiny-llama.yaml]\n"
         "scenarios: [" + src + "/tests/data/e2e/tiny-scenario.yaml]\n"
         "batches: [1]\n"
         "fidelities: [analytic]\n";
}

std::string error_of(const std::string& path) {
  try {
    load_experiment_spec(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Experiment, PaperSpecExpandsToEveryPointOnce) {
  const ExperimentSpec s = load_experiment_spec(paper_spec());
  EXPECT_EQ(s.designs.size(), 4u);
  EXPECT_EQ(s.reference_design, "h2llm");
  const auto points = expand_experiment(s);
  // Per fidelity: 4 designs + 4 comparison dataflows other than H2-LLM's own (h2llm), over
  // 3 models x 4 scenarios x 3 batches; two fidelities.
  EXPECT_EQ(points.size(), 2u * (4 + 4) * 3 * 4 * 3);
  std::set<std::string> ids;
  for (const auto& p : points) {
    EXPECT_TRUE(ids.insert(p.id).second) << p.id;
    EXPECT_EQ(p.id.find('/'), std::string::npos);
    EXPECT_EQ(p.search_key.empty(), p.dataflow != "h2llm" && p.dataflow != "cc-nmp") << p.id;
  }
  EXPECT_EQ(expand_experiment(s, {"analytic"}).size(), points.size() / 2);
  // Analytic first: its points run the searches the cycle points then reuse.
  EXPECT_EQ(points.front().fidelity, "analytic");
  EXPECT_EQ(points.back().fidelity, "cycle");
}

TEST(Experiment, ExpansionIsDeterministic) {
  const auto a = expand_experiment(load_experiment_spec(paper_spec()));
  const auto b = expand_experiment(load_experiment_spec(paper_spec()));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].id, b[i].id);
  EXPECT_EQ(a.front().id, "analytic_h2llm_h2llm_opt-6.7b_humaneval_b1");
}

TEST(Experiment, TinySpecPointsAndRunArguments) {
  const auto points = expand_experiment(load_experiment_spec(tiny_spec()));
  ASSERT_EQ(points.size(), 8u);  // (h2llm/fc-nmp, cp, h2llm/attn-nmp, h2llm/h2llm) x 2 fidelities
  const SweepSpec sweep = experiment_sweep(load_experiment_spec(tiny_spec()), points);
  ASSERT_EQ(sweep.points.size(), points.size());
  const SweepPoint& p = sweep.points[0];
  EXPECT_EQ(p.id, points[0].id);
  const auto args = sweep_point_arguments(sweep, p, "/o/p.json", sweep_cache_dir("/o", p));
  const std::vector<std::string> want = {"run", "--hw", points[0].hardware_file, "--model", points[0].model_file,
                                         "--scenario", points[0].scenario_arg, "--batch", "1", "--dataflow", "fc-nmp",
                                         "--fidelity", "analytic", "--json", "/o/p.json", "--out",
                                         "/o/points/" + p.id, "--quiet"};
  EXPECT_EQ(args, want);
  EXPECT_TRUE(fs::exists(points[0].model_file)) << "model path resolved against the spec's folder";
}

TEST(Experiment, UnknownKeyIsRejectedWithSuggestion) {
  SpecFile f("unknown", tiny_text() + "batchs: [4]\n");
  const std::string e = error_of(f.path());
  EXPECT_NE(e.find("unknown key 'batchs'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'batches'"), std::string::npos) << e;
  EXPECT_NE(e.find(f.path()), std::string::npos) << "names the file: " << e;
}

TEST(Experiment, BadValuesNameTheKey) {
  std::string t = tiny_text();
  SpecFile f1("fidelity", t.replace(t.find("[analytic]"), 10, "[analytc]"));
  EXPECT_NE(error_of(f1.path()).find("did you mean 'analytic'"), std::string::npos) << error_of(f1.path());
  t = tiny_text();
  SpecFile f2("dataflow", t.replace(t.find("fc-nmp"), 6, "fc-nm"));
  EXPECT_NE(error_of(f2.path()).find("designs[0].dataflow"), std::string::npos) << error_of(f2.path());
  SpecFile f3("batch", tiny_text() + "reference_design: h2lm\n");
  EXPECT_NE(error_of(f3.path()).find("did you mean 'h2llm'"), std::string::npos) << error_of(f3.path());
  t = tiny_text();
  SpecFile f4("zero", t.replace(t.find("[1]"), 3, "[0]"));
  EXPECT_NE(error_of(f4.path()).find("batches"), std::string::npos) << error_of(f4.path());
}

// Design variants (sensitivity studies): `set` and `dram_set` reach every run of the design as
// --set / --dram-set, are checked when the spec loads, and keep variants' searches apart.
TEST(Experiment, DesignOverridesReachTheRunsAndAreChecked) {
  const std::string src = H2SIM_SOURCE_DIR;
  std::string t = tiny_text();
  t.replace(t.find("  - {name: cp"), 0,
            "  - {name: h2-rowbuf, hardware: " + src + "/configs/hardware/h2llm.yaml, dataflow: fc-nmp, "
            "set: [pe.frequency_mhz=800], dram_set: [hb_port.row_switch=prefetch_buffer]}\n");
  SpecFile f("variants", t);
  const ExperimentSpec s = load_experiment_spec(f.path());
  ASSERT_EQ(s.designs.size(), 3u);
  EXPECT_EQ(s.designs[1].set, std::vector<std::string>{"pe.frequency_mhz=800"});
  const auto points = expand_experiment(s);
  const SweepSpec sweep = experiment_sweep(s, points);
  bool seen = false;
  for (const SweepPoint& p : sweep.points) {
    if (p.axis_values[1].second != "h2-rowbuf") continue;
    seen = true;
    const auto args = sweep_point_arguments(sweep, p, "/o/p.json", sweep_cache_dir("/o", p));
    const std::string line = fmt::format("{}", fmt::join(args, " "));
    EXPECT_NE(line.find("--set pe.frequency_mhz=800"), std::string::npos) << line;
    EXPECT_NE(line.find("--dram-set hb_port.row_switch=prefetch_buffer"), std::string::npos) << line;
  }
  EXPECT_TRUE(seen);
  // Bad overrides fail at load, naming the design's key.
  std::string bad = t;
  bad.replace(bad.find("pe.frequency_mhz=800"), 20, "pe.frequency_mhz=-80");
  SpecFile f2("badset", bad);
  EXPECT_NE(error_of(f2.path()).find("designs[1].set"), std::string::npos) << error_of(f2.path());
  bad = t;
  const std::string good_set = "hb_port.row_switch=prefetch_buffer";
  bad.replace(bad.find(good_set), good_set.size(), "hb_port.row_switch=sometimes");
  SpecFile f3("baddram", bad);
  EXPECT_NE(error_of(f3.path()).find("designs[1].dram_set"), std::string::npos) << error_of(f3.path());
  EXPECT_NE(error_of(f3.path()).find("row_switch"), std::string::npos) << error_of(f3.path());
}

TEST(Experiment, SummaryGeomean) {
  const ExperimentSpec s = load_experiment_spec(tiny_spec());
  const auto points = expand_experiment(s, {"analytic"});
  std::vector<PointResult> results;
  for (const auto& p : points) {
    PointResult r;
    r.point = p;
    r.ok = true;
    r.latency_s = p.design == "cp" ? 4.0 : p.dataflow == "attn-nmp" ? 2.0 : 1.0;
    if (p.design == "cp") r.tokens_per_joule = 10.0;
    else r.tokens_per_joule = 15.0;
    results.push_back(r);
  }
  const auto j = experiment_summary(s, results);
  ASSERT_EQ(j["designs"].size(), 1u);
  EXPECT_DOUBLE_EQ(j["designs"][0]["analytic"]["all"]["geomean_speedup"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(j["designs"][0]["analytic"]["all"]["geomean_energy_efficiency"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(j["dataflow_comparison"]["dataflows"][0]["analytic"]["geomean_speedup"].get<double>(), 2.0);
  const std::string md = experiment_summary_markdown(j);
  EXPECT_NE(md.find("4.00x"), std::string::npos) << md;
  EXPECT_NE(md.find("2.72x"), std::string::npos) << md;
  results[1].ok = false;
  results[1].infeasible = "illegal dataflow";
  EXPECT_EQ(experiment_summary(s, results)["infeasible"].size(), 1u);
  // Energy absent on one point: no energy ratio, not a zero.
  results[0].tokens_per_joule.reset();
  EXPECT_TRUE(experiment_summary(s, results)["designs"][0]["analytic"]["all"]["geomean_energy_efficiency"].is_null());
}

}  // namespace
}  // namespace h2sim

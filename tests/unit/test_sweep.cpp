// Sweeps: spec expansion (products, zipped lists, overrides, invalid keys), sharding, resume
// with a fake point runner (no processes), and merge determinism across shard counts and orders.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>

#include "config/errors.hpp"
#include "config/atomic_file.hpp"
#include "study/merge.hpp"
#include "study/sweep.hpp"
#include "study/sweep_spec.hpp"

namespace h2sim {
namespace {

namespace fs = std::filesystem;

const std::string kSrc = H2SIM_SOURCE_DIR;

// A fresh temporary folder, removed at the end of the test.
class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_((fs::temp_directory_path() / ("h2sim-sweep-" + name + "-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()))).string()) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string f = (fs::path(path_) / name).string();
    std::ofstream(f) << text;
    return f;
  }

 private:
  std::string path_;
};

std::string base_block() {
  return "base:\n  hw: " + kSrc + "/configs/hardware/h2llm.yaml\n  model: " + kSrc +
         "/tests/data/e2e/tiny-llama.yaml\n  scenario: " + kSrc + "/tests/data/e2e/tiny-scenario.yaml\n";
}

std::string error_of(const std::string& spec_file) {
  try {
    const SweepSpec s = load_sweep_spec(spec_file);
    (void)expand_sweep(s);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(SweepSpec, ProductOfAxesLastVaryingFastest) {
  TempDir d("product");
  const auto f = d.write("s.yaml", "name: p\ncommand: run\n" + base_block() +
                                       "axes:\n  - fidelity: [analytic, cycle]\n  - batch: [1, 2, 4]\n");
  const auto points = expand_sweep(load_sweep_spec(f));
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0].id, "000_analytic_1");
  EXPECT_EQ(points[1].id, "001_analytic_2");
  EXPECT_EQ(points[5].id, "005_cycle_4");
  std::set<std::string> ids;
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(points[i].index, i);
    ids.insert(points[i].id);
  }
  EXPECT_EQ(ids.size(), 6u);
  EXPECT_TRUE(std::is_sorted(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.id < b.id; }));
  // Base flags first, then the axes; paths absolute.
  const auto args = sweep_point_arguments(load_sweep_spec(f), points[5], "/r.json", "/p");
  const std::vector<std::string> tail = {"--fidelity", "cycle", "--batch", "4", "--json", "/r.json", "--out", "/p", "--quiet"};
  ASSERT_GE(args.size(), tail.size());
  EXPECT_EQ(std::vector<std::string>(args.end() - long(tail.size()), args.end()), tail);
  EXPECT_EQ(args[0], "run");
  EXPECT_EQ(args[1], "--hw");
  EXPECT_TRUE(fs::path(args[2]).is_absolute());
}

TEST(SweepSpec, ZippedListsAndOverrides) {
  const auto points = expand_sweep(load_sweep_spec(kSrc + "/tests/data/sweeps/tiny.yaml"));
  ASSERT_EQ(points.size(), 8u);  // 2 fidelities x 2 batches x (zipped pair of 2)
  EXPECT_EQ(points[0].overrides, (std::vector<std::string>{"nmp_channels=6", "pe.frequency_mhz=600"}));
  EXPECT_EQ(points[1].overrides, (std::vector<std::string>{"nmp_channels=4", "pe.frequency_mhz=800"}));
  EXPECT_EQ(points[1].id, "001_analytic_1_4_800");
  const auto spec = load_sweep_spec(kSrc + "/tests/data/sweeps/tiny.yaml");
  const auto args = sweep_point_arguments(spec, points[1], "r.json", "p");
  const std::vector<std::string> set = {"--set", "nmp_channels=4"};
  EXPECT_NE(std::search(args.begin(), args.end(), set.begin(), set.end()), args.end());
  // The point's config carries the hardware with the override applied.
  const std::string cfg = sweep_point_config(spec, points[1]);
  EXPECT_NE(cfg.find("nmp_channels: 4"), std::string::npos) << cfg;
}

TEST(SweepSpec, BooleanFlagsAndNoAxes) {
  TempDir d("bool");
  const auto f = d.write("s.yaml", "name: b\ncommand: run\n" + base_block() + "  exact: true\n");
  const auto spec = load_sweep_spec(f);
  const auto points = expand_sweep(spec);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].id, "000");
  const auto args = sweep_point_arguments(spec, points[0], "r.json", "p");
  EXPECT_NE(std::find(args.begin(), args.end(), "--exact"), args.end());
  EXPECT_EQ(std::find(args.begin(), args.end(), "true"), args.end());
}

TEST(SweepSpec, InvalidKeysRejectedNamingFileAndKey) {
  TempDir d("bad");
  struct Case {
    std::string body, expected;
  };
  const std::vector<Case> cases = {
      {"name: x\ncommand: run\n" + base_block() + "axes:\n  - fidelty: [analytic]\n", "did you mean 'fidelity'"},
      {"name: x\ncommand: run\n" + base_block() + "  json: a.json\n", "written by the sweep itself"},
      {"name: x\ncommand: rnu\n", "did you mean 'run'"},
      {"name: x\ncommand: run\n" + base_block() + "axes:\n  - {batch: [1, 2], fidelity: [cycle]}\n", "same length"},
      {"name: x\ncommand: run\n" + base_block() + "axes:\n  - batch: [1]\n  - batch: [2]\n", "set twice"},
      {"name: x\ncommand: run\n" + base_block() + "axes:\n  - set.nmp_chanels: [4]\n", "nmp_chanels"},
      {"name: x\ncommand: run\n" + base_block() + "axes:\n  - set.nmp_channels: [99]\n", "nmp_channels"},
      {"name: x\ncommand: run\n" + base_block() + "axis:\n  - batch: [1]\n", "axis"},
      {"name: x\ncommand: run\n" + base_block() + "axes:\n  - batch: [one]\n", "whole number"},
      {"name: x\ncommand: gemm\nbase: {model: m.yaml}\n", "not a flag of 'gemm'"},
      // Values outside the command's own range fail at load, not in every point.
      {"name: x\ncommand: run\n" + base_block() + "axes:\n  - batch: [1, 99999999999999999999]\n",
       "'99999999999999999999' is not a whole number in 1..4096 sequences (the range of run --batch)"},
      {"name: x\ncommand: run\n" + base_block() + "axes:\n  - batch: [0x2]\n", "'0x2' is not a whole number"},
      {"name: x\ncommand: gemm\nbase: {n: 2147483648}\n", "in 1..1073741824 elements (the range of gemm --n)"},
      {"name: x\ncommand: analyze\n" + base_block() + "  population: 100001\n", "in 2..100000"},
      {"name: x\ncommand: run\n" + base_block() + "axes:\n  - seed: [-1]\n", "is not a seed"},
      {"name: x\ncommand: run\n" + base_block() + "axes:\n  - fidelity: [analytic, cylce]\n", "did you mean 'cycle'"},
      {"name: x\ncommand: run\n" + base_block() + "axes:\n  - batch: [1, 2, 1]\n", "value 1 is listed twice"},
      {"name: x\ncommand: run\n" + base_block() + "  batch: 1\n  batch: 2\n", "appears twice"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto f = d.write("bad" + std::to_string(i) + ".yaml", cases[i].body);
    const std::string e = error_of(f);
    EXPECT_NE(e.find(f), std::string::npos) << "case " << i << ": " << e;
    EXPECT_NE(e.find(cases[i].expected), std::string::npos) << "case " << i << ": " << e;
  }
}

// Every flag of run and gemm can be swept, the KEY=VALUE ones as PREFIX.KEY; each override is
// checked with its config when the spec is expanded.
TEST(SweepSpec, EveryFlagCanBeSwept) {
  TempDir d("every");
  const auto f = d.write("s.yaml", "name: e\ncommand: run\n" + base_block() +
                                       "  vcd-window: prefill\naxes:\n  - context-stride: [1, 32]\n"
                                       "  - {energy-set.pe_mac_pj: [0.5], dram-set.hb_port.row_switch: [prefetch_buffer]}\n");
  const auto spec = load_sweep_spec(f);
  const auto points = expand_sweep(spec);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[1].energy_overrides, (std::vector<std::string>{"pe_mac_pj=0.5"}));
  EXPECT_EQ(points[1].dram_overrides, (std::vector<std::string>{"hb_port.row_switch=prefetch_buffer"}));
  const auto args = sweep_point_arguments(spec, points[1], "r.json", "p");
  const std::vector<std::string> want = {"--context-stride", "32", "--energy-set", "pe_mac_pj=0.5",
                                         "--dram-set", "hb_port.row_switch=prefetch_buffer"};
  for (size_t i = 0; i < want.size(); i += 2) {
    const auto it = std::find(args.begin(), args.end(), want[i]);
    ASSERT_NE(it, args.end()) << want[i];
    EXPECT_EQ(*(it + 1), want[i + 1]) << want[i];
  }
  const std::string cfg = sweep_point_config(spec, points[1]);
  EXPECT_NE(cfg.find("energy_overrides: [\"pe_mac_pj=0.5\"]"), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("dram_overrides: [\"hb_port.row_switch=prefetch_buffer\"]"), std::string::npos) << cfg;

  const auto g = d.write("g.yaml", "name: g\ncommand: gemm\nbase: {hw: " + kSrc +
                                       "/configs/hardware/h2llm.yaml, m: 1, k: 64, n: 64}\n"
                                       "axes:\n  - {dram-set.hb_port.row_switch: [exposed, prefetch_buffer], quiet_not: [1, 2]}\n");
  // An unknown key lists the valid ones, the KEY=VALUE flags as PREFIX.KEY.
  EXPECT_NE(error_of(g).find("is not a flag of 'gemm' (valid: hw, m, k, n, batch, on, fidelity, dram, dram-set.KEY, set.KEY, max-wall-s)"),
            std::string::npos)
      << error_of(g);
  // Bad override keys fail at expansion, naming the spec, the point and the key.
  for (const auto& [key, word] : std::vector<std::pair<std::string, std::string>>{
           {"energy-set.pe_mac_pJ", "pe_mac_pJ"}, {"dram-set.hb_port.nope", "nope"}, {"context-stride", "0"}}) {
    const auto b = d.write("b.yaml", "name: b\ncommand: run\n" + base_block() + "axes:\n  - " + key + ": [" +
                                         (key == "context-stride" ? "0" : "1") + "]\n");
    const std::string e = error_of(b);
    EXPECT_NE(e.find(b), std::string::npos) << e;
    EXPECT_NE(e.find(word), std::string::npos) << e;
  }
  const auto bare = d.write("bare.yaml", "name: b\ncommand: run\n" + base_block() + "  dram-set: x=1\n");
  EXPECT_NE(error_of(bare).find("'dram-set.KEY: VALUE'"), std::string::npos) << error_of(bare);
}

TEST(SweepSpec, ExperimentSpecExpandsLikeExperiment) {
  const auto spec = load_sweep_spec(kSrc + "/tests/data/experiments/tiny.yaml");
  const auto points = expand_sweep(spec);
  ASSERT_FALSE(points.empty());
  EXPECT_EQ(spec.command, "run");
  for (const auto& p : points) EXPECT_EQ(p.axis_values.front().first, "fidelity");
  // The searched dataflow's points share one search: one serial key, the sweep folder's cache.
  std::set<std::string> keys;
  for (const auto& p : points) {
    const bool searched = *value_of(p.flags, "dataflow") == "h2llm";
    EXPECT_EQ(p.serial_key.empty(), !searched) << p.id;
    if (searched) keys.insert(p.serial_key);
    EXPECT_EQ(sweep_cache_dir("D", p), searched ? "D" : sweep_point_dir("D", p)) << p.id;
  }
  EXPECT_EQ(keys.size(), 1u);
}

std::vector<SweepPoint> numbered(size_t n) {
  std::vector<SweepPoint> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i].index = i;
    v[i].id = "p" + std::to_string(1000 + i);
  }
  return v;
}

TEST(SweepShard, EveryPointExactlyOnceForAnyShardCount) {
  for (size_t total : {0u, 1u, 5u, 13u, 64u}) {
    const auto points = numbered(total);
    for (int n = 1; n <= 7; ++n) {
      std::map<std::string, int> seen;
      for (int i = 1; i <= n; ++i) {
        for (const auto& p : shard_points(points, i, n)) ++seen[p.id];
      }
      EXPECT_EQ(seen.size(), total) << "N=" << n;
      for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id << " N=" << n;
    }
  }
  EXPECT_EQ(parse_shard("3/7"), std::make_pair(3, 7));
  EXPECT_THROW(parse_shard("0/4"), InputError);
  EXPECT_THROW(parse_shard("5/4"), InputError);
  EXPECT_THROW(parse_shard("4"), InputError);
  EXPECT_THROW(parse_shard("a/b"), InputError);
}

// A runner that writes a result derived from the point, as `h2sim run --json` would.
SweepPointRunner fake_runner(const std::string& out, std::vector<std::string>& ran) {
  return [&ran, out](const std::vector<SweepPoint>& pending) {
    ProcessPoolResult result;
    for (const auto& p : pending) {
      ran.push_back(p.id);
      nlohmann::json j;
      j["latency_s"] = 0.001 * double(p.index + 1);
      j["fidelity"] = p.axis_values.at(0).second;
      j["wall_s"] = 1.0 / double(p.index + 3);  // varies run to run in real life: never merged
      j["energy"] = {{"total_j", 2.5 * double(p.index + 1)}};
      j["operators"] = nlohmann::json::array({1, 2});
      write_file_atomically(sweep_result_file(out, p), j.dump());
    }
    return result;
  };
}

TEST(SweepRun, ResumeRerunsOnlyMissingPoints) {
  TempDir d("resume");
  const auto spec = load_sweep_spec(kSrc + "/tests/data/sweeps/tiny.yaml");
  const auto points = expand_sweep(spec);
  const std::string out = d.path() + "/out";
  std::vector<std::string> ran;
  // First run: only shard 1 of 3 completes (an interrupted sweep).
  auto r1 = run_sweep(spec, points, shard_points(points, 1, 3), out, fake_runner(out, ran));
  EXPECT_EQ(r1.ran, 3u);
  EXPECT_EQ(r1.already_done, 0u);
  // A half-written result never has the final name (atomic writes), so a leftover .partial does not count.
  std::ofstream(sweep_result_file(out, points[1]) + ".partial.123") << "{";
  ran.clear();
  auto r2 = run_sweep(spec, points, points, out, fake_runner(out, ran));
  EXPECT_EQ(r2.already_done, 3u);
  EXPECT_EQ(r2.ran, 5u);
  std::set<std::string> expected;
  for (const auto& p : points) {
    if (p.index % 3 != 0) expected.insert(p.id);
  }
  EXPECT_EQ(std::set<std::string>(ran.begin(), ran.end()), expected);
  EXPECT_EQ(ran.size(), expected.size());
  ran.clear();
  auto r3 = run_sweep(spec, points, points, out, fake_runner(out, ran));
  EXPECT_EQ(r3.ran, 0u);
  EXPECT_TRUE(ran.empty());
  for (const auto& p : points) EXPECT_TRUE(fs::exists(sweep_point_dir(out, p) + "/config.yaml"));
}

TEST(SweepRun, ChangedSpecInSameFolderRejected) {
  TempDir d("changed");
  const auto spec = load_sweep_spec(kSrc + "/tests/data/sweeps/tiny.yaml");
  const auto points = expand_sweep(spec);
  std::vector<std::string> ran;
  const std::string out = d.path() + "/out";
  run_sweep(spec, points, points, out, fake_runner(out, ran));
  const auto f = d.write("other.yaml", "name: other\ncommand: run\n" + base_block() + "axes:\n  - batch: [1, 2]\n");
  const auto other = load_sweep_spec(f);
  const auto other_points = expand_sweep(other);
  EXPECT_THROW(run_sweep(other, other_points, other_points, out, fake_runner(out, ran)), InputError);
}

TEST(SweepMerge, SameBytesWhateverShardCountAndOrder) {
  TempDir d("merge");
  const auto spec = load_sweep_spec(kSrc + "/tests/data/sweeps/tiny.yaml");
  const auto points = expand_sweep(spec);
  std::string reference_csv, reference_summary;
  std::mt19937 rng(7);
  for (int n = 1; n <= 5; ++n) {
    const std::string out = d.path() + "/out" + std::to_string(n);
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i) order[i] = i + 1;
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<std::string> ran;
    for (int i : order) run_sweep(spec, points, shard_points(points, i, n), out, fake_runner(out, ran));
    const SweepMergeResult m = merge_sweep(out);
    EXPECT_EQ(m.ok, points.size());
    EXPECT_TRUE(m.missing.empty());
    if (n == 1) {
      reference_csv = m.csv;
      reference_summary = m.summary;
      continue;
    }
    EXPECT_EQ(m.csv, reference_csv) << "N=" << n;
    EXPECT_EQ(m.summary, reference_summary) << "N=" << n;
  }
  // In expansion order, wall time and lists left out, nested objects flattened, axes first.
  EXPECT_EQ(reference_csv.substr(0, reference_csv.find('\n')),
            "id,status,fidelity,batch,set.nmp_channels,set.pe.frequency_mhz,energy.total_j,latency_s");
  EXPECT_EQ(reference_csv.find("wall"), std::string::npos);
  EXPECT_NE(reference_csv.find("\n000_analytic_1_6_600,ok,analytic,1,6,600,2.5,0.001\n"), std::string::npos)
      << reference_csv;
}

TEST(SweepMerge, MissingPointsListed) {
  TempDir d("missing");
  const auto spec = load_sweep_spec(kSrc + "/tests/data/sweeps/tiny.yaml");
  const auto points = expand_sweep(spec);
  const std::string out = d.path() + "/out";
  std::vector<std::string> ran;
  run_sweep(spec, points, shard_points(points, 2, 2), out, fake_runner(out, ran));
  const SweepMergeResult m = merge_sweep(out);
  EXPECT_EQ(m.points, 8u);
  EXPECT_EQ(m.ok, 4u);
  EXPECT_EQ(m.missing.size(), 4u);
  EXPECT_NE(m.csv.find("000_analytic_1_6_600,missing,analytic,1,6,600,,\n"), std::string::npos) << m.csv;
  EXPECT_THROW(merge_sweep(d.path() + "/nowhere"), InputError);
}

// The classification hook: an infeasible point is recorded (not retried), merged as infeasible; a
// point that ran without a result is failed; one never run is missing.
TEST(SweepRun, InfeasibleAndFailedPointsClassified) {
  TempDir d("classify");
  const auto spec = load_sweep_spec(kSrc + "/tests/data/sweeps/tiny.yaml");
  const auto points = expand_sweep(spec);
  const std::string out = d.path() + "/out";
  std::vector<std::string> ran;
  auto runner = [&](const std::vector<SweepPoint>& pending) {
    ProcessPoolResult r;
    for (const auto& p : pending) {
      ran.push_back(p.id);
      if (p.index == 0) r.infeasible[p.id] = "illegal dataflow: the KV cache does not fit";
      if (p.index == 1) {
        r.failed.insert(p.id);
        write_file_atomically(sweep_point_dir(out, p) + "/log.txt", "error\n");
      }
    }
    return r;
  };
  const auto r1 = run_sweep(spec, points, shard_points(points, 1, 4), out, runner);  // points 0 and 4
  EXPECT_EQ(r1.infeasible.size(), 1u);
  EXPECT_TRUE(fs::exists(sweep_infeasible_file(out, points[0])));
  run_sweep(spec, points, shard_points(points, 2, 4), out, runner);  // points 1 and 5
  ran.clear();
  const auto r2 = run_sweep(spec, points, shard_points(points, 1, 4), out, runner);
  EXPECT_EQ(r2.already_done, 1u);  // point 0: infeasible is not retried; point 4 had no result: runs again
  EXPECT_EQ(ran, (std::vector<std::string>{points[4].id}));
  const SweepMergeResult m = merge_sweep(out);
  EXPECT_EQ(m.infeasible, 1u);
  EXPECT_NE(m.csv.find("\n" + points[0].id + ",infeasible,"), std::string::npos) << m.csv;
  EXPECT_NE(m.csv.find("\n" + points[1].id + ",failed,"), std::string::npos) << m.csv;
  EXPECT_NE(m.csv.find("\n" + points[2].id + ",missing,"), std::string::npos) << m.csv;
  EXPECT_EQ(std::count(m.missing.begin(), m.missing.end(), points[0].id), 0);
}

// A sweep folder is input to merge: a manifest naming a path instead of an id, a result that is a
// FIFO or a device (reading it would block or never end), a name that is not a string.
TEST(SweepMerge, BadFoldersAreInputErrors) {
  TempDir d("badmerge");
  auto merge_error = [&](const std::string& manifest) {
    d.write("sweep.json", manifest);
    try {
      (void)merge_sweep(d.path());
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(merge_error(R"({"points": [{"id": "../../etc", "axes": {}}]})").find("is not a plain file name"),
            std::string::npos);
  EXPECT_NE(merge_error(R"({"name": 5, "points": []})").find("not a sweep manifest"), std::string::npos);
  fs::create_directories(fs::path(d.path()) / "points" / "a");
  fs::create_symlink("/dev/zero", fs::path(d.path()) / "points" / "a" / "result.json");
  EXPECT_NE(merge_error(R"({"points": [{"id": "a", "axes": {}}]})").find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace h2sim

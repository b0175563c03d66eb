// The commands' flag tables (sim/cli/flags/): they register on CLI11 with their variables and
// defaults, and judge sweep values with the commands' ranges.
#include <gtest/gtest.h>

#include <string>

#include "sim/cli/flags/flags.hpp"

namespace {

using namespace h2sim::cli;

TEST(FlagTable, EveryTableIsConsistent) {
  for (const char* command : {"run", "gemm", "analyze", "explore", "dram", "verify-trace", "area", "check", "sweep",
                              "merge", "experiment"}) {
    const FlagTable* t = command_flags(command);
    ASSERT_NE(t, nullptr) << command;
    EXPECT_EQ(t->command, command);
    for (const Flag& f : t->flags) {
      EXPECT_FALSE(f.help.empty()) << command << " --" << f.name;
      if (f.type == FlagType::whole) {
        EXPECT_LE(f.min_whole, f.max_whole) << command << " --" << f.name;
      }
      if (f.type == FlagType::whole) {
        EXPECT_LT(f.min_whole, f.max_whole) << command << " --" << f.name << ": no range given";
      }
      if (f.type == FlagType::real) {
        EXPECT_LT(f.min_real, f.max_real) << command << " --" << f.name << ": no range given";
      }
      if (f.type == FlagType::word) {
        EXPECT_FALSE(f.words.empty()) << command << " --" << f.name;
      }
      if (f.type == FlagType::key_values) {
        EXPECT_FALSE(f.sweep_prefix.empty()) << command << " --" << f.name;
      }
      // A default must itself be a valid value of the flag.
      if (!f.default_value.empty()) {
        EXPECT_EQ(check_flag_value(*t, f, f.default_value), "") << command << " --" << f.name;
      }
    }
  }
  EXPECT_EQ(command_flags("nope"), nullptr);
}

TEST(FlagTable, RegistersWithVariablesAndDefaults) {
  CLI::App app;
  CLI::App* cmd = app.add_subcommand("gemm");
  std::string hw, on, fidelity, dram, json, vcd, command_trace;
  int64_t m = 0, k = 0, n = 0, batch = 0;
  std::vector<std::string> set, dram_set;
  double wall = -1;
  bool quiet = true;
  add_flags(*cmd, gemm_flags(),
            {{"hw", &hw}, {"m", &m}, {"k", &k}, {"n", &n}, {"command-trace", &command_trace}, {"batch", &batch}, {"on", &on}, {"fidelity", &fidelity},
             {"dram", &dram}, {"dram-set", &dram_set}, {"json", &json}, {"vcd", &vcd}, {"set", &set},
             {"max-wall-s", &wall}, {"quiet", &quiet}});
  EXPECT_EQ(hw, "h2llm");  // gemm's default design, as run's (config/locator.hpp)
  EXPECT_EQ(batch, 1);
  EXPECT_EQ(on, "nmp");
  EXPECT_EQ(fidelity, "cycle");
  EXPECT_EQ(wall, 0.0);
  app.parse("gemm --hw h.yaml --m 4 --k 2 --n 3 --set a=1 --set b=2", false);
  EXPECT_EQ(hw, "h.yaml");
  EXPECT_EQ(m, 4);
  EXPECT_EQ(set, (std::vector<std::string>{"a=1", "b=2"}));
}

TEST(FlagTable, MissingOrExtraBindingIsAnInternalError) {
  CLI::App app;
  std::string hw;
  EXPECT_ANY_THROW(add_flags(*app.add_subcommand("dram"), dram_flags(), {{"hw", &hw}}));
  CLI::App app2;
  int64_t wrong_type = 0;
  EXPECT_ANY_THROW(add_flags(*app2.add_subcommand("x"), dram_flags(), {{"hw", &wrong_type}}));
}

TEST(FlagTable, SweepKeysCoverEveryFlagButOutputs) {
  const FlagTable& run = run_flags();
  std::string key;
  EXPECT_EQ(run.find_sweep_key("context-stride"), run.find("context-stride"));
  EXPECT_EQ(run.find_sweep_key("energy-set.pe_mac_pj", &key), run.find("energy-set"));
  EXPECT_EQ(key, "pe_mac_pj");
  EXPECT_EQ(run.find_sweep_key("dram-set.timing.tRCD_ns", &key), run.find("dram-set"));
  EXPECT_EQ(key, "timing.tRCD_ns");
  EXPECT_EQ(run.find_sweep_key("set.nmp_channels", &key), run.find("set"));
  EXPECT_EQ(run.find_sweep_key("set."), nullptr);
  const auto names = run.sweep_key_names();
  for (const char* out : {"json", "out", "trace", "vcd", "quiet"}) {
    EXPECT_EQ(std::find(names.begin(), names.end(), out), names.end()) << out;
  }
  for (const char* in : {"context-stride", "energy-set.KEY", "dram-set.KEY", "set.KEY", "vcd-window", "max-wall-s"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), in), names.end()) << in;
  }
}

TEST(FlagTable, ValuesJudgedWithTheCommandsRanges) {
  const FlagTable& run = run_flags();
  const FlagTable& gemm = gemm_flags();
  EXPECT_EQ(check_flag_value(run, *run.find("batch"), "4096"), "");
  EXPECT_NE(check_flag_value(run, *run.find("batch"), "4097").find("1..4096 sequences (the range of run --batch)"),
            std::string::npos);
  EXPECT_NE(check_flag_value(run, *run.find("batch"), "0x2").find("is not a whole number"), std::string::npos);
  EXPECT_NE(check_flag_value(run, *run.find("context-stride"), "0").find("run --context-stride"), std::string::npos);
  EXPECT_NE(check_flag_value(gemm, *gemm.find("n"), "2147483648").find("in 1..1073741824"), std::string::npos);
  EXPECT_NE(check_flag_value(run, *run.find("seed"), "-1").find("is not a seed"), std::string::npos);
  EXPECT_NE(check_flag_value(run, *run.find("fidelity"), "cylce").find("did you mean 'cycle'"), std::string::npos);
  EXPECT_NE(check_flag_value(run, *run.find("max-wall-s"), "nan").find("run --max-wall-s"), std::string::npos);
  EXPECT_NE(check_flag_value(run, *run.find("exact"), "yes").find("true or false"), std::string::npos);
  EXPECT_EQ(check_flag_value(run, *run.find("exact"), "true"), "");
}

}  // namespace

// The independent command-trace checker (verify/dram_trace_checker): engine traces pass, and for
// each timing rule a command moved one CK too early is caught and named by that rule; state
// rules (open rows, refresh) are broken by deleting a command.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "models/dram/dram_command_trace.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/dram/dram_workloads.hpp"
#include "models/dram/lpddr5_channel.hpp"
#include "tests/dram_trace_check.hpp"
#include "verify/dram_trace_checker.hpp"

using namespace h2sim;

namespace {

const std::string kStandard = H2SIM_SOURCE_DIR "/configs/dram/lpddr5-6400.yaml";
const std::string kHw = H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml";

// A mix of reads and writes over a few rows of every bank (write-to-read and read-to-write turnarounds).
class MixedSource : public ExternalRequestSource {
 public:
  MixedSource(int64_t count, int64_t burst, uint64_t seed) : left_(count), burst_(burst), state_(seed) {}
  bool next(ExternalRequest& out) override {
    if (left_-- <= 0) return false;
    const DramAccess kind = uniform_below(state_, 3) == 0 ? DramAccess::write : DramAccess::read;
    out = {kind, uniform_below(state_, 4096) * burst_, 0};
    return true;
  }

 private:
  int64_t left_, burst_;
  uint64_t state_;
};

struct Generator {
  std::string name;
  std::vector<std::string> dram_set;
  bool hb;
  std::function<void(Lpddr5Channel&, const DramStandard&)> run;
  std::string standard = kStandard;
  std::string hw = kHw;
  std::vector<std::string> hw_set = {};
};

const std::vector<Generator>& generators() {
  static const std::vector<Generator> g = {
      {"seq_read", {}, false,
       [](Lpddr5Channel& ch, const DramStandard& s) {
         SequentialSource src(DramAccess::read, 256 << 10, s.burst_bytes);
         ch.run_external(src, 0);
       }},
      {"seq_write", {}, false,
       [](Lpddr5Channel& ch, const DramStandard& s) {
         SequentialSource src(DramAccess::write, 128 << 10, s.burst_bytes);
         ch.run_external(src, 0);
       }},
      {"random_read", {"timing.nfaw_ck=21"}, false,
       [](Lpddr5Channel& ch, const DramStandard& s) {
         RandomSource src(DramAccess::read, 2000, ch.mapping().capacity_bytes(), s.burst_bytes, 7);
         ch.run_external(src, 0);
       }},
      {"random_read_jedec", {}, false,
       [](Lpddr5Channel& ch, const DramStandard& s) {
         RandomSource src(DramAccess::read, 2000, ch.mapping().capacity_bytes(), s.burst_bytes, 3);
         ch.run_external(src, 0);
       }},
      {"mixed", {}, false,
       [](Lpddr5Channel& ch, const DramStandard& s) {
         MixedSource src(4000, s.burst_bytes, 11);
         ch.run_external(src, 0);
       }},
      {"nccd_s_3", {"timing.nccd_s_ck=3"}, false,
       [](Lpddr5Channel& ch, const DramStandard& s) {
         SequentialSource src(DramAccess::read, 64 << 10, s.burst_bytes);
         ch.run_external(src, 0);
       }},
      {"nrc_60", {"timing.nrc_ck=60"}, false,
       [](Lpddr5Channel& ch, const DramStandard& s) {
         RandomSource src(DramAccess::read, 2000, ch.mapping().capacity_bytes(), s.burst_bytes, 5);
         ch.run_external(src, 0);
       }},
      {"closed_page", {"controller.page_policy=closed"}, false,
       [](Lpddr5Channel& ch, const DramStandard& s) {
         RandomSource src(DramAccess::read, 2000, ch.mapping().capacity_bytes(), s.burst_bytes, 9);
         ch.run_external(src, 0);
       }},
      {"per_bank_refresh", {"refresh.mode=per_bank"}, false,
       [](Lpddr5Channel& ch, const DramStandard& s) {
         SequentialSource src(DramAccess::read, 128 << 10, s.burst_bytes);
         ch.run_external(src, 0);
       }},
      {"hb_seq", {}, true, [](Lpddr5Channel& ch, const DramStandard&) { run_hb_sequential(ch, 32 << 10); }},
      // hb_port.row_switch mechanisms (a refresh window falls inside 96 KiB per bank).
      {"hb_salp", {"hb_port.row_switch=salp"}, true,
       [](Lpddr5Channel& ch, const DramStandard&) { run_hb_sequential(ch, 96 << 10); }},
      {"hb_ping_pong", {"hb_port.row_switch=ping_pong"}, true,
       [](Lpddr5Channel& ch, const DramStandard&) { run_hb_sequential(ch, 96 << 10); }},
      {"hb_prefetch", {"hb_port.row_switch=prefetch_buffer"}, true,
       [](Lpddr5Channel& ch, const DramStandard&) { run_hb_sequential(ch, 96 << 10); }},
      {"hb_ping_pong_shared", {"hb_port.row_switch=ping_pong"}, true,
       [](Lpddr5Channel& ch, const DramStandard&) {
         // PE 0 streams with the next half opened ahead; the NPU's reads close it in between.
         int64_t next = 0;
         for (int r = 0; r < 6; ++r) {
           HbReadResult hb = ch.hb_read(0, r, 2048, next, true);
           DramAddress a{r % 2, 0, 100 + r, 0};
           ch.complete_external(DramAccess::read, ch.mapping().encode(a), 256, next);
           next = hb.next_request_ps;
         }
       }},
      {"per_bank_random", {"refresh.mode=per_bank"}, false,
       [](Lpddr5Channel& ch, const DramStandard& s) {
         RandomSource src(DramAccess::read, 4000, ch.mapping().capacity_bytes(), s.burst_bytes, 13);
         ch.run_external(src, 0);
       }},
      {"hb_shared_row", {}, true,
       [](Lpddr5Channel& ch, const DramStandard&) {
         // The NPU reads the row PE 0 streams: its bursts wait for the port to release the bank.
         HbReadResult hb = ch.hb_read(0, 0, 2048, 0);
         for (int i = 0; i < 8; ++i) {
           ch.complete_external(DramAccess::read, ch.mapping().encode(DramAddress{0, 0, 0, i}), 32, 10000);
         }
         ch.hb_read(0, 1, 2048, hb.next_request_ps);
       }},
      {"hb_shared_bank", {}, true,
       [](Lpddr5Channel& ch, const DramStandard&) {
         // PE 0 streams rows of bank 0 while the NPU reads other rows of bank 0 and bank 1.
         int64_t next = 0;
         for (int r = 0; r < 6; ++r) {
           HbReadResult hb = ch.hb_read(0, r, 2048, next);
           DramAddress a{r % 2, 0, 100 + r, 0};
           ch.complete_external(DramAccess::read, ch.mapping().encode(a), 256, next);
           next = hb.next_request_ps;
         }
       }},
      // DDR4-3200: nRRD_L > nRRD_S (an ACT to the same bank group waits longer).
      {"ddr4_random", {}, false,
       [](Lpddr5Channel& ch, const DramStandard& s) {
         RandomSource src(DramAccess::read, 2000, ch.mapping().capacity_bytes(), s.burst_bytes, 17);
         ch.run_external(src, 0);
       },
       H2SIM_SOURCE_DIR "/configs/dram/ddr4-3200.yaml", H2SIM_SOURCE_DIR "/configs/hardware/examples/ddr4-3200-x16.yaml"},
      // In-die PIM (id-nmp-plus): lockstep rows at the MAC interval, then PE-paced MACs.
      {"pim_seq", {}, true,
       [](Lpddr5Channel& ch, const DramStandard& s) {
         const int64_t done = ch.pim_stream(0, 3 * s.row_bytes, 0, 0);
         ch.pim_stream(40, 2 * s.row_bytes, 16000, done);
       },
       kStandard, H2SIM_SOURCE_DIR "/configs/hardware/id-nmp-plus.yaml"},
      {"pim_all_bank", {}, true,
       [](Lpddr5Channel& ch, const DramStandard& s) { ch.pim_stream(0, 3 * s.row_bytes, 0, 0); },
       kStandard, H2SIM_SOURCE_DIR "/configs/hardware/id-nmp-plus.yaml", {"in_die.activation=all_bank"}},
  };
  return g;
}

struct Trace {
  DramStandard s;
  HardwareConfig hw;
  std::vector<std::string> lines;  // lines[0] is the header: trace line n is lines[n - 1]
};

std::vector<std::string> read_all(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string s;
  while (std::getline(in, s)) out.push_back(s);
  return out;
}

void write_all(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::trunc);
  for (const std::string& l : lines) out << l << '\n';
}

// Runs a generator with a trace attached; the trace must pass the checker as it is.
Trace make_trace(const Generator& g) {
  Trace t{load_dram_standard(g.standard, g.dram_set), load_hardware_config(g.hw, g.hw_set), {}};
  Lpddr5Channel ch(t.s, t.hw, g.hb);
  test::CheckedCommandTrace trace(g.name);
  ch.set_command_observer(&trace.observer(), 0);
  g.run(ch, t.s);
  ch.finish_commands(ch.stats().end_ps);
  TraceCheckResult r = trace.check(t.s, t.hw);
  EXPECT_TRUE(r.ok) << g.name;
  t.lines = read_all(trace.path());
  return t;
}

int64_t field(const std::string& line, int k) {
  std::stringstream ss(line);
  std::string f;
  for (int i = 0; i <= k; ++i) std::getline(ss, f, ',');
  return std::stoll(f);
}

std::string with_time(const std::string& line, int64_t t, int64_t tck) {
  std::string rest = line.substr(line.find(',') + 1);
  rest = rest.substr(rest.find(',') + 1);
  return std::to_string(t) + "," + std::to_string(t / tck) + "," + rest;
}

TraceCheckResult check_lines(const Trace& t, const std::vector<std::string>& lines, const std::string& tag,
                             DramTraceChecker::Listener listener = nullptr) {
  const std::string path = test::temp_trace_path(tag);
  write_all(path, lines);
  TraceCheckResult r = check_command_trace_file(path, t.s, t.hw, std::move(listener));
  std::remove(path.c_str());
  return r;
}

// The first line on which `rule` binds exactly while every other constraint leaves at least one
// CK; 0 if none. Moving that command one CK earlier breaks `rule` and nothing else.
// `implied`: a rule allowed to bind as well because `rule` is checked first (nCCD_S >= nBL: a
// same-direction burst that overlaps the data bus also breaks nCCD_S).
int64_t tight_line(const Trace& t, TraceRule rule, TraceRule implied = TraceRule::count) {
  std::map<int64_t, std::vector<std::pair<TraceRule, int64_t>>> cons;
  TraceCheckResult r = check_lines(t, t.lines, "scan", [&](TraceRule k, int64_t line, int64_t required, int64_t) {
    cons[line].push_back({k, required});
  });
  EXPECT_TRUE(r.ok) << r.report;
  const int64_t tck = t.s.tck_ps;
  for (const auto& [line, cs] : cons) {
    const int64_t time = field(t.lines[size_t(line - 1)], 0);
    bool tight = false, others_slack = true;
    for (const auto& [k, req] : cs) {
      if (k == rule && req == time) tight = true;
      else if (req > time - tck && k != implied) others_slack = false;
    }
    if (tight && others_slack) return line;
  }
  return 0;
}

struct MutationCase {
  TraceRule rule;
  const char* generator;
};

std::string case_name(const ::testing::TestParamInfo<MutationCase>& info) {
  return std::string(trace_rule_name(info.param.rule)) + "_" + info.param.generator;
}

class OneCkEarly : public ::testing::TestWithParam<MutationCase> {};

}  // namespace

// Each timing rule: an engine trace passes; the first command that meets the rule exactly (and
// every other rule with a CK to spare) is moved one CK earlier; the checker names that rule and
// that command.
TEST_P(OneCkEarly, IsCaughtAndNamed) {
  const MutationCase c = GetParam();
  const Generator* g = nullptr;
  for (const Generator& x : generators()) {
    if (x.name == c.generator) g = &x;
  }
  ASSERT_NE(g, nullptr);
  Trace t = make_trace(*g);
  const TraceRule implied = c.rule == TraceRule::data_bus ? TraceRule::nCCD_S : TraceRule::count;
  int64_t line = tight_line(t, c.rule, implied);
  for (size_t k = 0; line == 0 && k < generators().size(); ++k) {  // the named trace first, then any
    g = &generators()[k];
    t = make_trace(*g);
    line = tight_line(t, c.rule, implied);
  }
  ASSERT_GT(line, 0) << "no command of any trace meets " << trace_rule_name(c.rule)
                     << " exactly with every other rule to spare";
  std::vector<std::string> lines = t.lines;
  const std::string moved = with_time(lines[size_t(line - 1)], field(lines[size_t(line - 1)], 0) - t.s.tck_ps, t.s.tck_ps);
  lines.erase(lines.begin() + (line - 1));
  // Keep time order: the moved command goes after the commands not later than its new time.
  const int64_t new_t = field(moved, 0);
  size_t at = size_t(line - 1);
  while (at > 1 && field(lines[at - 1], 0) > new_t) --at;
  lines.insert(lines.begin() + std::ptrdiff_t(at), moved);
  TraceCheckResult r = check_lines(t, lines, "mutated");
  ASSERT_FALSE(r.ok) << "moving line " << line << " one CK earlier was not caught:\n" << moved;
  EXPECT_EQ(trace_rule_name(r.violation.rule), std::string(trace_rule_name(c.rule))) << r.report;
  EXPECT_EQ(r.violation.line, int64_t(at) + 1) << r.report;
  EXPECT_EQ(r.violation.shortfall_ps, t.s.tck_ps) << r.report;
  EXPECT_NE(r.report.find(moved), std::string::npos) << r.report;
}

INSTANTIATE_TEST_SUITE_P(
    EveryTimingRule, OneCkEarly,
    ::testing::Values(MutationCase{TraceRule::nRCD, "seq_read"}, MutationCase{TraceRule::nRAS, "random_read"},
                      MutationCase{TraceRule::nRC, "nrc_60"}, MutationCase{TraceRule::nRP, "mixed"},
                      MutationCase{TraceRule::nRPab, "seq_read"}, MutationCase{TraceRule::nRTP, "seq_read"},
                      MutationCase{TraceRule::nWR, "seq_write"}, MutationCase{TraceRule::nRRD, "random_read"}, MutationCase{TraceRule::nRRD_L, "ddr4_random"},
                      MutationCase{TraceRule::nFAW, "random_read"}, MutationCase{TraceRule::nPPD, "random_read_jedec"},
                      MutationCase{TraceRule::command_bus, "random_read"},
                      MutationCase{TraceRule::nCCD_S, "nccd_s_3"}, MutationCase{TraceRule::nCCD_L, "mixed"},
                      MutationCase{TraceRule::nWTR_S, "mixed"}, MutationCase{TraceRule::nWTR_L, "mixed"},
                      MutationCase{TraceRule::read_to_write, "mixed"}, MutationCase{TraceRule::data_bus, "seq_write"},
                      MutationCase{TraceRule::nRFCab, "seq_read"}, MutationCase{TraceRule::nRFCpb, "per_bank_random"},
                      MutationCase{TraceRule::hb_rate, "hb_seq"}, MutationCase{TraceRule::hb_nRTP, "hb_seq"},
                      MutationCase{TraceRule::hb_port_sharing, "hb_shared_row"},
                      MutationCase{TraceRule::pim_mac_interval, "pim_seq"},
                      MutationCase{TraceRule::salp_nRA, "hb_salp"}, MutationCase{TraceRule::hb_buffer, "hb_prefetch"}),
    case_name);

// State rules: deleting a command breaks them.
TEST(TraceCheckerStateRules, ColumnCommandWithoutItsActivateIsRowState) {
  Trace t = make_trace(generators()[0]);
  auto it = std::find_if(t.lines.begin() + 1, t.lines.end(),
                         [](const std::string& l) { return l.find(",ACT,") != std::string::npos; });
  ASSERT_NE(it, t.lines.end());
  t.lines.erase(it);
  TraceCheckResult r = check_lines(t, t.lines, "noact");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.violation.rule, TraceRule::row_state) << r.report;
}

TEST(TraceCheckerStateRules, AllBankMacWithOneBankClosedIsRowState) {
  const Generator* g = nullptr;
  for (const Generator& x : generators()) {
    if (x.name == "pim_seq") g = &x;
  }
  ASSERT_NE(g, nullptr);
  Trace t = make_trace(*g);
  // Delete the ACT of the last bank: the next MACab finds it closed.
  auto it = std::find_if(t.lines.begin() + 1, t.lines.end(),
                         [](const std::string& l) { return l.find(",pim,ACT,3,15,") != std::string::npos; });
  ASSERT_NE(it, t.lines.end());
  t.lines.erase(it);
  TraceCheckResult r = check_lines(t, t.lines, "nopimact");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.violation.rule, TraceRule::row_state) << r.report;
  EXPECT_NE(r.report.find("MACab"), std::string::npos) << r.report;
}

TEST(TraceCheckerStateRules, RefreshOfAnOpenBankIsCaught) {
  Trace t = make_trace(generators()[8]);  // per-bank refresh: a PRE closes an open bank before its REFpb
  auto it = std::find_if(t.lines.begin() + 1, t.lines.end(),
                         [](const std::string& l) { return l.find(",refresh,PRE,") != std::string::npos; });
  ASSERT_NE(it, t.lines.end()) << "no bank was open at its refresh";
  t.lines.erase(it);
  TraceCheckResult r = check_lines(t, t.lines, "nopre");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.violation.rule, TraceRule::refresh_precharged) << r.report;
}

TEST(TraceCheckerStateRules, MissingRefreshesBreakTheSchedule) {
  // An idle channel still refreshes: 12 windows of the calendar in 12 x tREFI.
  Trace t{load_dram_standard(kStandard), load_hardware_config(kHw), {}};
  Lpddr5Channel ch(t.s, t.hw, false);
  test::CheckedCommandTrace trace("idle");
  ch.set_command_observer(&trace.observer(), 0);
  ch.complete_external(DramAccess::read, 0, 32, 0);
  const int64_t end = 12 * t.s.ps(t.s.refresh.nrefi_ck) + 1;
  ch.finish_commands(end);
  TraceCheckResult ok = trace.check(t.s, t.hw);
  ASSERT_TRUE(ok.ok);
  t.lines = read_all(trace.path());
  int64_t refs = std::count_if(t.lines.begin(), t.lines.end(),
                               [](const std::string& l) { return l.find(",REFab,") != std::string::npos; });
  EXPECT_EQ(refs, 12);
  // 8 missing refreshes are within the postponement allowance; a 9th is not (the trace must
  // still reach 12 x tREFI: the last line stays).
  for (int drop : {8, 9}) {
    std::vector<std::string> lines = t.lines;
    int dropped = 0;
    for (size_t i = 1; i + 2 < lines.size() && dropped < drop;) {
      if (lines[i].find(",REFab,") != std::string::npos) {
        lines.erase(lines.begin() + std::ptrdiff_t(i));
        ++dropped;
      } else {
        ++i;
      }
    }
    TraceCheckResult r = check_lines(t, lines, "norefs");
    if (drop == 8) {
      EXPECT_TRUE(r.ok) << r.report;
    } else {
      ASSERT_FALSE(r.ok);
      EXPECT_EQ(r.violation.rule, TraceRule::refresh_schedule) << r.report;
    }
  }
}

TEST(TraceCheckerFormat, BadLinesAreNamed) {
  Trace t = make_trace(generators()[0]);
  {
    std::vector<std::string> lines = t.lines;
    std::swap(lines[3], lines[4]);  // time goes backwards
    TraceCheckResult r = check_lines(t, lines, "order");
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.violation.rule, TraceRule::format) << r.report;
  }
  {
    std::vector<std::string> lines = t.lines;
    lines[1] = "0,0,0,external,ACT,0,0,999999999,-1";  // beyond the bank's rows
    TraceCheckResult r = check_lines(t, lines, "row");
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.violation.rule, TraceRule::address_range) << r.report;
  }
  {
    std::vector<std::string> lines = t.lines;
    lines[2] = "garbage";
    TraceCheckResult r = check_lines(t, lines, "garbage");
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.report.find(":3:"), std::string::npos) << r.report;
  }
  {
    TraceCheckResult r = check_lines(t, {}, "empty");
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.report.find("empty"), std::string::npos) << r.report;
  }
}

// The trace of a stream is the same bytes every time, and its command counts match the engine's.
TEST(CommandTrace, CountsMatchTheEngineAndBytesRepeat) {
  std::vector<std::string> first;
  for (int rep = 0; rep < 2; ++rep) {
    DramStandard s = load_dram_standard(kStandard);
    HardwareConfig hw = load_hardware_config(kHw);
    Lpddr5Channel ch(s, hw, false);
    test::CheckedCommandTrace trace("counts");
    ch.set_command_observer(&trace.observer(), 0);
    RandomSource src(DramAccess::read, 3000, ch.mapping().capacity_bytes(), s.burst_bytes, 1);
    ch.run_external(src, 0);
    const DramStats st = ch.stats();
    ch.finish_commands(st.end_ps);
    TraceCheckResult r = trace.check(s, hw);
    std::map<std::string, int64_t> n(r.summary.per_command.begin(), r.summary.per_command.end());
    EXPECT_EQ(n["ACT"], st.commands.act);
    EXPECT_EQ(n["PRE"], st.commands.pre);
    EXPECT_EQ(n["RD"], st.commands.rd);
    EXPECT_EQ(n["PREab"], st.commands.pre_all);
    EXPECT_EQ(n["REFab"], st.commands.ref_all);
    std::vector<std::string> lines = read_all(trace.path());
    if (rep == 0) first = lines;
    else EXPECT_EQ(lines, first);
  }
}

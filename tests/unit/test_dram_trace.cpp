// Trace replay (models/dram/dram_trace.*): a trace of the same requests as a built-in stream gives
// exactly the same simulation; timed requests wait for their cycle; both formats and their
// variants parse; every file of the bad-trace corpus fails with its expected message.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/dram_trace_check.hpp"
#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/dram/dram_trace.hpp"
#include "models/dram/dram_workloads.hpp"
#include "models/dram/lpddr5_channel.hpp"

using namespace h2sim;
namespace fs = std::filesystem;

namespace {

// The harness's commands are checked by the independent checker when it goes out of scope.
struct TraceHarness {
  DramStandard s = load_dram_standard(H2SIM_SOURCE_DIR "/configs/dram/lpddr5-6400.yaml");
  HardwareConfig hw = load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml");
  Lpddr5Channel ch{s, hw, false};
  test::CheckedCommandTrace trace;
  TraceHarness() { ch.set_command_observer(&trace.observer(), 0); }
  ~TraceHarness() {
    ch.finish_commands(ch.stats().end_ps);
    trace.check(s, hw);
  }
  int64_t ck(int64_t n) const { return n * s.tck_ps; }
  TraceFileSource source(const std::string& path, TraceFormat f = TraceFormat::detect) {
    return TraceFileSource(path, f, ch.mapping().capacity_bytes(), s.tck_ps, s.burst_bytes);
  }
};

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("h2sim_trace_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::string write_file(const std::string& name, const std::string& text) {
  const std::string p = temp_path(name);
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

// Records what a source yields and passes it on.
class Recorder : public ExternalRequestSource {
 public:
  explicit Recorder(ExternalRequestSource& inner) : inner_(inner) {}
  bool next(ExternalRequest& out) override {
    if (!inner_.next(out)) return false;
    seen.push_back(out);
    return true;
  }
  std::vector<ExternalRequest> seen;

 private:
  ExternalRequestSource& inner_;
};

void expect_same(const DramStats& a, const DramStats& b) {
  EXPECT_EQ(a.end_ps, b.end_ps);
  EXPECT_EQ(a.commands.act, b.commands.act);
  EXPECT_EQ(a.commands.pre, b.commands.pre);
  EXPECT_EQ(a.commands.rd, b.commands.rd);
  EXPECT_EQ(a.commands.wr, b.commands.wr);
  EXPECT_EQ(a.external.row_hits, b.external.row_hits);
  EXPECT_EQ(a.external.read_latency_sum_ps, b.external.read_latency_sum_ps);
  EXPECT_EQ(a.external.read_latency_max_ps, b.external.read_latency_max_ps);
  EXPECT_EQ(a.bank_busy_ps, b.bank_busy_ps);
}

// Replays `requests` through a load/store trace file and through the recorded source; compares.
void check_replay_matches(ExternalRequestSource& built_in, const std::string& name) {
  TraceHarness direct;
  Recorder rec(built_in);
  direct.ch.run_external(rec, 0);
  ASSERT_FALSE(rec.seen.empty());

  std::string text;
  text.reserve(rec.seen.size() * 16);
  for (size_t i = 0; i < rec.seen.size(); ++i) {
    const ExternalRequest& r = rec.seen[i];
    // Vary the spelling (hex and decimal addresses, CRLF) without changing the requests.
    char line[64];
    if (i % 3 == 1) {
      std::snprintf(line, sizeof line, "%s %lld\r\n", r.kind == DramAccess::read ? "LD" : "ST", (long long)r.address);
    } else {
      std::snprintf(line, sizeof line, "%s 0x%llx\n", r.kind == DramAccess::read ? "LD" : "ST",
                    (unsigned long long)r.address);
    }
    text += line;
  }
  const std::string path = write_file(name, text);
  TraceHarness replay;
  TraceFileSource src = replay.source(path);
  replay.ch.run_external(src, 0);
  EXPECT_EQ(src.format(), TraceFormat::load_store);
  EXPECT_EQ(src.requests(), int64_t(rec.seen.size()));
  expect_same(replay.ch.stats(), direct.ch.stats());
  fs::remove(path);
}

}  // namespace

TEST(DramTrace, SequentialTraceReplaysExactlyLikeTheSequentialStream) {
  // 64 K requests: about 1.1 MB of text, so lines cross the reader's 1 MiB block boundary.
  SequentialSource seq(DramAccess::read, int64_t(65536) * 32, 32);
  check_replay_matches(seq, "seq.trace");
}

TEST(DramTrace, RandomTraceReplaysExactlyLikeTheRandomStream) {
  TraceHarness h;
  RandomSource rnd(DramAccess::read, 20000, h.ch.mapping().capacity_bytes(), 32, 7);
  check_replay_matches(rnd, "rnd.trace");
}

TEST(DramTrace, WriteTraceReplaysExactlyLikeTheWriteStream) {
  SequentialSource seq(DramAccess::write, int64_t(8192) * 32, 32);
  check_replay_matches(seq, "wr.trace");
}

TEST(DramTrace, TimedRequestWaitsForItsCycle) {
  TraceHarness h;
  const DramTimingCk& t = h.s.t;
  // One read at cycle 1000 (row closed): ACT at 1000, RD after nRCD, data nCL + nBL later. A second
  // read to the same row at cycle 2000 (before the first refresh at tREFI = 3125 CK) is a row hit.
  const std::string path = write_file("timed.stl", "# DRAMSys style\n1000:\tread\t0x40\n2000 R 40\n");
  TraceFileSource src = h.source(path);
  h.ch.run_external(src, 0);
  EXPECT_EQ(src.format(), TraceFormat::timed);
  EXPECT_EQ(src.last_cycle(), 2000);
  const DramStats st = h.ch.stats();
  EXPECT_EQ(st.commands.act, 1);
  EXPECT_EQ(st.external.row_hits, 1);
  EXPECT_EQ(st.end_ps, h.ck(2000 + t.ncl + t.nbl));
  EXPECT_EQ(st.external.read_latency_sum_ps, h.ck(t.nrcd + t.ncl + t.nbl) + h.ck(t.ncl + t.nbl));
  fs::remove(path);
}

TEST(DramTrace, TimedFormatVariants) {
  TraceHarness h;
  // DRAMSys: optional (length) equal to the burst, write data ignored, address hex without 0x.
  const std::string path =
      write_file("variants.stl", "0: (32) write 0x0 0x0123456789abcdef\n  3 W 40\n\n5:\tread\t0x40\n");
  TraceFileSource src = h.source(path, TraceFormat::timed);
  h.ch.run_external(src, 0);
  EXPECT_EQ(src.reads(), 1);
  EXPECT_EQ(src.writes(), 2);
  EXPECT_EQ(src.lines(), 4);
  fs::remove(path);
}

TEST(DramTrace, LatencyHistogramCountsEveryRead) {
  TraceHarness h;
  h.ch.enable_read_latency_histogram();
  RandomSource rnd(DramAccess::read, 5000, h.ch.mapping().capacity_bytes(), 32, 3);
  h.ch.run_external(rnd, 0);
  const auto& hist = h.ch.read_latency_histogram_ck();
  int64_t n = 0, sum_ck = 0;
  for (size_t i = 0; i < hist.size(); ++i) n += hist[i], sum_ck += int64_t(i) * hist[i];
  const DramStats st = h.ch.stats();
  EXPECT_EQ(n, st.external.reads_timed);
  EXPECT_EQ(h.ck(sum_ck), st.external.read_latency_sum_ps);  // latencies are whole CK on this path
  EXPECT_EQ(h.ck(int64_t(hist.size()) - 1), st.external.read_latency_max_ps);
}

TEST(DramTrace, FormatNamesAndMappings) {
  EXPECT_EQ(parse_trace_format("auto", "--f"), TraceFormat::detect);
  EXPECT_EQ(parse_trace_format("loadstore", "--f"), TraceFormat::load_store);
  EXPECT_EQ(parse_trace_format("timed", "--f"), TraceFormat::timed);
  EXPECT_THROW(parse_trace_format("stl", "--f"), InputError);
  EXPECT_EQ(address_mapping_string(parse_address_mapping("RoBaRaCoCh", "--m")), "column,bank_group,bank,row");
  EXPECT_EQ(address_mapping_string(parse_address_mapping("column,bank,bank_group,row", "--m")),
            "column,bank,bank_group,row");
  EXPECT_THROW(parse_address_mapping("column,bank,row", "--m"), InputError);
  EXPECT_THROW(parse_address_mapping("column,bank,bank,row", "--m"), InputError);
  EXPECT_THROW(parse_address_mapping("RoBaRaCo", "--m"), InputError);
}

TEST(DramTrace, LoadStoreInTimedModeIsRefused) {
  TraceHarness h;
  const std::string path = write_file("ls.trace", "LD 0x0\n");
  TraceFileSource src = h.source(path, TraceFormat::timed);
  ExternalRequest r;
  EXPECT_THROW(src.next(r), InputError);
  fs::remove(path);
}

TEST(DramTrace, BadTraceCorpus) {
  const std::string dir = H2SIM_TEST_DATA_DIR "/bad_traces";
  std::ifstream in(dir + "/expected.txt");
  ASSERT_TRUE(in) << "missing " << dir << "/expected.txt";
  std::vector<std::string> listed;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, '|')) {
      const auto b = f.find_first_not_of(' '), e = f.find_last_not_of(' ');
      fields.push_back(b == std::string::npos ? "" : f.substr(b, e - b + 1));
    }
    ASSERT_GE(fields.size(), 2u) << line;
    listed.push_back(fields[0]);
    TraceHarness h;
    std::string message;
    try {
      TraceFileSource src = h.source(dir + "/" + fields[0]);
      h.ch.run_external(src, 0);
    } catch (const InputError& err) {
      message = err.what();
    }
    ASSERT_FALSE(message.empty()) << fields[0] << " was accepted";
    for (size_t i = 1; i < fields.size(); ++i) {
      EXPECT_NE(message.find(fields[i]), std::string::npos) << fields[0] << ": '" << fields[i] << "' not in: " << message;
    }
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == "expected.txt") continue;
    EXPECT_NE(std::find(listed.begin(), listed.end(), name), listed.end()) << name << " has no line in expected.txt";
  }
}

// Reading a command trace file and checking it (check_command_trace_file, verify/dram_trace_checker.hpp):
// the CSV of `--command-trace`, parsed in place from 1 MiB blocks, each line handed to the checker.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "config/errors.hpp"
#include "verify/dram_trace_checker.hpp"

namespace h2sim {

// ---------------------------------------------------------------------------------------------
// The trace file

namespace {

constexpr const char* kHeader = "time_ps,cycle,channel,path,command,bank_group,bank,row,column";

// Parses a decimal integer (optional '-') ending at ',' or the end; advances p.
bool parse_int(const char*& p, const char* end, int64_t& out) {
  bool neg = false;
  if (p < end && *p == '-') neg = true, ++p;
  if (p >= end || *p < '0' || *p > '9') return false;
  uint64_t v = 0;
  int digits = 0;
  while (p < end && *p >= '0' && *p <= '9') {
    v = v * 10 + uint64_t(*p - '0');
    if (++digits > 18) return false;
    ++p;
  }
  out = neg ? -int64_t(v) : int64_t(v);
  return true;
}

bool parse_word(const char*& p, const char* end, const char*& w, size_t& n) {
  w = p;
  while (p < end && *p != ',') ++p;
  n = size_t(p - w);
  return n > 0;
}

bool comma(const char*& p, const char* end) {
  if (p < end && *p == ',') {
    ++p;
    return true;
  }
  return false;
}

bool parse_line(const char* p, const char* end, TraceCommand& c, std::string& why) {
  int64_t v;
  const char* w;
  size_t n;
  if (!parse_int(p, end, c.time_ps) || !comma(p, end)) return why = "time_ps", false;
  if (!parse_int(p, end, c.cycle) || !comma(p, end)) return why = "cycle", false;
  if (!parse_int(p, end, v) || !comma(p, end) || v > INT32_MAX) return why = "channel", false;
  c.channel = int(v);
  if (!parse_word(p, end, w, n) || !comma(p, end)) return why = "path", false;
  if (n == 8 && std::memcmp(w, "external", 8) == 0) c.path = TracePath::external;
  else if (n == 2 && std::memcmp(w, "hb", 2) == 0) c.path = TracePath::hb;
  else if (n == 7 && std::memcmp(w, "refresh", 7) == 0) c.path = TracePath::refresh;
  else if (n == 3 && std::memcmp(w, "pim", 3) == 0) c.path = TracePath::pim;
  else return why = "path (valid: external, hb, refresh, pim)", false;
  if (!parse_word(p, end, w, n) || !comma(p, end)) return why = "command", false;
  int k = 0;
  const int kinds = trace_command_kinds();
  for (; k < kinds; ++k) {
    const char* name = trace_command_name(TraceCmd(k));
    if (std::strlen(name) == n && std::memcmp(w, name, n) == 0) break;
  }
  if (k == kinds) return why = "command (valid: ACT PRE PREab RD WR RDA WRA REFab REFpb HB_RD ACTab MACab HB_FILL)", false;
  c.cmd = TraceCmd(k);
  if (!parse_int(p, end, v) || !comma(p, end) || v > INT32_MAX || v < -1) return why = "bank_group", false;
  c.bank_group = int(v);
  if (!parse_int(p, end, v) || !comma(p, end) || v > INT32_MAX || v < -1) return why = "bank", false;
  c.bank = int(v);
  if (!parse_int(p, end, c.row) || !comma(p, end)) return why = "row", false;
  if (!parse_int(p, end, c.column) || p != end) return why = "column", false;
  return true;
}

// Text of the given 1-based lines (a violation's two lines), read again from the file.
std::vector<std::string> read_lines(const std::string& path, std::vector<int64_t> wanted) {
  std::vector<std::string> out(wanted.size());
  std::ifstream in(path, std::ios::binary);
  std::string s;
  int64_t n = 0;
  int64_t last = 0;
  for (int64_t w : wanted) last = std::max(last, w);
  while (n < last && std::getline(in, s)) {
    ++n;
    for (size_t i = 0; i < wanted.size(); ++i) {
      if (wanted[i] == n) out[i] = s;
    }
  }
  return out;
}

std::string cycles_text(int64_t ps, int64_t tck) {
  if (ps % tck == 0) return fmt::format("{} CK ({} ps)", ps / tck, ps);
  return fmt::format("{:.3f} CK ({} ps)", double(ps) / double(tck), ps);
}

}  // namespace

TraceCheckResult check_command_trace_file(const std::string& path, const DramStandard& standard,
                                          const HardwareConfig& hw, DramTraceChecker::Listener listener) {
  DramTraceChecker checker(standard, hw);
  if (listener) checker.set_listener(std::move(listener));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw InputError(fmt::format("{}: cannot open the command trace", path));
  TraceCheckResult res;
  auto bad = [&](int64_t line, const std::string& why) {
    res.ok = false;
    res.violation.rule = TraceRule::format;
    res.violation.line = line;
    res.report = fmt::format("{}:{}: not a command trace line: {}\n", path, line, why);
    return res;
  };

  // Lines are parsed in place from 1 MiB blocks.
  std::vector<char> buf(size_t(1) << 20);
  size_t have = 0;
  int64_t line = 0;
  bool eof = false, header = false;
  TraceCommand c;
  std::string why;
  for (;;) {
    if (!eof && have < buf.size()) {
      size_t got = std::fread(buf.data() + have, 1, buf.size() - have, f.get());
      if (got == 0) eof = true;
      have += got;
    }
    size_t start = 0;
    for (;;) {
      const char* nl = static_cast<const char*>(std::memchr(buf.data() + start, '\n', have - start));
      if (!nl) break;
      const char* b = buf.data() + start;
      const char* e = nl;
      if (e > b && e[-1] == '\r') --e;
      ++line;
      start = size_t(nl - buf.data()) + 1;
      if (!header) {
        if (std::string(b, e) != kHeader) return bad(line, fmt::format("expected the header '{}'", kHeader));
        header = true;
        continue;
      }
      if (!parse_line(b, e, c, why)) return bad(line, fmt::format("bad field '{}'", why));
      if (!checker.check(c, line)) goto violation;
    }
    std::memmove(buf.data(), buf.data() + start, have - start);
    have -= start;
    if (eof) {
      if (have > 0) {
        ++line;
        if (!header) return bad(line, "no header line ending in a newline");
        return bad(line, "the last line has no newline (truncated trace?)");
      }
      break;
    }
    if (have == buf.size()) return bad(line + 1, "a line longer than 1 MiB");
  }
  if (!header) return bad(1, "empty file: expected the header line");
  if (!checker.finish()) goto violation;
  {
    res.summary = checker.summary();
    std::string r = fmt::format("verify-trace: {}: OK: {} commands on {} channel(s), last at {} ps, every rule met\n",
                                path, res.summary.commands, res.summary.channels, res.summary.last_ps);
    r += "  commands:";
    for (const auto& [name, n] : res.summary.per_command) r += fmt::format(" {} {}", name, n);
    r += "\n  constraints checked per rule:\n";
    for (int k = 0; k < kTraceRules; ++k) {
      r += fmt::format("    {:<20} {:>12}  {}\n", trace_rule_name(TraceRule(k)), res.summary.checks[size_t(k)],
                       trace_rule_meaning(TraceRule(k)));
    }
    res.report = r;
    return res;
  }
violation : {
  res.ok = false;
  res.violation = checker.violation();
  res.summary = checker.summary();
  const TraceViolation& v = res.violation;
  auto lines = read_lines(path, {v.line, v.other_line});
  std::string r = fmt::format("verify-trace: {}: VIOLATION of {} ({})\n", path, trace_rule_name(v.rule),
                              trace_rule_meaning(v.rule));
  r += fmt::format("  line {}: {}\n", v.line, lines[0]);
  if (v.other_line > 0) r += fmt::format("  after line {}: {}\n", v.other_line, lines[1]);
  r += fmt::format("  shortfall: {}\n", cycles_text(v.shortfall_ps, checker.tck_ps()));
  if (!v.detail.empty()) r += fmt::format("  {}\n", v.detail);
  res.report = r;
  return res;
}
}

}  // namespace h2sim

#include "models/dram/dram_command_trace.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "config/errors.hpp"

namespace h2sim {

namespace {
void append_int(std::string& out, int64_t v) {
  char tmp[24];
  int n = 0;
  uint64_t u = v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v);
  do {
    tmp[n++] = char('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) out.push_back('-');
  while (n) out.push_back(tmp[--n]);
}

const char* path_name(DramPath p) {
  switch (p) {
    case DramPath::external: return "external";
    case DramPath::hb: return "hb";
    case DramPath::refresh: return "refresh";
    case DramPath::pim: return "pim";
  }
  return "?";
}
}  // namespace

void append_command_trace_line(std::string& out, int channel, const DramCommandEvent& e) {
  append_int(out, e.time_ps);
  out.push_back(',');
  append_int(out, e.cycle);
  out.push_back(',');
  append_int(out, channel);
  out.push_back(',');
  out += path_name(e.path);
  out.push_back(',');
  out += dram_command_name(e.command);
  out.push_back(',');
  append_int(out, e.bank_group);
  out.push_back(',');
  append_int(out, e.bank);
  out.push_back(',');
  append_int(out, e.row);
  out.push_back(',');
  append_int(out, e.column);
  out.push_back('\n');
}

DramCommandTraceFile::DramCommandTraceFile(const std::string& path) : file_(path) {
  sink_.file = &file_;
  sink_.sorter = &sorter_;
  sink_.buf.reserve(size_t(1) << 20);
  sink_.buf += kDramCommandTraceHeader;
  sink_.buf.push_back('\n');
}

void DramCommandTraceFile::set_window(int64_t from_ps, int64_t to_ps) {
  sink_.from_ps = from_ps;
  sink_.to_ps = to_ps;
}

void DramCommandTraceFile::hold_until_window() {
  sink_.holding = true;
  sink_.hold_from = 0;
}

void DramCommandTraceFile::begin_window() {
  if (!sink_.holding) return;
  sink_.holding = false;
  sink_.from_ps = sink_.hold_from;
  for (const auto& [t, line] : sink_.held) {
    if (t >= sink_.hold_from) {
      sink_.buf += line;
      ++sink_.lines;
    }
  }
  sink_.held.clear();
  sink_.held.shrink_to_fit();
  sink_.flush();
}

void DramCommandTraceFile::Sink::on_command(int channel, const DramCommandEvent& e) {
  if (holding) {
    if (e.command == DramCommandKind::pre_all && e.time_ps > hold_from) {
      // A new self-contained start: forget what came before it (any channel: they share the calendar).
      hold_from = e.time_ps;
      held.erase(std::remove_if(held.begin(), held.end(), [&](const auto& h) { return h.first < hold_from; }),
                 held.end());
    }
    if (e.time_ps < hold_from) return;
    std::string line;
    append_command_trace_line(line, channel, e);
    held.emplace_back(e.time_ps, std::move(line));
    return;
  }
  if (e.time_ps < from_ps || e.time_ps >= to_ps) return;
  append_command_trace_line(buf, channel, e);
  ++lines;
  if (buf.size() >= (size_t(1) << 20)) flush();
}

void DramCommandTraceFile::Sink::on_horizon(int, int64_t) {
  size_t b = sorter->buffered();
  if (b > max_buffered) max_buffered = b;
}

void DramCommandTraceFile::Sink::flush() {
  file->write(buf.data(), buf.size());
  buf.clear();
}

void DramCommandTraceFile::commit() {
  begin_window();  // a window that never began: the trace holds what was held
  if (size_t left = sorter_.buffered()) {
    throw InternalError(fmt::format("command trace {}: {} commands still buffered (a channel was not finished)",
                                    file_.path(), left));
  }
  sink_.flush();
  file_.commit();
}

}  // namespace h2sim

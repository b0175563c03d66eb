#include "models/waveform.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "config/atomic_file.hpp"
#include "config/errors.hpp"

namespace h2sim {

namespace {
int64_t now_ps() { return int64_t(sc_core::sc_time_stamp().value() / sc_core::sc_time(1, sc_core::SC_PS).value()); }

// VCD identifiers: printable ASCII '!'..'~', shortest first.
std::string vcd_id(int index) {
  std::string id;
  do {
    id += char('!' + index % 94);
    index /= 94;
  } while (index > 0);
  return id;
}

std::vector<std::string> split_path(const std::string& p) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t dot = p.find('.', start);
    parts.push_back(p.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}
}  // namespace

std::string gtkw_path_for(const std::string& vcd_path) {
  const size_t slash = vcd_path.find_last_of('/');
  const size_t dot = vcd_path.find_last_of('.');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash + 1) && vcd_path.substr(dot) == ".vcd") {
    return vcd_path.substr(0, dot) + ".gtkw";
  }
  return vcd_path + ".gtkw";
}

int Waveform::add(const std::string& path, int width_bits, WaveFormat format) {
  if (format == WaveFormat::real) return add_real(path);
  signals_.push_back(Signal{path, width_bits, width_bits == 1 ? WaveFormat::bit : format, 0, 0.0, 0});
  return int(signals_.size()) - 1;
}

int Waveform::add_real(const std::string& path) {
  signals_.push_back(Signal{path, 64, WaveFormat::real, 0, 0.0, 0});
  return int(signals_.size()) - 1;
}

void Waveform::set(int id, int64_t value) { record(id, now_ps(), value, 0.0); }
void Waveform::set_real(int id, double value) { record(id, now_ps(), 0, value); }
void Waveform::set_at(int id, int64_t time_ps, int64_t value) { record(id, time_ps, value, 0.0); }
void Waveform::set_real_at(int id, int64_t time_ps, double value) { record(id, time_ps, 0, value); }

void Waveform::set_scheduled(int id, int64_t time_ps, int64_t value) { record(id, time_ps, value, 0.0, true); }

void Waveform::record(int id, int64_t time_ps, int64_t value, double real, bool future_ok) {
  Signal& s = signals_[size_t(id)];
  if (s.value == value && s.real == real) return;
  if (time_ps < s.last_time_ps || (!future_ok && time_ps > now_ps())) {
    throw InternalError(fmt::format("waveform: {} changed at {} ps, before its previous change at {} ps or after now",
                                    s.path, time_ps, s.last_time_ps));
  }
  s.value = value;
  s.real = real;
  s.last_time_ps = time_ps;
  // The change is recorded in the window that holds its time; every window that started after it
  // (and has started by now) begins with it, unless a later change (appended later) overrides it.
  for (size_t w = windows_.size(); w-- > 0;) {
    const Window& win = windows_[w];
    if (win.on_ps <= time_ps) {
      if (win.off_ps < 0 || time_ps < win.off_ps) changes_.push_back(Change{time_ps, id, value, real});
      break;
    }
    changes_.push_back(Change{win.on_ps, id, value, real});
  }
}

void Waveform::enable(bool on) {
  if (on == enabled_) return;
  enabled_ = on;
  const int64_t t = now_ps();
  if (on) {
    windows_.push_back(Window{t, -1});
    for (size_t i = 0; i < signals_.size(); ++i) changes_.push_back(Change{t, int(i), signals_[i].value, signals_[i].real});
  } else {
    windows_.back().off_ps = t;
  }
}

int64_t Waveform::begin_ps() const { return windows_.empty() ? 0 : windows_.front().on_ps; }

int64_t Waveform::end_ps() const {
  if (windows_.empty()) return 0;
  return windows_.back().off_ps >= 0 ? windows_.back().off_ps : now_ps();
}

std::string Waveform::value_text(const Signal& s, int64_t v, double real) const {
  if (s.format == WaveFormat::real) return fmt::format("r{} ", real);
  if (s.width_bits == 1) return v ? "1" : "0";
  std::string bits;
  uint64_t u = uint64_t(v);
  do {
    bits.insert(bits.begin(), char('0' + (u & 1)));
    u >>= 1;
  } while (u != 0);
  return "b" + bits + " ";
}

void Waveform::write(const std::string& path) const {
  std::string out = "$version h2sim $end\n$timescale 1 ps $end\n";
  // Scopes: group the signals by their dotted prefix, in registration order.
  std::vector<std::string> open;
  for (size_t i = 0; i < signals_.size(); ++i) {
    const std::vector<std::string> parts = split_path(signals_[i].path);
    const std::vector<std::string> scope(parts.begin(), parts.end() - 1);
    size_t common = 0;
    while (common < open.size() && common < scope.size() && open[common] == scope[common]) ++common;
    for (size_t k = open.size(); k > common; --k) out += "$upscope $end\n";
    open.resize(common);
    for (size_t k = common; k < scope.size(); ++k) {
      out += fmt::format("$scope module {} $end\n", scope[k]);
      open.push_back(scope[k]);
    }
    if (signals_[i].format == WaveFormat::real) {
      out += fmt::format("$var real 64 {} {} $end\n", vcd_id(int(i)), parts.back());
    } else {
      out += fmt::format("$var wire {} {} {} $end\n", signals_[i].width_bits, vcd_id(int(i)), parts.back());
    }
  }
  for (size_t k = open.size(); k > 0; --k) out += "$upscope $end\n";
  out += "$enddefinitions $end\n";
  // Changes recorded after the fact sit out of time order: sort them, keeping the recording order
  // among changes at the same time (the last one of a signal wins).
  std::vector<Change> changes = changes_;
  std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) { return a.time_ps < b.time_ps; });
  std::vector<int64_t> last_index(signals_.size(), -1);
  std::vector<bool> written(signals_.size(), false);
  std::vector<int64_t> written_value(signals_.size(), 0);
  std::vector<double> written_real(signals_.size(), 0.0);
  int64_t last_time = -1;
  for (size_t a = 0; a < changes.size();) {
    size_t b = a;
    while (b < changes.size() && changes[b].time_ps == changes[a].time_ps) ++b;
    for (size_t c = a; c < b; ++c) last_index[size_t(changes[c].id)] = int64_t(c);
    std::string block;
    for (size_t c = a; c < b; ++c) {
      const Change& ch = changes[c];
      const size_t id = size_t(ch.id);
      if (last_index[id] != int64_t(c)) continue;
      if (written[id] && written_value[id] == ch.value && written_real[id] == ch.real) continue;
      written[id] = true;
      written_value[id] = ch.value;
      written_real[id] = ch.real;
      block += value_text(signals_[id], ch.value, ch.real) + vcd_id(ch.id) + "\n";
    }
    if (!block.empty()) {
      out += fmt::format("#{}\n", changes[a].time_ps) + block;
      last_time = changes[a].time_ps;
    }
    a = b;
  }
  const int64_t end = end_ps();
  if (end > last_time && !windows_.empty()) out += fmt::format("#{}\n", end);
  write_file_atomically(path, out);
}

void Waveform::write_gtkw(const std::string& gtkw_path, const std::string& vcd_path) const {
  // GTKWave trace flags (gtkwave's analyzer.h, enum TraceEntFlagBits): bit 2 decimal, 3 binary,
  // 5 right-justify, 9 blank (comment/group line), 12 collapsed, 16 analog interpolated, 17 analog
  // height extension, 18 real, 22 closed group, 23 group begin, 24 group end.
  constexpr unsigned kDec = 1u << 2, kBin = 1u << 3, kRjustify = 1u << 5, kBlank = 1u << 9, kCollapsed = 1u << 12,
                     kAnalogStep = 1u << 15, kAnalogInterp = 1u << 16, kAnalogStretch = 1u << 17, kReal = 1u << 18,
                     kClosed = 1u << 22, kGroupBegin = 1u << 23, kGroupEnd = 1u << 24;
  // Zoom to fit: GTKWave shows 2^-zoom time units (ps: the VCD's timescale is 1 ps) per 200
  // pixels (gtkwave's pixelsperframe; measured: zoom -20 showed 5484052 ps over its 1045-pixel
  // wave pane, 2^20 / 200 x 1045 = 5478548). The wave pane of a [size] 1600 x 1000 window with
  // the signal list at kSignalsPx is about 1045 pixels wide; fitting into 1000 leaves a margin.
  constexpr int kWidthPx = 1600, kHeightPx = 1000, kSignalsPx = 330, kWavePx = 1000;
  const int64_t begin = begin_ps(), end = end_ps();
  const double span = double(std::max<int64_t>(end - begin, 1));
  const double zoom = -std::log2(200.0 * span / double(kWavePx));

  std::string out = "[*] GTKWave save file written by h2sim (see README: waveforms)\n";
  // Absolute paths: GTKWave opens the dump file named here wherever it is started from.
  out += fmt::format("[dumpfile] \"{}\"\n", std::filesystem::absolute(vcd_path).lexically_normal().string());
  out += fmt::format("[savefile] \"{}\"\n", std::filesystem::absolute(gtkw_path).lexically_normal().string());
  out += fmt::format("[timestart] {}\n", begin);
  out += fmt::format("[size] {} {}\n[pos] -1 -1\n", kWidthPx, kHeightPx);
  out += fmt::format("*{:.6f} -1", zoom);
  for (int i = 0; i < 26; ++i) out += " -1";
  out += "\n[sst_expanded] 0\n";
  out += fmt::format("[signals_width] {}\n[sst_width] 200\n[sst_vpaned_height] 200\n", kSignalsPx);

  unsigned current_flags = ~0u;
  auto flags = [&](unsigned f) {
    if (f != current_flags) out += fmt::format("@{:x}\n", f);
    current_flags = f;
  };
  auto group_begin = [&](const std::string& name, bool closed) {
    flags(kGroupBegin | kBlank | (closed ? kClosed : 0u));
    out += "-" + name + "\n";
  };
  auto group_end = [&](const std::string& name, bool closed) {
    flags(kGroupEnd | kBlank | (closed ? kClosed | kCollapsed : 0u));
    out += "-" + name + "\n";
  };
  auto trace = [&](const Signal& s) {
    const std::vector<std::string> parts = split_path(s.path);
    // The alias drops "chip." and the channel (the group says which channel it is); its parts
    // are joined by spaces, since GTKWave shows only the last dotted part of a name.
    std::string alias;
    for (size_t k = (parts.size() > 2 && parts[1].rfind("ch", 0) == 0) ? 2 : 1; k < parts.size(); ++k) {
      alias += (alias.empty() ? "" : " ") + parts[k];
    }
    const std::string name = s.format == WaveFormat::real || s.width_bits == 1
                                 ? s.path
                                 : fmt::format("{}[{}:0]", s.path, s.width_bits - 1);
    bool analog = false;
    switch (s.format) {
      case WaveFormat::bit: flags(kBin | kRjustify); break;
      case WaveFormat::decimal: flags(kDec | kRjustify); break;
      case WaveFormat::analog: flags(kDec | kRjustify | kAnalogStep); analog = true; break;
      case WaveFormat::ramp: flags(kDec | kRjustify | kAnalogInterp); analog = true; break;
      case WaveFormat::real: flags(kReal | kRjustify | kAnalogStep); analog = true; break;
    }
    out += fmt::format("+{{{}}} {}\n", alias, name);
    if (analog) {  // two extra rows of height for the analog trace
      flags(kBlank | kAnalogStretch);
      out += "-\n-\n";
    }
  };

  // Channels in order of appearance; within one: link, the channel's own signals, PEs, DRAM.
  std::vector<std::string> channels;
  std::map<std::string, std::vector<std::vector<size_t>>> parts_of;  // channel -> 4 lists
  std::vector<size_t> others;
  for (size_t i = 0; i < signals_.size(); ++i) {
    const std::vector<std::string> p = split_path(signals_[i].path);
    if (p.size() < 3 || p[1].rfind("ch", 0) != 0) {
      others.push_back(i);
      continue;
    }
    auto [it, fresh] = parts_of.try_emplace(p[1], std::vector<std::vector<size_t>>(4));
    if (fresh) channels.push_back(p[1]);
    const std::string sub = p.size() > 3 ? p[2] : "";
    const int part = sub == "link" ? 0 : sub.empty() ? 1 : sub.rfind("pe", 0) == 0 ? 2 : 3;
    it->second[size_t(part)].push_back(i);
  }
  for (const std::string& ch : channels) {
    const auto& lists = parts_of[ch];
    group_begin(ch, false);
    for (size_t i : lists[0]) trace(signals_[i]);
    for (size_t i : lists[1]) trace(signals_[i]);
    if (!lists[2].empty()) {
      group_begin(ch + " PEs", true);
      for (size_t i : lists[2]) trace(signals_[i]);
      group_end(ch + " PEs", true);
    }
    if (!lists[3].empty()) {
      group_begin(ch + " DRAM", true);
      for (size_t i : lists[3]) trace(signals_[i]);
      group_end(ch + " DRAM", true);
    }
    group_end(ch, false);
  }
  for (size_t i : others) trace(signals_[i]);
  out += "[pattern_trace] 1\n[pattern_trace] 0\n";
  write_file_atomically(gtkw_path, out);
}

}  // namespace h2sim

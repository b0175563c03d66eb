#include "models/waveform.hpp"

#include <fmt/format.h>


#include "config/errors.hpp"
#include "config/atomic_file.hpp"

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

std::string vcd_value(int64_t v, int width) {
  if (width == 1) return v ? "1" : "0";
  std::string bits;
  uint64_t u = uint64_t(v);
  do {
    bits.insert(bits.begin(), char('0' + (u & 1)));
    u >>= 1;
  } while (u != 0);
  return "b" + bits + " ";
}
}  // namespace

int Waveform::add(const std::string& path, int width_bits) {
  signals_.push_back(Signal{path, width_bits, 0});
  return int(signals_.size()) - 1;
}

void Waveform::set(int id, int64_t value) {
  Signal& s = signals_[size_t(id)];
  if (s.value == value) return;
  s.value = value;
  if (enabled_) changes_.push_back(Change{now_ps(), id, value});
}

void Waveform::enable(bool on) {
  if (on == enabled_) return;
  enabled_ = on;
  if (on) {
    const int64_t t = now_ps();
    for (size_t i = 0; i < signals_.size(); ++i) changes_.push_back(Change{t, int(i), signals_[i].value});
  }
}

void Waveform::write(const std::string& path) const {
  std::string out = "$version h2sim $end\n$timescale 1 ps $end\n";
  // Scopes: group the signals by their dotted prefix, in registration order.
  std::vector<std::string> open;
  for (size_t i = 0; i < signals_.size(); ++i) {
    const std::string& p = signals_[i].path;
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
      size_t dot = p.find('.', start);
      parts.push_back(p.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    const std::vector<std::string> scope(parts.begin(), parts.end() - 1);
    size_t common = 0;
    while (common < open.size() && common < scope.size() && open[common] == scope[common]) ++common;
    for (size_t k = open.size(); k > common; --k) out += "$upscope $end\n";
    open.resize(common);
    for (size_t k = common; k < scope.size(); ++k) {
      out += fmt::format("$scope module {} $end\n", scope[k]);
      open.push_back(scope[k]);
    }
    out += fmt::format("$var wire {} {} {} $end\n", signals_[i].width_bits, vcd_id(int(i)), parts.back());
  }
  for (size_t k = open.size(); k > 0; --k) out += "$upscope $end\n";
  out += "$enddefinitions $end\n";
  int64_t time = -1;
  for (const auto& c : changes_) {
    if (c.time_ps != time) {
      time = c.time_ps;
      out += fmt::format("#{}\n", time);
    }
    out += vcd_value(c.value, signals_[size_t(c.id)].width_bits) + vcd_id(c.id) + "\n";
  }
  write_file_atomically(path, out);
}

}  // namespace h2sim

#pragma once
// A VCD recorder for the chip's signals that records only while enabled, so a waveform can cover
// one chosen window (a layer, a decode step) of a long run and stay small. Models hold their
// traced state in TracedValue<T>; with no waveform attached an update costs one null check.
//
// Models that only learn when something started once it has ended (a PE's multiplier works on a
// chunk from the first burst's arrival, known when the chunk is in) record those changes after
// the fact with set_at(); per signal, changes must come in non-decreasing time. A change before
// the current window's start counts as the value the window starts with.
#include <systemc>

#include <cstdint>
#include <string>
#include <vector>

namespace h2sim {

// How a GTKWave save file shows a signal.
enum class WaveFormat {
  bit,       // 1-bit flag
  decimal,   // integer shown as a decimal number (byte counts, row numbers)
  analog,    // integer drawn as an analog trace, a step at each change (buffer occupancy)
  ramp,      // integer sampled from a piecewise-linear quantity: drawn interpolated between samples
  real,      // real number drawn as an analog trace (rates, fractions)
};

class Waveform {
 public:
  // Registers a signal by its hierarchical name ("chip.ch0.link.busy"); returns its id. Integer
  // signals are `width_bits` wide; real signals are VCD `real` (64 bits).
  int add(const std::string& path, int width_bits, WaveFormat format = WaveFormat::decimal);
  int add_real(const std::string& path);
  // The signal's new value at the current simulation time.
  void set(int id, int64_t value);
  void set_real(int id, double value);
  // The signal's value from `time_ps` (<= now) on; non-decreasing times per signal.
  void set_at(int id, int64_t time_ps, int64_t value);
  void set_real_at(int id, int64_t time_ps, double value);
  // The same for a change a model scheduled ahead of the simulation (the DRAM engine places
  // commands beyond the current time): `time_ps` may lie after now.
  void set_scheduled(int id, int64_t time_ps, int64_t value);
  // Starts or stops recording at the current simulation time; a window starts with every
  // signal's current value.
  void enable(bool on);
  bool enabled() const { return enabled_; }
  // Writes the VCD (timescale 1 ps, scopes from the names) through a temporary file. The last
  // timestamp is the end of the recording (the last window's end, else now).
  void write(const std::string& path) const;
  // Writes a GTKWave save file for the VCD at `vcd_path`: signals grouped by channel (link,
  // stages and buffers, the PEs in a collapsed group, the DRAM in a collapsed group), then the
  // NPU; byte counts in decimal or analog, the whole recording in view.
  void write_gtkw(const std::string& gtkw_path, const std::string& vcd_path) const;
  size_t change_count() const { return changes_.size(); }
  // The recorded span [first window start, end of recording], ps.
  int64_t begin_ps() const;
  int64_t end_ps() const;

 private:
  struct Signal {
    std::string path;
    int width_bits = 1;
    WaveFormat format = WaveFormat::decimal;
    int64_t value = 0;
    double real = 0;
    int64_t last_time_ps = 0;
  };
  struct Change {
    int64_t time_ps;
    int id;
    int64_t value;
    double real;
  };
  struct Window {
    int64_t on_ps, off_ps;  // off_ps = -1 while open
  };
  void record(int id, int64_t time_ps, int64_t value, double real, bool future_ok = false);
  std::string value_text(const Signal& s, int64_t value, double real) const;

  std::vector<Signal> signals_;
  std::vector<Change> changes_;
  std::vector<Window> windows_;
  bool enabled_ = false;
};

// The GTKWave save file written beside a VCD: "w.vcd" -> "w.gtkw" (other names: + ".gtkw").
std::string gtkw_path_for(const std::string& vcd_path);

template <class T>
class TracedValue {
 public:
  TracedValue() = default;
  explicit TracedValue(T v) : value_(v) {}
  void attach(Waveform* w, const std::string& path, int width_bits, WaveFormat format = WaveFormat::decimal) {
    wave_ = w;
    id_ = w->add(path, width_bits, width_bits == 1 ? WaveFormat::bit : format);
    w->set(id_, int64_t(value_));
  }
  TracedValue& operator=(T v) {
    value_ = v;
    if (wave_ != nullptr) wave_->set(id_, int64_t(v));
    return *this;
  }
  TracedValue& operator+=(T d) { return *this = T(value_ + d); }
  TracedValue& operator-=(T d) { return *this = T(value_ - d); }
  operator T() const { return value_; }
  T get() const { return value_; }

 private:
  T value_{};
  Waveform* wave_ = nullptr;
  int id_ = -1;
};

// A signal that only the waveform sees (no model state behind it): a no-op until attached.
class WaveSignal {
 public:
  void attach(Waveform* w, const std::string& path, int width_bits, WaveFormat format) {
    wave_ = w;
    real_ = format == WaveFormat::real;
    id_ = real_ ? w->add_real(path) : w->add(path, width_bits, format);
  }
  bool attached() const { return wave_ != nullptr; }
  void set(double v) {
    if (wave_ == nullptr) return;
    if (real_) wave_->set_real(id_, v);
    else wave_->set(id_, int64_t(v));
  }
  void set_at(int64_t time_ps, double v) {
    if (wave_ == nullptr) return;
    if (real_) wave_->set_real_at(id_, time_ps, v);
    else wave_->set_at(id_, time_ps, int64_t(v));
  }

 private:
  Waveform* wave_ = nullptr;
  int id_ = -1;
  bool real_ = false;
};

}  // namespace h2sim

#pragma once
// A VCD recorder for the chip's signals that records only while enabled, so a waveform can cover
// one chosen window (a layer, a decode step) of a long run and stay small. Models hold their
// traced state in TracedValue<T>; with no waveform attached an update costs one null check.
#include <systemc>

#include <cstdint>
#include <string>
#include <vector>

namespace h2sim {

class Waveform {
 public:
  // Registers a signal by its hierarchical name ("chip.ch0.link.busy"); returns its id.
  int add(const std::string& path, int width_bits);
  // The signal's new value at the current simulation time.
  void set(int id, int64_t value);
  // Starts or stops recording at the current simulation time; a window starts with every
  // signal's current value.
  void enable(bool on);
  bool enabled() const { return enabled_; }
  // Writes the VCD (timescale 1 ps, scopes from the names) through a temporary file.
  void write(const std::string& path) const;
  size_t change_count() const { return changes_.size(); }

 private:
  struct Signal {
    std::string path;
    int width_bits = 1;
    int64_t value = 0;
  };
  struct Change {
    int64_t time_ps;
    int id;
    int64_t value;
  };
  std::vector<Signal> signals_;
  std::vector<Change> changes_;
  bool enabled_ = false;
};

template <class T>
class TracedValue {
 public:
  TracedValue() = default;
  explicit TracedValue(T v) : value_(v) {}
  void attach(Waveform* w, const std::string& path, int width_bits) {
    wave_ = w;
    id_ = w->add(path, width_bits);
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

}  // namespace h2sim

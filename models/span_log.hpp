#pragma once
// What the chip's components did, as spans on named tracks ("ch0 compute", "ch0 link", "npu"),
// for the run's timeline (--trace). Components add a span when it ends; with no log attached
// they pay one null check. Plain C++: times are integer picoseconds of simulated time.
#include <cstdint>
#include <string>
#include <vector>

namespace h2sim {

struct ActivitySpan {
  int track = 0;
  int64_t start_ps = 0, end_ps = 0;
  const char* what = "";  // static text: "scatter", "load", "npu_read", "compute", "gemm", ...
  int64_t bytes = 0;      // moved by the span (0 if none)
};

class SpanLog {
 public:
  // Registers a track by name; returns its id (the same id for the same name).
  int track(const std::string& name) {
    for (size_t i = 0; i < tracks_.size(); ++i) {
      if (tracks_[i] == name) return int(i);
    }
    tracks_.push_back(name);
    return int(tracks_.size()) - 1;
  }
  void add(int track, int64_t start_ps, int64_t end_ps, const char* what, int64_t bytes = 0) {
    if (enabled_) spans_.push_back(ActivitySpan{track, start_ps, end_ps, what, bytes});
  }
  void enable(bool on) { enabled_ = on; }
  const std::vector<std::string>& tracks() const { return tracks_; }
  const std::vector<ActivitySpan>& spans() const { return spans_; }
  void clear() { spans_.clear(); }

 private:
  std::vector<std::string> tracks_;
  std::vector<ActivitySpan> spans_;
  bool enabled_ = false;
};

}  // namespace h2sim

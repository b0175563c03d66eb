#pragma once
// The timeline of a whole `run` (--trace): the inference laid out on the simulated time axis, as
// Chrome / Perfetto trace events (open in ui.perfetto.dev or chrome://tracing).
//
// The runner simulates a MAG once and reuses its measurement (memo, layers, context grid); the
// reported latency adds those measurements up. The timeline places every measurement where the
// report counts it: prefill, every decode step, every layer, every MAG, with its operators and,
// in detailed passes, what each channel, link, the NPU and the DRAM refresh did (the spans
// recorded while the MAG was simulated). Each event says where its measurement came from
// (simulated, memoized, interpolated, layer repeat). Bounded: decode steps after the first
// `detail_steps` are aggregated (each MAG shown once, stretched over all layers, operators only).
#include <cstdint>
#include <string>
#include <vector>

#include "models/span_log.hpp"

namespace h2sim {

// One operator of a measured MAG, relative to the MAG's start.
struct TimelineOp {
  std::string name;
  int lane = 0;                // its MPG (operators of different MPGs run side by side)
  double start_ns = 0, dur_ns = 0;
  std::vector<int> channels;   // NMP channels it ran on (flows to their work)
  bool on_npu = false;         // ran (partly) on the NPU
};

// A measured MAG: its operators and the chip's spans, times relative to its start.
struct TimelineMag {
  std::string name;            // its operators, "q, k"
  double ns = 0;
  std::vector<TimelineOp> ops;
  std::vector<ActivitySpan> spans;  // ps from the MAG's start; tracks of the run's SpanLog
  double external_bytes = 0, hb_bytes = 0;
};

// The MAGs of one played layer, each with where its measurement came from ("simulated",
// "memoized", "interpolated"), and the layer's KV-cache append (ns).
struct TimelineLayer {
  std::vector<std::pair<const TimelineMag*, std::string>> mags;
  double kv_ns = 0;
};

class RunTimeline {
 public:
  // `tracks`: the SpanLog's track names (their ids index it); `detail_steps`: decode steps shown
  // layer by layer with the chip's spans (prefill always is).
  RunTimeline(std::vector<std::string> tracks, int64_t detail_steps);

  // One pass: `step` 0 is prefill, N decode step N. `played`: the layers the runner simulated
  // (one, counted `layers` times, or all of them with --exact).
  void pass(int64_t step, int64_t context_tokens, const std::vector<TimelineLayer>& played, int64_t layers);
  bool detailed(int64_t step) const { return step <= detail_steps_; }

  double end_ns() const { return cursor_ns_; }
  size_t event_count() const { return events_.size(); }
  // Writes the JSON (events in time order) through a temporary file.
  void write(const std::string& path) const;

 private:
  struct Event {
    std::string name, cat;
    char ph;
    int pid, tid;
    double ts_ns, dur_ns;
    std::string args;  // JSON object text, "" for none
    int64_t id = 0;    // flows
  };
  void push(Event e) { events_.push_back(std::move(e)); }
  // Places `m` at `at_ns`, its times multiplied by `stretch`; returns its length on the timeline.
  double place_mag(const TimelineMag& m, double at_ns, double stretch, const std::string& source, bool with_spans);
  // pid/tid of a SpanLog track ("ch3 compute" -> channel 3's compute thread, "npu" -> the NPU).
  std::pair<int, int> track_ids(int track) const;

  std::vector<std::string> tracks_;
  int64_t detail_steps_;
  std::vector<Event> events_;
  double cursor_ns_ = 0;
  int64_t next_flow_ = 1;
  int max_lane_ = 0;
  int max_channel_ = -1;
};

}  // namespace h2sim

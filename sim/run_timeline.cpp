#include "sim/run_timeline.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "config/atomic_file.hpp"
#include "config/errors.hpp"

namespace h2sim {

namespace {
constexpr int kInferencePid = 1, kNpuPid = 2, kChannelPid0 = 10;
constexpr int kPassTid = 1, kLayerTid = 2, kMagTid = 3, kOpTid0 = 10;
const char* const kChannelThreads[] = {"scatter", "compute", "load", "link", "refresh"};
}  // namespace

RunTimeline::RunTimeline(std::vector<std::string> tracks, int64_t detail_steps)
    : tracks_(std::move(tracks)), detail_steps_(detail_steps) {
  for (size_t t = 0; t < tracks_.size(); ++t) max_channel_ = std::max(max_channel_, track_ids(int(t)).first - kChannelPid0);
}

std::pair<int, int> RunTimeline::track_ids(int track) const {
  const std::string& name = tracks_.at(size_t(track));
  if (name == "npu") return {kNpuPid, 1};
  int channel = -1;
  char what[32] = {0};
  if (std::sscanf(name.c_str(), "ch%d %31s", &channel, what) == 2) {
    for (int k = 0; k < 5; ++k) {
      if (std::string(what) == kChannelThreads[k]) return {kChannelPid0 + channel, k + 1};
    }
  }
  throw InternalError("timeline: unknown span track '" + name + "'");
}

double RunTimeline::place_mag(const TimelineMag& m, double at, double stretch, const std::string& source,
                              bool with_spans) {
  const double len = m.ns * stretch;
  const std::string src = fmt::format("{{\"measurement\":\"{}\"{}}}", source,
                                      stretch != 1 ? fmt::format(",\"layers_stretched\":{}", stretch) : "");
  push({m.name, "mag", 'X', kInferencePid, kMagTid, at, len, src});
  if (m.ns > 0) {
    push({"bandwidth GB/s", "counter", 'C', kInferencePid, 0, at, 0,
          fmt::format("{{\"external\":{},\"hybrid_bonded\":{}}}", m.external_bytes / m.ns, m.hb_bytes / m.ns)});
  }
  std::vector<size_t> span_index;  // events of this MAG's spans (for flows)
  if (with_spans) {
    for (const ActivitySpan& s : m.spans) {
      const auto [pid, tid] = track_ids(s.track);
      span_index.push_back(events_.size());
      // A span of many refresh windows carries their count in `bytes` (see LlmDriver::record_timeline).
      const bool windows = std::string(s.what) != "refresh" && tid == 5;
      const std::string count = windows ? fmt::format("\"refresh_windows\":{}", s.bytes)
                                        : s.bytes > 0 ? fmt::format("\"bytes\":{}", s.bytes) : "";
      push({s.what, "chip", 'X', pid, tid, at + double(s.start_ps) * stretch * 1e-3,
            double(s.end_ps - s.start_ps) * stretch * 1e-3,
            fmt::format("{{{}{}\"measurement\":\"{}\"}}", count, count.empty() ? "" : ",", source)});
    }
  }
  for (const TimelineOp& op : m.ops) {
    max_lane_ = std::max(max_lane_, op.lane);
    const double t0 = at + op.start_ns * stretch, dur = op.dur_ns * stretch;
    push({op.name, "operator", 'X', kInferencePid, kOpTid0 + op.lane, t0, dur, src});
    if (!with_spans) continue;
    // Flows: from the operator to the first work it caused on each of its channels (and the NPU).
    std::vector<int> pids;
    for (int c : op.channels) pids.push_back(kChannelPid0 + c);
    if (op.on_npu) pids.push_back(kNpuPid);
    for (int pid : pids) {
      const Event* first = nullptr;
      for (size_t i : span_index) {
        const Event& e = events_[i];
        if (e.pid != pid || e.ts_ns < t0 || e.ts_ns >= t0 + dur) continue;
        if (pid != kNpuPid && e.tid != 1 && e.tid != 2) continue;  // scatter or compute
        if (first == nullptr || e.ts_ns < first->ts_ns) first = &e;
      }
      if (first == nullptr) continue;
      const Event target = *first;
      const int64_t id = next_flow_++;
      push({"work", "flow", 's', kInferencePid, kOpTid0 + op.lane, t0, 0, "", id});
      push({"work", "flow", 'f', target.pid, target.tid, target.ts_ns, 0, "", id});
    }
  }
  return len;
}

void RunTimeline::pass(int64_t step, int64_t context, const std::vector<TimelineLayer>& played, int64_t layers) {
  if (played.empty()) throw InternalError("timeline: a pass with no layers");
  const double start = cursor_ns_;
  const bool detail = detailed(step);
  if (detail) {
    for (int64_t l = 0; l < layers; ++l) {
      const bool repeat = int64_t(played.size()) != layers && l > 0;
      const TimelineLayer& layer = played[size_t(int64_t(played.size()) == layers ? l : 0)];
      const double layer_start = cursor_ns_;
      for (const auto& [m, source] : layer.mags) {
        cursor_ns_ += place_mag(*m, cursor_ns_, 1.0, repeat ? "layer repeat of " + source : source, true);
      }
      if (layer.kv_ns > 0) {
        push({"kv_cache append", "chip", 'X', kNpuPid, 2, cursor_ns_, layer.kv_ns, ""});
        cursor_ns_ += layer.kv_ns;
      }
      push({fmt::format("layer {}", l), "layer", 'X', kInferencePid, kLayerTid, layer_start, cursor_ns_ - layer_start,
            repeat ? "{\"measurement\":\"layer repeat\"}" : ""});
    }
  } else {
    // Aggregated: each MAG once, stretched over all the layers it stands for (operators only).
    const double weight = double(layers) / double(played.size());
    for (const TimelineLayer& layer : played) {
      for (const auto& [m, source] : layer.mags) cursor_ns_ += place_mag(*m, cursor_ns_, weight, source, false);
      if (layer.kv_ns > 0) {
        push({"kv_cache append", "chip", 'X', kNpuPid, 2, cursor_ns_, layer.kv_ns * weight, ""});
        cursor_ns_ += layer.kv_ns * weight;
      }
    }
  }
  const std::string name = step == 0 ? "prefill" : fmt::format("decode step {}", step);
  push({name, "pass", 'X', kInferencePid, kPassTid, start, cursor_ns_ - start,
        fmt::format("{{\"context_tokens\":{},\"layers\":{},\"detail\":\"{}\"}}", context, layers,
                    detail ? "per layer" : "aggregated: each MAG stretched over all layers")});
}

void RunTimeline::write(const std::string& path) const {
  // Metadata: names and order of the processes (inference, NPU, channels) and their threads.
  std::vector<Event> meta;
  auto name_process = [&](int pid, const std::string& name, int order) {
    meta.push_back({"process_name", "", 'M', pid, 0, 0, 0, fmt::format("{{\"name\":\"{}\"}}", name)});
    meta.push_back({"process_sort_index", "", 'M', pid, 0, 0, 0, fmt::format("{{\"sort_index\":{}}}", order)});
  };
  auto name_thread = [&](int pid, int tid, const std::string& name) {
    meta.push_back({"thread_name", "", 'M', pid, tid, 0, 0, fmt::format("{{\"name\":\"{}\"}}", name)});
    meta.push_back({"thread_sort_index", "", 'M', pid, tid, 0, 0, fmt::format("{{\"sort_index\":{}}}", tid)});
  };
  name_process(kInferencePid, "inference", 0);
  name_thread(kInferencePid, kPassTid, "passes (prefill, decode steps)");
  name_thread(kInferencePid, kLayerTid, "layers");
  name_thread(kInferencePid, kMagTid, "MAGs");
  for (int lane = 0; lane <= max_lane_; ++lane) name_thread(kInferencePid, kOpTid0 + lane, fmt::format("operators, MPG {}", lane));
  name_process(kNpuPid, "NPU", 1);
  name_thread(kNpuPid, 1, "compute");
  name_thread(kNpuPid, 2, "KV-cache appends");
  for (int c = 0; c <= max_channel_; ++c) {
    name_process(kChannelPid0 + c, fmt::format("channel {}", c), 2 + c);
    for (int k = 0; k < 5; ++k) name_thread(kChannelPid0 + c, k + 1, kChannelThreads[k]);
  }
  std::vector<const Event*> order;
  for (const Event& e : events_) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const Event* a, const Event* b) { return a->ts_ns < b->ts_ns; });

  std::string out = "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"time_axis\":\"simulated\",\"ts_unit\":\"us\"},\"traceEvents\":[\n";
  bool first = true;
  auto emit = [&](const Event& e) {
    if (!first) out += ",\n";
    first = false;
    out += fmt::format("{{\"name\":{},\"ph\":\"{}\",\"pid\":{},\"tid\":{},\"ts\":{}", nlohmann::json(e.name).dump(),
                       e.ph, e.pid, e.tid, e.ts_ns * 1e-3);
    if (!e.cat.empty()) out += fmt::format(",\"cat\":\"{}\"", e.cat);
    if (e.ph == 'X') out += fmt::format(",\"dur\":{}", e.dur_ns * 1e-3);
    if (e.ph == 's' || e.ph == 'f') out += fmt::format(",\"id\":{}", e.id);
    if (e.ph == 'f') out += ",\"bp\":\"e\"";
    if (!e.args.empty()) out += ",\"args\":" + e.args;
    out += "}";
  };
  for (const Event& e : meta) emit(e);
  for (const Event* e : order) emit(*e);
  // The counter falls to zero at the end of the run.
  emit({"bandwidth GB/s", "counter", 'C', kInferencePid, 0, cursor_ns_, 0, "{\"external\":0,\"hybrid_bonded\":0}"});
  out += "\n]}\n";
  write_file_atomically(path, out);
}

}  // namespace h2sim

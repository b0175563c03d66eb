#include "models/dram/dram_report.hpp"

namespace h2sim {

namespace {
double gbps(int64_t bytes, int64_t ps) { return ps > 0 ? double(bytes) * 1e3 / double(ps) : 0.0; }  // B/ps*1e3 = GB/s
}  // namespace

nlohmann::ordered_json dram_path_json(const DramPathStats& p, int64_t end_ps) {
  nlohmann::ordered_json j;
  j["bytes_read"] = p.bytes_read;
  j["bytes_written"] = p.bytes_written;
  j["achieved_bandwidth_gbps"] = gbps(p.bytes_read + p.bytes_written, end_ps);
  j["column_accesses"] = p.column_accesses;
  j["row_hits"] = p.row_hits;
  j["row_hit_rate"] = p.row_hit_rate();
  j["activates"] = p.activates;
  j["precharges"] = p.precharges;
  j["reads_timed"] = p.reads_timed;
  j["avg_read_latency_ns"] = p.avg_read_latency_ps() / 1e3;
  j["max_read_latency_ns"] = double(p.read_latency_max_ps) / 1e3;
  j["conflict_wait_ns"] = double(p.conflict_wait_ps) / 1e3;
  j["conflict_row_switches"] = p.conflict_row_switches;
  j["last_data_ns"] = double(p.last_data_ps) / 1e3;
  return j;
}

nlohmann::ordered_json dram_stats_json(const DramStats& s, int64_t tck_ps) {
  nlohmann::ordered_json j;
  j["simulated_ns"] = double(s.end_ps) / 1e3;
  j["simulated_dram_cycles"] = tck_ps > 0 ? s.end_ps / tck_ps : 0;
  const DramCommandCounts& c = s.commands;
  j["commands"] = {{"ACT", c.act}, {"PRE", c.pre}, {"PREab", c.pre_all}, {"RD", c.rd},       {"WR", c.wr},
                   {"REFab", c.ref_all}, {"REFpb", c.ref_bank}, {"REF", c.ref_all + c.ref_bank}, {"HB_RD", c.hb_rd}, {"HB_FILL", c.hb_fill}};
  j["external"] = dram_path_json(s.external, s.end_ps);
  j["hb"] = dram_path_json(s.hb, s.end_ps);
  j["mean_bank_utilization"] = s.mean_bank_utilization();
  nlohmann::ordered_json per_bank = nlohmann::ordered_json::array();
  for (size_t b = 0; b < s.bank_busy_ps.size(); ++b) per_bank.push_back(s.bank_utilization(int(b)));
  j["bank_utilization"] = per_bank;
  return j;
}

}  // namespace h2sim

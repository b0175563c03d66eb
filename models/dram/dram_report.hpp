#pragma once
// DRAM statistics as JSON (units in every key), shared by `h2sim dram` and the reports of runs
// at cycle fidelity. Integers stay integers so equal runs serialize byte for byte.
#include <nlohmann/json.hpp>

#include "models/dram/lpddr5_channel.hpp"

namespace h2sim {

nlohmann::ordered_json dram_path_json(const DramPathStats& p, int64_t end_ps);
// commands, per-path statistics, bank utilization; `tck_ps` converts time to DRAM cycles.
nlohmann::ordered_json dram_stats_json(const DramStats& s, int64_t tck_ps);

}  // namespace h2sim

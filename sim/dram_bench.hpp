#pragma once
// The DRAM micro-benchmark behind `h2sim dram`: one channel of a hardware design, driven by a
// sequential or random stream through the external x16 path or the hybrid-bonded bank ports.
// It drives the plain C++ engine directly (no SystemC), which is what makes it fast.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace h2sim {

struct DramBenchOptions {
  std::string hw_file;
  std::vector<std::string> hw_overrides;    // --set KEY=VALUE on the hardware config
  std::string dram_file;                    // "" = the hardware config's dram_standard
  std::vector<std::string> dram_overrides;  // --dram-set KEY=VALUE on the timing standard
  std::string path = "external";            // external | hb
  std::string pattern = "sequential";       // sequential | random | trace (then trace_file is read)
  std::string trace_file;                   // --trace: a request trace (models/dram/dram_trace.hpp)
  std::string trace_format = "auto";        // auto | loadstore | timed
  std::string address_mapping;              // "" = the standard's controller.address_mapping
  std::string kind = "read";                // read | write (external path only)
  int64_t bytes = 0;
  uint64_t seed = 1;
  std::string command_trace;  // "" = none; else the command trace CSV to write (docs/dram.md)
};

struct DramBenchResult {
  nlohmann::ordered_json json;  // achieved_bandwidth_gbps, peak_bandwidth_gbps, simulated_ns, ...
  std::string table;            // the same, readable
};

// Throws InputError naming the flag or config key for bad input.
DramBenchResult run_dram_bench(const DramBenchOptions& options);

}  // namespace h2sim

#pragma once
// What a run did, counted in the actions the energy model prices. Filled by the simulation
// (cycle/ideal) or derived from the workload (analytic); plain C++ so the energy model and its
// tests need no SystemC.
namespace h2sim {

struct ActivityCounts {
  // DRAM (all channels). Reads and writes count 32 B bursts on the external path; HB column
  // accesses are counted as bytes below.
  double dram_activates = 0;
  double dram_read_bursts = 0;
  double dram_write_bursts = 0;
  double dram_refreshes = 0;          // all-bank refresh commands
  double hb_bytes = 0;                // through the hybrid-bonded bank ports (NMP channels)
  double external_bytes = 0;          // over the channels' external x16 interfaces
  double pe_macs = 0;                 // FP16 MACs on the NMP dies
  double input_buffer_bytes = 0;      // written (scatter) + read by the PEs
  double weight_buffer_bytes = 0;     // written (from the bank) + read by the multiplier
  double output_buffer_bytes = 0;     // partial sums written + read out (load)
  double npu_macs = 0;
  double npu_adds = 0;                // reduction of K-split partial sums
  double kv_cache_bytes_written = 0;  // KV-cache appends of decode steps

  ActivityCounts& operator+=(const ActivityCounts& o);
  ActivityCounts scaled(double factor) const;
};

}  // namespace h2sim

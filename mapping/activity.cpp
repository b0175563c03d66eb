#include "mapping/activity.hpp"

namespace h2sim {

ActivityCounts& ActivityCounts::operator+=(const ActivityCounts& o) {
  dram_activates += o.dram_activates;
  dram_read_bursts += o.dram_read_bursts;
  dram_write_bursts += o.dram_write_bursts;
  dram_refreshes += o.dram_refreshes;
  hb_bytes += o.hb_bytes;
  external_bytes += o.external_bytes;
  pe_macs += o.pe_macs;
  input_buffer_bytes += o.input_buffer_bytes;
  weight_buffer_bytes += o.weight_buffer_bytes;
  output_buffer_bytes += o.output_buffer_bytes;
  npu_macs += o.npu_macs;
  npu_adds += o.npu_adds;
  kv_cache_bytes_written += o.kv_cache_bytes_written;
  return *this;
}

ActivityCounts ActivityCounts::scaled(double f) const {
  ActivityCounts c = *this;
  c.dram_activates *= f;
  c.dram_read_bursts *= f;
  c.dram_write_bursts *= f;
  c.dram_refreshes *= f;
  c.hb_bytes *= f;
  c.external_bytes *= f;
  c.pe_macs *= f;
  c.input_buffer_bytes *= f;
  c.weight_buffer_bytes *= f;
  c.output_buffer_bytes *= f;
  c.npu_macs *= f;
  c.npu_adds *= f;
  c.kv_cache_bytes_written *= f;
  return c;
}

}  // namespace h2sim

// libFuzzer target: energy configs (mapping/energy.cpp): load, then price a fixed set of
// activity counts on H2-LLM hardware with the loaded figures (any finite values the loader
// accepts must give a finite, non-negative breakdown: compute_energy throws InternalError
// otherwise, which this harness reports).
#include "fuzz/fuzz_input.hpp"
#include "mapping/energy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace h2sim;
  static const HardwareConfig hw = load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml");
  static const ActivityCounts counts = [] {
    ActivityCounts c;  // about a second of a large run: big counts, so products of bounds show
    c.dram_activates = 1e9;
    c.dram_read_bursts = 1e10;
    c.dram_write_bursts = 1e9;
    c.dram_refreshes = 1e6;
    c.hb_bytes = 1e12;
    c.external_bytes = 1e11;
    c.pe_macs = 1e13;
    c.input_buffer_bytes = 1e11;
    c.weight_buffer_bytes = 1e12;
    c.output_buffer_bytes = 1e11;
    c.npu_macs = 1e13;
    c.npu_adds = 1e10;
    c.kv_cache_bytes_written = 1e9;
    return c;
  }();
  const std::string path = fuzz::write_input("energy.yaml", data, size);
  fuzz::expect_only_input_errors([&] {
    const EnergyConfig cfg = load_energy_config(path);
    const EnergyBreakdown e = compute_energy(cfg, counts, 3600.0, hw);
    (void)energy_json(e).dump();
  });
  return 0;
}

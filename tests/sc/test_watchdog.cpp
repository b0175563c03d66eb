// The watchdog and the end-of-run invariants, exercised with DRAM models that misbehave on
// purpose: one loses a request (the caller waits forever: the event queue runs dry), one never
// finishes a request but keeps time moving (only the wall-time limit can stop it), one streams
// fewer bytes than it was asked for (the run ends, the invariants must catch it).
// Each test elaborates the chip, so ctest runs each in a process of its own. The faulty runs are
// death tests: they stop the way the CLI does (message on stderr, exit 1 or 3, see
// sim/watchdog.hpp), which is also the only way that stays clean under AddressSanitizer.
#include <gtest/gtest.h>
#include <systemc>

#include <memory>
#include <string>
#include <vector>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"
#include "mapping/dataflow_choice.hpp"
#include "mapping/model.hpp"
#include "models/dram_port.hpp"
#include "models/sc_time_util.hpp"
#include "sim/gemm_runner.hpp"
#include "sim/llm_runner.hpp"

using namespace h2sim;

namespace {

enum class Fault { none, lose_request, never_finish, short_delivery };

// A fixed-rate DRAM (25.6 GB/s per bank port, 12.8 GB/s external) that misbehaves on request
// number `fault_at` (counting hb_read and external_access calls together) when `faulty`.
class FaultyDram : public sc_core::sc_module, public DramChannelPort {
 public:
  FaultyDram(sc_core::sc_module_name name, Fault fault, int64_t fault_at, bool faulty)
      : sc_core::sc_module(name), fault_(faulty ? fault : Fault::none), fault_at_(fault_at) {}

  void hb_read(int /*bank*/, int64_t /*row*/, int64_t bytes, bool /*stream_continues*/) override { serve(bytes, 25.6e9, &stats_.hb_bytes); }
  void pim_stream(int64_t, int64_t, int64_t) override { throw InternalError("FaultyDram: no in-die PIM"); }
  void external_access(DramAccess, int64_t, int64_t bytes) override { serve(bytes, 12.8e9, &stats_.external_bytes); }
  DramPortStats port_stats() const override { return stats_; }

 private:
  void serve(int64_t bytes, double rate, int64_t* counter) {
    if (bytes <= 0) return;
    const bool faulty_call = calls_++ == fault_at_;
    ++stats_.in_flight;
    if (faulty_call && fault_ == Fault::lose_request) sc_core::wait(never_);  // nobody notifies it
    if (faulty_call && fault_ == Fault::never_finish) {
      for (;;) sc_core::wait(10, sc_core::SC_NS);  // busy forever: time advances, nothing completes
    }
    *counter += faulty_call && fault_ == Fault::short_delivery ? bytes / 2 : bytes;
    sc_core::wait(transfer_time(bytes, rate));
    --stats_.in_flight;
  }

  Fault fault_;
  int64_t fault_at_;
  int64_t calls_ = 0;
  sc_core::sc_event never_;
  DramPortStats stats_;
};

ChannelDramFactory faulty_factory(Fault fault, int faulty_channel, int64_t fault_at) {
  return [=](const char* name, int channel, bool) -> std::unique_ptr<DramChannelPort> {
    return std::make_unique<FaultyDram>(name, fault, fault_at, channel == faulty_channel);
  };
}

HardwareConfig h2llm() { return load_hardware_config(std::string(H2SIM_SOURCE_DIR) + "/configs/hardware/h2llm.yaml"); }

GemmRunOptions gemm_options(Fault fault, int channel, int64_t at) {
  GemmRunOptions o;
  o.fidelity = Fidelity::cycle;
  o.dram_factory = faulty_factory(fault, channel, at);
  return o;
}

// A regex (POSIX extended, as gtest uses on Linux) that finds `fragments` in this order, anywhere
// in the output (`.` matches newlines too).
std::string in_order(const std::vector<std::string>& fragments) {
  std::string re;
  for (const auto& f : fragments) {
    re += ".*";
    for (const char c : f) {
      if (std::string(".^$|()[]{}*+?\\").find(c) != std::string::npos) re += '\\';
      re += c;
    }
  }
  return re;
}

GemmRunOptions exiting(GemmRunOptions o) {
  o.exit_process_on_stop = true;  // what the CLI does; see sim/watchdog.hpp
  return o;
}

}  // namespace

// Control: the same GEMM on a well-behaved DRAM finishes, and every invariant holds.
TEST(Watchdog, HealthyDramFinishes) {
  const HardwareConfig hw = h2llm();
  const GemmRunResult r = run_gemm(hw, {1, 4, 4096, 4096}, gemm_options(Fault::none, 0, 0));
  EXPECT_GT(r.latency_ns, 0);
  EXPECT_DOUBLE_EQ(r.macs, 4.0 * 4096 * 4096);
}

// A PE's weight read on channel 2 is never answered: the simulation runs out of events. The
// watchdog must stop it with an internal error naming the DRAM port holding the request and the
// stages and PEs waiting behind it, instead of returning a wrong latency.
// (Death tests: the run ends the process as the CLI does, exit code and message checked.)
TEST(Watchdog, LostRequestIsReportedWithTheStuckComponents) {
  const HardwareConfig hw = h2llm();
  EXPECT_EXIT(run_gemm(hw, {1, 4, 4096, 4096}, exiting(gemm_options(Fault::lose_request, 2, 5))),
              testing::ExitedWithCode(kExitInternalError),
              in_order({"h2sim: internal error (please report): gemm simulation stalled at simulated time",
                         "chip.ch2: playing a plan", "chip.ch2.dram: 1 request(s) made and not yet answered",
                         "chip.ch2.pe"}));
}

// The NPU's read on channel 1 never completes but keeps simulated time moving: no starvation,
// so only --max-wall-s stops it, naming the link and the NPU queue that wait.
TEST(Watchdog, WallTimeLimitStopsARunThatNeverFinishes) {
  const HardwareConfig hw = h2llm();
  GemmRunOptions o = exiting(gemm_options(Fault::never_finish, 1, 3));
  o.target = GemmTarget::npu;
  o.max_wall_s = 0.5;
  EXPECT_EXIT(run_gemm(hw, {1, 16, 4096, 4096}, o), testing::ExitedWithCode(kExitLimitReached),
              in_order({"h2sim: stopped: --max-wall-s 0.5: the gemm simulation ran", "chip.ch1.link",
                        "chip.ch1.dram: 1 request(s)", "chip.npu: queue 0"}));
}

// The DRAM returns on time but streams only half of one request's bytes: the run finishes, and
// the end-of-run invariant "bytes requested = bytes delivered" must fail it loudly.
TEST(Invariants, ShortDeliveryFailsTheRun) {
  const HardwareConfig hw = h2llm();
  EXPECT_EXIT(run_gemm(hw, {1, 4, 4096, 4096}, exiting(gemm_options(Fault::short_delivery, 3, 7))),
              testing::ExitedWithCode(kExitInternalError),
              in_order({"gemm simulation: 1 end-of-run invariant(s) violated",
                        "chip.ch3: the PEs asked their banks for"}));
}

// The end-to-end runner too: a lost request in the middle of a decode names the MAG being played.
TEST(Watchdog, LostRequestInAnInferenceNamesTheMag) {
  const HardwareConfig hw = h2llm();
  const ModelConfig model = load_model_config(std::string(H2SIM_TEST_DATA_DIR) + "/e2e/tiny-llama.yaml");
  const Scenario scenario = load_scenario(std::string(H2SIM_TEST_DATA_DIR) + "/e2e/tiny-scenario.yaml");
  DataflowChoice c;
  c.name_or_file = "fc-nmp";
  c.progress = false;
  const Dataflow df = choose_dataflow(c, hw, model, scenario, 1);
  LlmRunOptions o;
  o.fidelity = Fidelity::cycle;
  o.dram_factory = faulty_factory(Fault::lose_request, 0, 40);
  o.exit_process_on_stop = true;
  EXPECT_EXIT(run_llm(hw, model, scenario, 1, df, o), testing::ExitedWithCode(kExitInternalError),
              in_order({"run simulation stalled", "driver: playing a", "chip.ch0.dram: 1 request(s)"}));
}

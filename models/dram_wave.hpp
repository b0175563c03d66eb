#pragma once
// The DRAM in the waveform: what the engine's commands did, per channel and per bank.
//
// Fed the engine's commands in time order (put a DramCommandSorter in front of it), it records
// under chip.chN.dram:
//  - bankB.open (bit) and bankB.row (decimal): the bank's row from its ACT (or ACTab) until the
//    PRE, PREab or refresh that closes it;
//  - activates, reads, precharges, refreshes (decimal): running counts, counted as the reports
//    count them (an ACTab opens every bank, a MACab reads a burst of every bank; PRE, PREab and
//    an auto-precharge are one precharge each, a refresh closing a bank for its REFpb is not;
//    REFab / REFpb one refresh each), so each ends at the channel's share of the report's
//    dram_commands;
//  - cmd_bus (bit): one CK high for every command the controller puts on the channel's command
//    bus (external and in-die PIM commands; the HB ports' column accesses and the logic die's
//    ACT/PRE are not on it);
//  - data_bus (bit): the external data bus carries a burst (RD: nCL after the command for nBL;
//    WR: nCWL after it for nBL).
// Times may lie after the current simulation time (the engine schedules ahead).
#include <cstdint>
#include <memory>
#include <vector>

#include "models/dram/dram_command_observer.hpp"
#include "models/dram/dram_standard.hpp"
#include "models/waveform.hpp"

namespace h2sim {

class DramWaveRecorder : public DramCommandObserver {
 public:
  DramWaveRecorder(Waveform& wave, int channels, int banks, const DramStandard& standard);
  void on_command(int channel, const DramCommandEvent& e) override;
  // Passes commands on only while open (h2sim run records one window of a long run; the engine's
  // observer stays attached so a command trace can share it). Horizons always pass.
  class Gate : public DramCommandObserver {
   public:
    explicit Gate(DramCommandObserver& sink) : sink_(sink) {}
    bool open = false;
    void on_command(int channel, const DramCommandEvent& e) override {
      if (open) sink_.on_command(channel, e);
    }
    void on_horizon(int channel, int64_t horizon_ps) override { sink_.on_horizon(channel, horizon_ps); }

   private:
    DramCommandObserver& sink_;
  };

 private:
  struct Channel {
    std::vector<int> open, row;
    int activates = 0, reads = 0, precharges = 0, refreshes = 0, cmd_bus = 0, data_bus = 0;
    int64_t data_until = -1;
    int64_t n_act = 0, n_rd = 0, n_pre = 0, n_ref = 0;
    int64_t bus_until = -1;
  };
  void close(Channel& c, int bank, int64_t t);
  Waveform& wave_;
  int banks_;
  int64_t tck_, cl_, cwl_, bl_;
  std::vector<Channel> ch_;
};

// The DRAM signals of a whole chip, as `gemm --vcd` and `run --vcd` record them: one recorder fed
// in time order (the engine reports commands in decision order), behind a gate when only a window
// of the run is recorded. observer() is what the channels report to.
class ChipDramWave {
 public:
  ChipDramWave(Waveform& wave, int channels, int banks, const DramStandard& standard, bool gated)
      : recorder_(wave, channels, banks, standard), sorter_(recorder_) {
    if (gated) gate_ = std::make_unique<DramWaveRecorder::Gate>(sorter_);
  }
  DramCommandObserver* observer() { return gate_ ? static_cast<DramCommandObserver*>(gate_.get()) : &sorter_; }
  DramWaveRecorder::Gate* gate() { return gate_.get(); }  // nullptr unless gated

 private:
  DramWaveRecorder recorder_;
  DramCommandSorter sorter_;
  std::unique_ptr<DramWaveRecorder::Gate> gate_;
};

}  // namespace h2sim

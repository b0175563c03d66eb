#pragma once
// Command trace files (`--command-trace FILE` of h2sim dram, gemm and run): every command the
// DRAM engine issues, one CSV line each, in time order per channel. Format (docs/dram.md):
//
//   time_ps,cycle,channel,path,command,bank_group,bank,row,column
//
// time_ps: issue time in ps; cycle: memory clock cycle floor(time_ps / tCK); channel: index in
// the design (0 for `h2sim dram`); path: external, hb or refresh; command: ACT PRE PREab RD WR
// RDA WRA REFab REFpb HB_RD; bank_group, bank (channel-wide index), row, column (first burst of
// the access within the row, in burst_bytes units): -1 where not applicable.
//
// Streamed: lines leave memory as soon as the engine's horizon allows (DramCommandSorter), so a
// trace of any length is written in bounded memory. Atomic: the file appears only at commit().
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/atomic_file.hpp"
#include "models/dram/dram_command_observer.hpp"

namespace h2sim {

inline constexpr const char* kDramCommandTraceHeader = "time_ps,cycle,channel,path,command,bank_group,bank,row,column";

// Appends one trace line (with '\n') for `e` of `channel` to `out`.
void append_command_trace_line(std::string& out, int channel, const DramCommandEvent& e);

class DramCommandTraceFile : public DramCommandObserver {
 public:
  // Opens the temporary file (InputError naming `path` if it cannot).
  explicit DramCommandTraceFile(const std::string& path);
  // Only commands with from_ps <= time_ps < to_ps are written (default: all).
  void set_window(int64_t from_ps, int64_t to_ps);
  // A window whose start is known only when it comes (h2sim run): hold_until_window() keeps the
  // lines since the latest PREab in memory (all banks are precharged there, so a trace starting
  // at it is self-contained; all-bank refresh only); begin_window() writes them and everything
  // after; end_window(to_ps) drops every command at or after to_ps.
  void hold_until_window();
  void begin_window();
  void end_window(int64_t to_ps) { sink_.to_ps = to_ps; }

  void on_command(int channel, const DramCommandEvent& e) override { sorter_.on_command(channel, e); }
  void on_horizon(int channel, int64_t horizon_ps) override { sorter_.on_horizon(channel, horizon_ps); }

  // Call after every observed channel's finish_commands(): writes what is left and renames the
  // file into place. Commands still buffered (a channel not finished) are an InternalError.
  void commit();
  int64_t commands_written() const { return sink_.lines; }
  int64_t bytes_written() const { return file_.bytes_written(); }
  size_t max_buffered_commands() const { return sink_.max_buffered; }

 private:
  struct Sink : DramCommandObserver {
    AtomicFileWriter* file = nullptr;
    const DramCommandSorter* sorter = nullptr;
    std::string buf;
    int64_t from_ps = INT64_MIN, to_ps = INT64_MAX;
    int64_t lines = 0;
    size_t max_buffered = 0;
    bool holding = false;
    int64_t hold_from = 0;
    std::vector<std::pair<int64_t, std::string>> held;
    void on_command(int channel, const DramCommandEvent& e) override;
    void on_horizon(int channel, int64_t horizon_ps) override;
    void flush();
  };
  AtomicFileWriter file_;
  Sink sink_;
  DramCommandSorter sorter_{sink_};
};

}  // namespace h2sim

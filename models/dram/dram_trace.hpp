#pragma once
// Memory request traces for `h2sim dram --trace`: streamed from a text file, one burst per line,
// in the two formats the reference simulators read (docs/dram.md, "Trace replay"):
//
//  - load/store (Ramulator 2's LoadStoreTrace, src/ramulator/frontend/impl/memory_trace/
//    loadstore_trace.cpp): `LD <addr>` or `ST <addr>`, address decimal or 0x hex. Every request
//    is available at time 0, so each enters the controller queue as soon as a slot frees.
//  - timed (DRAMSys' .stl, src/DRAMSys/initiators/player/StlPlayer.cpp, and the short form
//    `<cycle> R|W 0xADDR`): `<cycle>[:] [(<bytes>)] R|W|read|write <addr> [<data>]`; the request
//    is issued no earlier than that memory-clock (CK) cycle. DRAMSys' address is always hex
//    (with or without 0x); write data is accepted and ignored (no storage is modelled).
//
// Blank lines and lines starting with '#' are skipped in both. The file is read in fixed-size
// blocks, so a trace of any length runs in bounded memory. Every error is an InputError naming
// `file:line`.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "models/dram/lpddr5_channel.hpp"

namespace h2sim {

enum class TraceFormat { detect, load_store, timed };

// "auto" | "loadstore" | "timed"; throws InputError naming `flag` otherwise.
TraceFormat parse_trace_format(const std::string& name, const std::string& flag);
std::string to_string(TraceFormat f);

class TraceFileSource : public ExternalRequestSource {
 public:
  // `capacity_bytes`: addresses must be below it; `tck_ps`: one cycle of the timed format;
  // `burst_bytes`: the only request size a DRAMSys `(<bytes>)` field may give.
  TraceFileSource(const std::string& path, TraceFormat format, int64_t capacity_bytes, int64_t tck_ps,
                  int64_t burst_bytes);
  ~TraceFileSource() override;
  TraceFileSource(const TraceFileSource&) = delete;
  TraceFileSource& operator=(const TraceFileSource&) = delete;

  bool next(ExternalRequest& out) override;

  TraceFormat format() const { return format_; }  // detected from the first request if `detect`
  int64_t requests() const { return reads_ + writes_; }
  int64_t reads() const { return reads_; }
  int64_t writes() const { return writes_; }
  int64_t lines() const { return line_; }
  int64_t last_cycle() const { return last_cycle_; }  // timed format: the last request's cycle

 private:
  bool next_line(const char*& begin, const char*& end);  // false at end of file
  [[noreturn]] void fail(const std::string& what) const;
  bool parse_line(const char* p, const char* end, ExternalRequest& out);

  std::string path_;
  std::FILE* file_ = nullptr;
  TraceFormat format_;
  int64_t capacity_, tck_ps_, burst_bytes_;
  std::vector<char> buf_;
  size_t pos_ = 0, len_ = 0;
  bool eof_ = false;
  int64_t line_ = 0;
  int64_t reads_ = 0, writes_ = 0;
  int64_t last_cycle_ = 0;
};

}  // namespace h2sim

// ramulator2_replay: replays a Ramulator load/store trace (LD/ST ADDR, one request per line) through a
// Ramulator 2.1 memory system built from an exported YAML config with the External frontend.
// Part of h2sim's validation (scripts/reference/ramulator2.sh builds it against a Ramulator 2 build
// outside the project; it is not part of h2sim's build or CI). Uses only Ramulator's public C++ API
// (README section 7, the External frontend).
//
// Issue policy: at most one request per memory-controller cycle, offered before the cycle's
// tick, retried every cycle until the controller accepts it (Ramulator's own LoadStoreTrace
// frontend does the same at clock_ratio 1). The run ends when every request has completed: reads
// when their data has returned (depart = RD issue + read_latency), writes when the WR command
// issued (Ramulator calls the write callback then).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "ramulator/base/config.h"
#include "ramulator/base/factory.h"
#include "ramulator/base/request.h"
#include "ramulator/frontend/i_frontend.h"
#include "ramulator/memory_system/i_memory_system.h"

using namespace Ramulator;

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: ramulator2_replay CONFIG.yaml TRACE [STATS.yaml]\n");
    return 2;
  }
  auto config = Config::parse_config_file(argv[1]);
  IFrontEnd* fe = Factory::create_frontend(config);
  IMemorySystem* ms = Factory::create_memory_system(config);
  fe->connect_memory_system(ms);
  ms->connect_frontend(fe);
  const int tx = ms->get_tx_bytes();

  std::ifstream in(argv[2]);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", argv[2]);
    return 2;
  }
  int64_t sent = 0, done = 0, reads = 0, writes = 0;
  int64_t clk = 0, last_done_clk = 0, last_accept_clk = 0;
  int64_t read_lat_sum = 0;  // depart - arrive, in controller cycles
  auto cb = [&](Request& r) {
    ++done;
    last_done_clk = clk;
    if (r.type_id == Request::Type::Read) read_lat_sum += r.depart - r.arrive;
  };
  std::string op, addr_s;
  bool have = false, eof = false;
  int type = 0;
  long long addr = 0;
  int64_t line = 0;
  for (;;) {
    if (!have && !eof) {
      if (in >> op >> addr_s) {
        ++line;
        if (op == "LD") type = Request::Type::Read;
        else if (op == "ST") type = Request::Type::Write;
        else {
          std::fprintf(stderr, "%s:%lld: bad op '%s'\n", argv[2], (long long)line, op.c_str());
          return 2;
        }
        addr = std::stoll(addr_s, nullptr, 0);
        have = true;
      } else {
        eof = true;
      }
    }
    if (have) {
      if (fe->receive_external_requests(type, addr, 0, cb, tx)) {
        have = false;
        ++sent;
        last_accept_clk = clk;
        if (type == Request::Type::Read) ++reads; else ++writes;
      }
    }
    if (eof && !have && done == sent) break;
    ++clk;  // the controller's m_clk after this tick: arrive/depart and callbacks use it
    ms->tick();
  }
  fe->finalize();
  ms->finalize();
  std::printf("requests: %lld\nreads: %lld\nwrites: %lld\n", (long long)sent, (long long)reads, (long long)writes);
  std::printf("tx_bytes: %d\n", tx);
  std::printf("memory_cycles_to_last_completion: %lld\n", (long long)last_done_clk);
  std::printf("memory_cycles_to_last_accept: %lld\n", (long long)last_accept_clk);
  std::printf("avg_read_latency_cycles_driver: %.4f\n", reads ? double(read_lat_sum) / double(reads) : 0.0);
  if (argc == 4) {
    std::ofstream st(argv[3]);
    fe->update_stats_recursive();
    ms->update_stats_recursive();
    fe->print_stats(st);
    ms->print_stats(st);
  }
  return 0;
}

#include "models/dram/dram_command_observer.hpp"

namespace h2sim {

const char* dram_command_name(DramCommandKind k) {
  switch (k) {
    case DramCommandKind::act: return "ACT";
    case DramCommandKind::pre: return "PRE";
    case DramCommandKind::pre_all: return "PREab";
    case DramCommandKind::rd: return "RD";
    case DramCommandKind::wr: return "WR";
    case DramCommandKind::rda: return "RDA";
    case DramCommandKind::wra: return "WRA";
    case DramCommandKind::ref_all: return "REFab";
    case DramCommandKind::ref_bank: return "REFpb";
    case DramCommandKind::hb_rd: return "HB_RD";
    case DramCommandKind::act_all: return "ACTab";
    case DramCommandKind::mac_all: return "MACab";
    case DramCommandKind::hb_fill: return "HB_FILL";
  }
  return "?";
}

void DramCommandSorter::on_command(int channel, const DramCommandEvent& e) {
  if (size_t(channel) >= heaps_.size()) heaps_.resize(size_t(channel) + 1);
  heaps_[size_t(channel)].push({e, seq_++});
}

void DramCommandSorter::on_horizon(int channel, int64_t horizon_ps) {
  if (size_t(channel) >= heaps_.size()) heaps_.resize(size_t(channel) + 1);
  Heap& h = heaps_[size_t(channel)];
  while (!h.empty() && h.top().e.time_ps < horizon_ps) {
    sink_.on_command(channel, h.top().e);
    h.pop();
  }
  sink_.on_horizon(channel, horizon_ps);
}

size_t DramCommandSorter::buffered() const {
  size_t n = 0;
  for (const Heap& h : heaps_) n += h.size();
  return n;
}

}  // namespace h2sim

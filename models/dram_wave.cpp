#include "models/dram_wave.hpp"

#include <algorithm>
#include <string>

namespace h2sim {

DramWaveRecorder::DramWaveRecorder(Waveform& wave, int channels, int banks, const DramStandard& s)
    : wave_(wave),
      banks_(banks),
      tck_(s.tck_ps),
      cl_(s.ps(s.t.ncl)),
      cwl_(s.ps(s.t.ncwl)),
      bl_(s.ps(s.t.nbl)),
      ch_(size_t(channels)) {
  for (int c = 0; c < channels; ++c) {
    Channel& k = ch_[size_t(c)];
    const std::string p = "chip.ch" + std::to_string(c) + ".dram.";
    k.cmd_bus = wave.add(p + "cmd_bus", 1, WaveFormat::bit);
    k.data_bus = wave.add(p + "data_bus", 1, WaveFormat::bit);
    k.activates = wave.add(p + "activates", 32, WaveFormat::decimal);
    k.reads = wave.add(p + "reads", 32, WaveFormat::decimal);
    k.precharges = wave.add(p + "precharges", 32, WaveFormat::decimal);
    k.refreshes = wave.add(p + "refreshes", 32, WaveFormat::decimal);
    for (int b = 0; b < banks; ++b) {
      k.open.push_back(wave.add(p + "bank" + std::to_string(b) + ".open", 1, WaveFormat::bit));
      k.row.push_back(wave.add(p + "bank" + std::to_string(b) + ".row", 32, WaveFormat::decimal));
    }
  }
}

void DramWaveRecorder::close(Channel& c, int bank, int64_t t) { wave_.set_scheduled(c.open[size_t(bank)], t, 0); }

void DramWaveRecorder::on_command(int channel, const DramCommandEvent& e) {
  if (channel < 0 || size_t(channel) >= ch_.size()) return;
  Channel& c = ch_[size_t(channel)];
  const int64_t t = e.time_ps;
  auto open = [&](int b) {
    wave_.set_scheduled(c.open[size_t(b)], t, 1);
    wave_.set_scheduled(c.row[size_t(b)], t, e.row);
  };
  switch (e.command) {
    case DramCommandKind::act:
      open(e.bank);
      wave_.set_scheduled(c.activates, t, ++c.n_act);
      break;
    case DramCommandKind::act_all:
      for (int b = 0; b < banks_; ++b) open(b);
      wave_.set_scheduled(c.activates, t, c.n_act += banks_);
      break;
    case DramCommandKind::pre:
      close(c, e.bank, t);
      // The reports count the engine's precharges: a refresh closing a bank for its REFpb is
      // not one of them (the bank closes all the same).
      if (e.path != DramPath::refresh) wave_.set_scheduled(c.precharges, t, ++c.n_pre);
      break;
    case DramCommandKind::pre_all:
      for (int b = 0; b < banks_; ++b) close(c, b, t);
      wave_.set_scheduled(c.precharges, t, ++c.n_pre);
      break;
    case DramCommandKind::rd:
    case DramCommandKind::wr:
    case DramCommandKind::hb_rd:
      if (e.command != DramCommandKind::wr) wave_.set_scheduled(c.reads, t, ++c.n_rd);
      break;
    case DramCommandKind::rda:
    case DramCommandKind::wra:
      // Auto-precharge: a precharge the reports count; the bank closes by itself once nRAS and
      // nRTP / write recovery allow (the engine does not report when), so the waveform shows it
      // open until then only approximately: closed from the command on.
      if (e.command == DramCommandKind::rda) wave_.set_scheduled(c.reads, t, ++c.n_rd);
      close(c, e.bank, t);
      wave_.set_scheduled(c.precharges, t, ++c.n_pre);
      break;
    case DramCommandKind::mac_all:
      wave_.set_scheduled(c.reads, t, c.n_rd += banks_);
      break;
    case DramCommandKind::hb_fill:
      // prefetch_buffer: the row moves into the bank's latch; the port's HB_RDs count as reads.
      break;
    case DramCommandKind::ref_all:
    case DramCommandKind::ref_bank:
      wave_.set_scheduled(c.refreshes, t, ++c.n_ref);
      break;
  }
  // External data: the engine never overlaps bursts on the bus (the checker's data_bus rule), so
  // the marks come in time order; an overlap would only extend the burst already marked.
  const bool rd = e.command == DramCommandKind::rd || e.command == DramCommandKind::rda;
  const bool wr = e.command == DramCommandKind::wr || e.command == DramCommandKind::wra;
  if (e.path == DramPath::external && (rd || wr)) {
    const int64_t from = t + (rd ? cl_ : cwl_), to = from + bl_;
    if (from >= c.data_until) wave_.set_scheduled(c.data_bus, from, 1);
    c.data_until = std::max(c.data_until, to);
    wave_.set_scheduled(c.data_bus, c.data_until, 0);
  }
  // On the command bus: the controller's commands (external path, in-die PIM, refresh).
  if (e.path != DramPath::hb) {
    wave_.set_scheduled(c.cmd_bus, t, 1);
    wave_.set_scheduled(c.cmd_bus, t + tck_, 0);
  }
}

}  // namespace h2sim

// Role: activity accounting of an inference (see sim/llm_activity.hpp).
#include "sim/llm_activity.hpp"

#include "mapping/tiling.hpp"
#include "models/lpddr5_dram.hpp"

namespace h2sim {

ActivityCounts chip_activity(Chip& chip, const HardwareConfig& hw) {
  ActivityCounts a;
  for (int c = 0; c < chip.channel_count(); ++c) {
    Channel& ch = chip.channel(c);
    const ExternalLink& link = ch.link();
    for (int k = 0; k < kLinkTrafficKinds; ++k) a.external_bytes += double(link.bytes(LinkTraffic(k)));
    a.input_buffer_bytes += 2.0 * double(link.bytes(LinkTraffic::scatter));   // written, then read by the PEs
    a.output_buffer_bytes += 2.0 * double(link.bytes(LinkTraffic::load));     // partial sums written, read out
    a.kv_cache_bytes_written += double(link.bytes(LinkTraffic::npu_write));
    a.hb_bytes += double(ch.dram().port_stats().hb_bytes);
    for (const auto& pe : ch.pes()) a.pe_macs += pe->stats().macs;
    if (auto* lp = dynamic_cast<const Lpddr5Dram*>(&ch.dram())) {
      const DramStats st = lp->dram_stats();
      a.dram_activates += double(st.commands.bank_activations(hw.banks_per_channel));
      a.dram_read_bursts += double(st.commands.rd);
      a.dram_write_bursts += double(st.commands.wr);
      a.dram_refreshes += double(st.commands.ref_all + st.commands.ref_bank);
    } else {
      a.dram_read_bursts += double(link.bytes(LinkTraffic::npu_read)) / double(hw.burst_bytes);
      a.dram_write_bursts += double(link.bytes(LinkTraffic::npu_write)) / double(hw.burst_bytes);
    }
  }
  // Filled from the bank, drained by the multiplier. In-die PEs have no weight buffer: each burst
  // goes from the bank to the MAC with the operand in registers (nmp_kind in_die).
  a.weight_buffer_bytes = hw.nmp_kind == NmpKind::in_die ? 0.0 : 2.0 * a.hb_bytes;
  a.npu_macs = chip.npu().stats().macs;
  a.npu_adds = chip.npu().stats().reduce_adds;
  return a;
}

ActivityCounts activity_difference(const ActivityCounts& after, const ActivityCounts& before) {
  ActivityCounts d = after;
  d += before.scaled(-1);
  return d;
}

ActivityCounts workload_activity(const HardwareConfig& hw, const ModelConfig& model, const Scenario& sc, int64_t batch,
                                 const Dataflow& df, bool compat, int64_t row_bytes) {
  ActivityCounts a;
  const double e = double(hw.element_bytes);
  auto npu_part = [&](const GemmShape& s) {
    const double bytes = double(s.batch) * double(s.k) * double(s.n) * e;
    a.npu_macs += s.macs();
    a.external_bytes += bytes;
    a.dram_read_bursts += bytes / double(hw.burst_bytes);
    a.dram_activates += bytes / double(row_bytes);  // each row opened once
  };
  auto nmp_part = [&](const GemmShape& s, int64_t channels) {
    const auto t = tile_across_channels(s, channels, 1, 1);
    const double weights = double(s.batch) * double(s.k) * double(s.n) * e;
    a.pe_macs += s.macs();
    a.hb_bytes += weights;
    if (hw.nmp_kind != NmpKind::in_die) a.weight_buffer_bytes += 2 * weights;  // in-die: no weight buffer
    a.dram_activates += weights / double(row_bytes);
    const double in = double(s.batch) * double(s.m) * double(s.k) * e * double(t.t_n);
    const double out = double(s.batch) * double(s.m) * double(s.n) * e * double(t.t_k);
    a.external_bytes += in + out;
    a.input_buffer_bytes += 2 * in;
    a.output_buffer_bytes += 2 * out;
    a.npu_adds += double(s.batch) * double(t.t_k - 1) * double(s.m) * double(s.n);
  };
  auto pass = [&](const PassShape& p, double weight) {
    ActivityCounts before = a;
    a = ActivityCounts{};
    for (const auto& op : lower_dataflow(df, model, hw, p, compat)) {
      if (p.pass == Pass::prefill || op.exec == ExecKind::npu) {
        npu_part(p.pass == Pass::decode && op.npu_part.batch > 0 ? op.npu_part : op.shape);
      } else {
        if (op.nmp_part.batch > 0) nmp_part(op.nmp_part, int64_t(op.nmp_channels.size()));
        if (op.npu_part.batch > 0) npu_part(op.npu_part);
      }
    }
    before += a.scaled(weight);
    a = before;
  };
  const double layers = double(model.layers);
  pass({Pass::prefill, batch, sc.prompt_tokens, sc.prompt_tokens}, layers);
  for (int64_t i = 1; i <= sc.decode_tokens; ++i) {
    pass({Pass::decode, batch, 1, decode_context_tokens(sc, i, compat)}, layers);
  }
  return a;
}

}  // namespace h2sim

#include "models/dram/dram_standard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "config/errors.hpp"
#include "config/yaml_reader.hpp"

namespace h2sim {

std::string to_string(PagePolicy p) { return p == PagePolicy::open ? "open" : "closed"; }
std::string to_string(RefreshMode m) { return m == RefreshMode::all_bank ? "all_bank" : "per_bank"; }
std::string to_string(HbRowSwitch m) {
  switch (m) {
    case HbRowSwitch::exposed: return "exposed";
    case HbRowSwitch::salp: return "salp";
    case HbRowSwitch::ping_pong: return "ping_pong";
    case HbRowSwitch::prefetch_buffer: return "prefetch_buffer";
  }
  return "?";
}

std::string to_string(AddressField f) {
  switch (f) {
    case AddressField::bank_group: return "bank_group";
    case AddressField::bank: return "bank";
    case AddressField::column: return "column";
    case AddressField::row: return "row";
  }
  return "?";
}

std::vector<AddressField> parse_address_mapping(const std::string& text, const std::string& flag) {
  const std::string valid =
      "valid: RoBaRaCoCh (Ramulator 2's: column, bank_group, bank, row from the low bits) or the four fields "
      "bank_group, bank, column, row in any order, lowest bits first, separated by commas";
  // Ramulator 2's RoBaRaCoCh (src/ramulator/controller/addr_mapper/impl/ro_ba_ra_co_ch.cpp):
  // column in the low bits, then the levels rank, bank group, bank, row in hierarchy order
  // (one rank here), above the transaction (burst) offset.
  if (text == "RoBaRaCoCh") return {AddressField::column, AddressField::bank_group, AddressField::bank, AddressField::row};
  std::vector<AddressField> out;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    std::string name = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    AddressField f;
    if (name == "bank_group") {
      f = AddressField::bank_group;
    } else if (name == "bank") {
      f = AddressField::bank;
    } else if (name == "column") {
      f = AddressField::column;
    } else if (name == "row") {
      f = AddressField::row;
    } else {
      throw InputError(fmt::format("{}: unknown address mapping or field '{}' ({})", flag, name, valid));
    }
    if (std::find(out.begin(), out.end(), f) != out.end()) {
      throw InputError(fmt::format("{}: field '{}' appears twice ({})", flag, name, valid));
    }
    out.push_back(f);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.size() != 4) throw InputError(fmt::format("{}: '{}' does not list all four fields ({})", flag, text, valid));
  return out;
}

std::string address_mapping_string(const std::vector<AddressField>& fields) {
  std::string s;
  for (AddressField f : fields) s += (s.empty() ? "" : ",") + to_string(f);
  return s;
}

namespace {

// No DRAM constraint comes near a billion clock cycles (tREFI is a few thousand); the bounds keep
// sums of timings far from overflow and catch values given in the wrong unit.
constexpr int64_t kMaxTimingCk = 1000000000;

// A positive whole number no larger than `hi` (the message for values <= 0 stays the usual one).
int64_t bounded(YamlMap& m, const std::string& key, int64_t hi) {
  const int64_t v = m.positive_integer(key);
  if (v > hi) m.fail(key, fmt::format("must be at most {}, found {} (check the unit)", hi, v));
  return v;
}

// ns -> CK cycles. `round_up`: a minimum time must never be shortened by rounding.
int64_t ns_to_ck(YamlMap& m, const std::string& key, double ns, int64_t tck_ps, bool round_up) {
  if (!(ns > 0)) m.fail(key, fmt::format("must be greater than 0, found {}", ns));
  double ck = ns * 1000.0 / double(tck_ps);
  // Converting an out-of-range double to an integer is undefined: refuse it first.
  if (ck > double(kMaxTimingCk)) {
    m.fail(key, fmt::format("{} ns is {:.3g} CK, more than the {} CK any DRAM timing can be (check the unit)", ns, ck,
                            kMaxTimingCk));
  }
  // Tolerate float noise (3906 ns / 1.25 ns = 3124.8 is not noise; 280 / 1.25 = 224 is exact).
  double rounded = round_up ? std::ceil(ck - 1e-9) : std::round(ck);
  return static_cast<int64_t>(rounded);
}

}  // namespace

DramStandard load_dram_standard(const std::string& path, const std::vector<std::string>& overrides) {
  YAML::Node root = load_yaml_file(path);
  apply_overrides(root, overrides, "--dram-set");
  YamlMap top(root, path, "",
               {"name", "tck_ns", "wck_to_ck_ratio", "data_rate_mtps", "interface_width_bits", "burst_length",
                "burst_bytes", "organisation", "timing", "refresh", "hb_port", "controller"});

  DramStandard s;
  s.source_file = path;
  s.name = top.name("name");
  double tck_ns = top.positive_number("tck_ns");
  if (tck_ns > 1000) top.fail("tck_ns", fmt::format("must be at most 1000 ns, found {} (check the unit)", tck_ns));
  s.tck_ps = static_cast<int64_t>(std::llround(tck_ns * 1000.0));
  if (std::fabs(tck_ns * 1000.0 - double(s.tck_ps)) > 1e-6) {
    top.fail("tck_ns", fmt::format("{} ns is not a whole number of picoseconds", tck_ns));
  }
  s.wck_to_ck_ratio = bounded(top, "wck_to_ck_ratio", 16);
  s.data_rate_mtps = bounded(top, "data_rate_mtps", 100000);
  s.interface_width_bits = bounded(top, "interface_width_bits", 1024);
  s.burst_length = bounded(top, "burst_length", 1024);
  s.burst_bytes = bounded(top, "burst_bytes", 4096);
  if (s.burst_bytes * 8 != s.burst_length * s.interface_width_bits) {
    top.fail("burst_bytes", fmt::format("{} B does not match burst_length {} x interface_width_bits {} / 8 = {} B",
                                        s.burst_bytes, s.burst_length, s.interface_width_bits,
                                        s.burst_length * s.interface_width_bits / 8.0));
  }
  // Data rate vs clock: 2 beats per WCK cycle, WCK = ratio x CK.
  double expect_mtps = 2.0 * double(s.wck_to_ck_ratio) * 1e6 / double(s.tck_ps);
  // Within 0.1%: a tCK in whole picoseconds cannot always give the nominal rate exactly
  // (LPDDR5X-8533: tCK 0.938 ns -> 8528.8 MT/s).
  if (std::fabs(expect_mtps - double(s.data_rate_mtps)) > std::max(0.5, 1e-3 * double(s.data_rate_mtps))) {
    top.fail("data_rate_mtps", fmt::format("{} MT/s does not match 2 x wck_to_ck_ratio {} / tck_ns {} = {} MT/s",
                                           s.data_rate_mtps, s.wck_to_ck_ratio, tck_ns, expect_mtps));
  }

  YamlMap org = top.map("organisation", {"bank_groups", "banks_per_group", "row_bytes"});
  s.bank_groups = bounded(org, "bank_groups", 64);
  s.banks_per_group = bounded(org, "banks_per_group", 64);
  s.row_bytes = bounded(org, "row_bytes", int64_t(1) << 20);
  if (s.row_bytes % s.burst_bytes != 0) {
    org.fail("row_bytes", fmt::format("{} B is not a multiple of the {} B burst ('burst_bytes')",
                                      s.row_bytes, s.burst_bytes));
  }
  if (s.banks() > 64) org.fail("banks_per_group", fmt::format("at most 64 banks are supported, found {}", s.banks()));
  org.reject_unknown_keys();

  YamlMap tm = top.map("timing", {"nbl_ck", "ncl_ck", "ncwl_ck", "nrcd_ck", "nrpab_ck", "nrppb_ck", "nras_ck", "nrc_ck",
                                  "nrtp_ck", "nwr_ck", "nccd_s_ck", "nccd_l_ck", "nrrd_ck", "nrrd_s_ck", "nrrd_l_ck",
                                  "nfaw_ck", "activates_per_faw", "nwtr_s_ck", "nwtr_l_ck", "nppd_ck", "nrtw_ck"});
  DramTimingCk& t = s.t;
  t.nbl = bounded(tm, "nbl_ck", kMaxTimingCk);
  t.ncl = bounded(tm, "ncl_ck", kMaxTimingCk);
  t.ncwl = bounded(tm, "ncwl_ck", kMaxTimingCk);
  t.nrcd = bounded(tm, "nrcd_ck", kMaxTimingCk);
  t.nrpab = bounded(tm, "nrpab_ck", kMaxTimingCk);
  t.nrppb = bounded(tm, "nrppb_ck", kMaxTimingCk);
  t.nras = bounded(tm, "nras_ck", kMaxTimingCk);
  t.nrc = bounded(tm, "nrc_ck", kMaxTimingCk);
  t.nrtp = bounded(tm, "nrtp_ck", kMaxTimingCk);
  t.nwr = bounded(tm, "nwr_ck", kMaxTimingCk);
  t.nccd_s = bounded(tm, "nccd_s_ck", kMaxTimingCk);
  t.nccd_l = bounded(tm, "nccd_l_ck", kMaxTimingCk);
  // nRRD: one value (`nrrd_ck`, LPDDR5) or separate nRRD_S / nRRD_L (DDR4, HBM3), not both.
  if (tm.has("nrrd_ck")) {
    if (tm.has("nrrd_s_ck") || tm.has("nrrd_l_ck")) {
      tm.fail(tm.has("nrrd_s_ck") ? "nrrd_s_ck" : "nrrd_l_ck",
              "give either nrrd_ck (one ACT-to-ACT spacing) or both nrrd_s_ck and nrrd_l_ck, not both forms");
    }
    t.nrrd = t.nrrd_l = bounded(tm, "nrrd_ck", kMaxTimingCk);
  } else if (tm.has("nrrd_s_ck") || tm.has("nrrd_l_ck")) {
    t.nrrd = bounded(tm, "nrrd_s_ck", kMaxTimingCk);
    t.nrrd_l = bounded(tm, "nrrd_l_ck", kMaxTimingCk);
    if (t.nrrd_l < t.nrrd) tm.fail("nrrd_l_ck", fmt::format("{} is below nrrd_s_ck {}", t.nrrd_l, t.nrrd));
  } else {
    t.nrrd = t.nrrd_l = bounded(tm, "nrrd_ck", kMaxTimingCk);  // the usual "required key" message
  }
  if (tm.has("nrtw_ck")) t.nrtw = bounded(tm, "nrtw_ck", kMaxTimingCk);
  t.nfaw = bounded(tm, "nfaw_ck", kMaxTimingCk);
  t.activates_per_faw = bounded(tm, "activates_per_faw", 64);
  t.nwtr_s = bounded(tm, "nwtr_s_ck", kMaxTimingCk);
  t.nwtr_l = bounded(tm, "nwtr_l_ck", kMaxTimingCk);
  t.nppd = bounded(tm, "nppd_ck", kMaxTimingCk);
  int64_t beats_per_ck = 2 * s.wck_to_ck_ratio;
  if (t.nbl * beats_per_ck != s.burst_length) {
    tm.fail("nbl_ck", fmt::format("{} CK does not carry burst_length {} at {} beats per CK (2 x wck_to_ck_ratio)",
                                  t.nbl, s.burst_length, beats_per_ck));
  }
  if (t.nrc < t.nras + t.nrppb) {
    tm.fail("nrc_ck", fmt::format("{} is below nras_ck + nrppb_ck = {} + {} = {}: no ACT-PRE-ACT sequence "
                                  "can meet it (a known error in one public LPDDR5 preset)",
                                  t.nrc, t.nras, t.nrppb, t.nras + t.nrppb));
  }
  if (t.nras < t.nrcd) {
    tm.fail("nras_ck", fmt::format("{} is below nrcd_ck {}: a row must stay open until it can be read", t.nras, t.nrcd));
  }
  if (t.nccd_l < t.nccd_s) {
    tm.fail("nccd_l_ck", fmt::format("{} is below nccd_s_ck {}", t.nccd_l, t.nccd_s));
  }
  if (t.nccd_s < t.nbl) {
    tm.fail("nccd_s_ck", fmt::format("{} is below nbl_ck {}: bursts would overlap on the data bus", t.nccd_s, t.nbl));
  }
  if (t.nwtr_l < t.nwtr_s) {
    tm.fail("nwtr_l_ck", fmt::format("{} is below nwtr_s_ck {}", t.nwtr_l, t.nwtr_s));
  }
  if (t.nfaw < t.nrrd_l) tm.fail("nfaw_ck", fmt::format("{} is below nrrd_ck {}", t.nfaw, t.nrrd_l));
  tm.reject_unknown_keys();

  const std::vector<int64_t> densities{2, 4, 8, 16};
  std::vector<std::string> refresh_keys{"mode", "trefi_ns", "die_density_gbit"};
  for (int64_t d : densities) {
    for (const char* kind : {"ab", "pb"}) refresh_keys.push_back(fmt::format("trfc{}_{}gbit_ns", kind, d));
  }
  YamlMap rf = top.map("refresh", refresh_keys);
  std::string mode = rf.string("mode");
  if (mode == "all_bank") {
    s.refresh.mode = RefreshMode::all_bank;
  } else if (mode == "per_bank") {
    s.refresh.mode = RefreshMode::per_bank;
  } else {
    rf.fail("mode", fmt::format("unknown refresh mode '{}' (valid: all_bank, per_bank)", mode));
  }
  s.refresh.nrefi_ck = ns_to_ck(rf, "trefi_ns", rf.positive_number("trefi_ns"), s.tck_ps, false);
  s.refresh.die_density_gbit = bounded(rf, "die_density_gbit", 1024);
  // Per-bank refresh times are optional for standards without per-bank refresh (DDR4), in which
  // case per_bank mode is refused; given at all, all four densities are required.
  bool any_pb = false;
  for (int64_t d : densities) any_pb = any_pb || rf.has(fmt::format("trfcpb_{}gbit_ns", d));
  if (!any_pb && s.refresh.mode == RefreshMode::per_bank) {
    rf.fail("mode", "per_bank refresh needs the trfcpb_<density>gbit_ns keys (this standard gives none)");
  }
  for (int64_t d : densities) {
    for (const char* kind : {"ab", "pb"}) {
      if (kind[0] == 'p' && !any_pb) continue;
      std::string key = fmt::format("trfc{}_{}gbit_ns", kind, d);
      int64_t ck = ns_to_ck(rf, key, rf.positive_number(key), s.tck_ps, true);
      if (d == s.refresh.die_density_gbit) (kind[0] == 'a' ? s.refresh.nrfcab_ck : s.refresh.nrfcpb_ck) = ck;
    }
  }
  if (std::find(densities.begin(), densities.end(), s.refresh.die_density_gbit) == densities.end()) {
    rf.fail("die_density_gbit", fmt::format("{} has no tRFC entries (valid: 2, 4, 8, 16)", s.refresh.die_density_gbit));
  }
  if (s.refresh.nrfcpb_ck > s.refresh.nrfcab_ck) {
    rf.fail(fmt::format("trfcpb_{}gbit_ns", s.refresh.die_density_gbit),
            "per-bank refresh cannot take longer than all-bank refresh");
  }
  // The engine keeps refresh on a fixed calendar; each window plus the longest command lead
  // (a write's data and recovery) must fit in one interval.
  int64_t longest_lead = std::max({t.nras, t.ncwl + t.nbl + t.nwr, t.nrtp});
  if (t.nrpab + s.refresh.nrfcab_ck + longest_lead >= s.refresh.nrefi_ck) {
    rf.fail("trefi_ns", fmt::format("{} CK leaves no time between refreshes (nrpab + tRFCab + {} CK of command lead)",
                                    s.refresh.nrefi_ck, longest_lead));
  }
  if (s.refresh.mode == RefreshMode::per_bank &&
      t.nrppb + s.refresh.nrfcpb_ck + longest_lead >= s.refresh.nrefi_ck / s.banks() * s.banks()) {
    rf.fail("trefi_ns", "per-bank refresh windows leave no time for commands");
  }
  // Every other constraint must fit between two refreshes as well: a row cycle (or a four-
  // activate window, ...) longer than that can never be met on the calendar. Found: nrc_ck 100000
  // (tREFI 3125 CK) made a 1 MiB random-write benchmark run out of memory, 1e9 crashed it.
  const int64_t between_refreshes = s.refresh.nrefi_ck - t.nrpab - s.refresh.nrfcab_ck;
  const std::vector<std::pair<const char*, int64_t>> timings = {
      {"nbl_ck", t.nbl},     {"ncl_ck", t.ncl},       {"ncwl_ck", t.ncwl},     {"nrcd_ck", t.nrcd},
      {"nrpab_ck", t.nrpab}, {"nrppb_ck", t.nrppb},   {"nras_ck", t.nras},     {"nrc_ck", t.nrc},
      {"nrtp_ck", t.nrtp},   {"nwr_ck", t.nwr},       {"nccd_s_ck", t.nccd_s}, {"nccd_l_ck", t.nccd_l},
      {"nrrd_ck", t.nrrd},   {"nfaw_ck", t.nfaw},     {"nwtr_s_ck", t.nwtr_s}, {"nwtr_l_ck", t.nwtr_l},
      {"nppd_ck", t.nppd},   {"nrrd_l_ck", t.nrrd_l}, {"nrtw_ck", t.nrtw}};
  for (const auto& [key, ck] : timings) {
    if (ck >= between_refreshes) {
      tm.fail(key, fmt::format("{} CK does not fit between two refreshes (refresh.trefi_ns {} CK - nrpab_ck - tRFCab = {} "
                               "CK); no DRAM timing is that long (check the unit)",
                               ck, s.refresh.nrefi_ck, between_refreshes));
    }
  }
  rf.reject_unknown_keys();

  YamlMap hb = top.map("hb_port", {"column_access_bytes", "read_latency_ck", "row_switch", "subarrays_per_bank"});
  if (hb.has("row_switch_overlap")) {
    hb.fail("row_switch_overlap", "was replaced by 'row_switch', a named mechanism (exposed, salp, ping_pong, "
                                  "prefetch_buffer; docs/dram.md): 0 is 'exposed'");
  }
  s.hb.column_access_bytes = bounded(hb, "column_access_bytes", 4096);
  if (s.row_bytes % s.hb.column_access_bytes != 0) {
    hb.fail("column_access_bytes", fmt::format("{} B does not divide the {} B row ('organisation.row_bytes')",
                                               s.hb.column_access_bytes, s.row_bytes));
  }
  s.hb.read_latency_ck = bounded(hb, "read_latency_ck", kMaxTimingCk);
  if (s.hb.read_latency_ck >= s.refresh.nrefi_ck) {
    hb.fail("read_latency_ck", fmt::format("{} CK is longer than the refresh interval ({} CK); check the unit",
                                           s.hb.read_latency_ck, s.refresh.nrefi_ck));
  }
  const std::string mech = hb.string("row_switch");
  if (mech == "exposed") {
    s.hb.row_switch = HbRowSwitch::exposed;
  } else if (mech == "salp") {
    s.hb.row_switch = HbRowSwitch::salp;
  } else if (mech == "ping_pong") {
    s.hb.row_switch = HbRowSwitch::ping_pong;
  } else if (mech == "prefetch_buffer") {
    s.hb.row_switch = HbRowSwitch::prefetch_buffer;
  } else {
    hb.fail("row_switch", fmt::format("unknown row-switch mechanism '{}' (valid: exposed, salp, ping_pong, "
                                      "prefetch_buffer)", mech));
  }
  // The bank's subarrays (used by salp: a stream's consecutive rows rotate over them).
  s.hb.subarrays_per_bank = hb.integer_in_range("subarrays_per_bank", 1, 1024);
  if (s.hb.row_switch == HbRowSwitch::salp && s.hb.subarrays_per_bank < 2) {
    hb.fail("subarrays_per_bank", "row_switch salp needs at least 2 subarrays per bank");
  }
  hb.reject_unknown_keys();

  YamlMap ctl = top.map("controller", {"queue_depth", "page_policy", "address_mapping"});
  s.controller.queue_depth = bounded(ctl, "queue_depth", 4096);
  std::string policy = ctl.string("page_policy");
  if (policy == "open") {
    s.controller.page_policy = PagePolicy::open;
  } else if (policy == "closed") {
    s.controller.page_policy = PagePolicy::closed;
  } else {
    ctl.fail("page_policy", fmt::format("unknown page policy '{}' (valid: open, closed)", policy));
  }
  YAML::Node map_node = ctl.raw("address_mapping");
  if (!map_node || !map_node.IsSequence()) {
    ctl.fail("address_mapping", "expected a list of fields, lowest bits first, e.g. [bank_group, column, bank, row]");
  }
  const std::vector<AddressField> all{AddressField::bank_group, AddressField::bank, AddressField::column,
                                      AddressField::row};
  for (const auto& item : map_node) {
    std::string name = item.IsScalar() ? item.Scalar() : std::string("<not a name>");
    auto it = std::find_if(all.begin(), all.end(), [&](AddressField f) { return to_string(f) == name; });
    if (it == all.end()) {
      ctl.fail("address_mapping", fmt::format("unknown field '{}' (valid: bank_group, bank, column, row)", name));
    }
    if (std::find(s.controller.address_mapping.begin(), s.controller.address_mapping.end(), *it) !=
        s.controller.address_mapping.end()) {
      ctl.fail("address_mapping", fmt::format("field '{}' appears twice", name));
    }
    s.controller.address_mapping.push_back(*it);
  }
  if (s.controller.address_mapping.size() != all.size()) {
    ctl.fail("address_mapping", "must list each of bank_group, bank, column, row exactly once");
  }
  ctl.reject_unknown_keys();

  top.reject_unknown_keys();
  return s;
}

}  // namespace h2sim

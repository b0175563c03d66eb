#pragma once
// A DRAM timing standard (configs/dram/*.yaml), loaded and validated once.
//
// The file gives cycle counts in CK; this object keeps them in CK (as the standard states them)
// and offers ps conversions, because the channel engine works in integer picoseconds so the
// hybrid-bonded port (whose rate is not a whole number of CK per access in general) and the
// external path share one time base without rounding drift.
#include <cstdint>
#include <string>
#include <vector>

namespace h2sim {

enum class PagePolicy { open, closed };
enum class RefreshMode { all_bank, per_bank };
enum class AddressField { bank_group, bank, column, row };

std::string to_string(PagePolicy p);
std::string to_string(RefreshMode m);
std::string to_string(AddressField f);

// Timing constraints in CK cycles (names follow the standard: nRCD is `nrcd`).
struct DramTimingCk {
  int64_t nbl = 0, ncl = 0, ncwl = 0, nrcd = 0, nrpab = 0, nrppb = 0, nras = 0, nrc = 0;
  int64_t nrtp = 0, nwr = 0, nccd_s = 0, nccd_l = 0, nrrd = 0, nfaw = 0, nwtr_s = 0, nwtr_l = 0;
  int64_t nppd = 0;
  // ACT to ACT in the same bank group (nRRD_L). `nrrd` is nRRD_S (any two banks). A standard
  // that gives one `nrrd_ck` has nrrd_l == nrrd.
  int64_t nrrd_l = 0;
  // RD to WR command spacing (tRTW) where the standard states one beyond the data bus rule
  // (WR data may not start before RD data has ended); 0 = the data bus rule alone.
  int64_t nrtw = 0;
  int64_t activates_per_faw = 0;  // activate power limit: ACTs allowed in any nFAW window
};

struct DramRefresh {
  RefreshMode mode = RefreshMode::all_bank;
  int64_t die_density_gbit = 0;
  int64_t nrefi_ck = 0;   // all-bank refresh interval, tREFI rounded to the nearest CK
  int64_t nrfcab_ck = 0;  // for the selected density, rounded up to CK
  int64_t nrfcpb_ck = 0;
};

// How the hybrid-bonded die's per-bank controller switches rows within a PE's stream
// (hb_port.row_switch; docs/dram.md "Row switches on the hybrid-bonded die"; sources and costs in
// ../shared/reference/in-die-pim.md Part 2). Timed from the standard's own parameters:
//  - exposed: every row switch pays the JEDEC sequence in one bank: PRE no earlier than the last
//    access + nRTP (and ACT + nRAS), ACT nRPpb later (and nRC after the last ACT), first access
//    nRCD after it. Costs nothing.
//  - salp: SALP-2 (Kim et al., ISCA 2012; rules as in CMU-SAFARI/ramulator src/SALP.cpp): the
//    stream's consecutive rows lie in different subarrays, so the next row's ACT need not wait
//    for the previous subarray's precharge: ACT(next) >= last access of the previous row + nRA
//    and >= its ACT + nRCD + nRA, with nRA = ceil(nCL / 2) (ramulator src/SALP.h: "nRA =
//    nCL/2"); each subarray keeps its own nRC / nRPpb. One row is open at a time (the previous
//    subarray's PRE comes first). Cost: subarray latches and isolation, < 0.15% of the DRAM die
//    (Kim et al.), and the logic die's controller must lay out rows across subarrays.
//  - ping_pong: each bank is split into two independent halves (two sub-array groups with their
//    own row buffer and data lines to the port, like CD-PIM's pseudo-banks); the stream's rows
//    alternate halves and the controller opens the next row in the idle half while the port
//    streams the other. Each half keeps every JEDEC per-bank rule; the port is shared. Cost: a
//    second set of global sense amplifiers and data lines per bank (area not found in a public
//    source: an assumption to budget).
//  - prefetch_buffer: a row-sized latch per bank between the array and the port (NEC VCM's
//    channel buffers; NeuPIMs' dual row buffer): a FILL copies the open row into it (a column read
//    of the whole row: nRCD after ACT, PRE nRTP after the FILL), the port streams the latch while
//    the bank precharges and opens the next row, and the next FILL waits until the port has moved
//    the latch's last access. Cost: row_bytes of latch per bank on the DRAM die.
enum class HbRowSwitch { exposed, salp, ping_pong, prefetch_buffer };
std::string to_string(HbRowSwitch m);

struct HbPortParams {
  int64_t column_access_bytes = 0;
  int64_t read_latency_ck = 0;
  HbRowSwitch row_switch = HbRowSwitch::exposed;
  int64_t subarrays_per_bank = 0;  // used by salp: consecutive rows of a stream rotate over this many subarrays
};

struct ControllerParams {
  int64_t queue_depth = 0;
  PagePolicy page_policy = PagePolicy::open;
  std::vector<AddressField> address_mapping;  // lowest bits first, above the burst offset
};

struct DramStandard {
  std::string name;
  std::string source_file;

  int64_t tck_ps = 0;
  int64_t wck_to_ck_ratio = 0;
  int64_t data_rate_mtps = 0;
  int64_t interface_width_bits = 0;
  int64_t burst_length = 0;
  int64_t burst_bytes = 0;

  int64_t bank_groups = 0;
  int64_t banks_per_group = 0;
  int64_t row_bytes = 0;

  DramTimingCk t;
  DramRefresh refresh;
  HbPortParams hb;
  ControllerParams controller;

  int64_t banks() const { return bank_groups * banks_per_group; }
  // SALP's nRA (subarray read to sibling ACT): ceil(nCL / 2) (CMU-SAFARI/ramulator src/SALP.h).
  int64_t salp_nra_ck() const { return (t.ncl + 1) / 2; }
  int64_t ps(int64_t ck) const { return ck * tck_ps; }
  int64_t bursts_per_row() const { return row_bytes / burst_bytes; }
  // Peak of the external interface: one burst per nBL.
  double peak_bandwidth_bytes_per_s() const {
    return double(burst_bytes) * 1e12 / double(ps(t.nbl));
  }
};

// An address mapping named on the command line (--address-mapping): Ramulator 2's "RoBaRaCoCh"
// (from the low bits: column, bank group, bank, row; see docs/dram.md) or a comma-separated list
// of the four fields, lowest bits first ("column,bank,bank_group,row"). Throws InputError naming
// `flag` and the valid forms.
std::vector<AddressField> parse_address_mapping(const std::string& text, const std::string& flag);
std::string address_mapping_string(const std::vector<AddressField>& fields);  // "column,bank_group,..."

// Loads and validates a timing standard. `overrides` are `KEY=VALUE` (dotted paths, as --set),
// applied before validation. Every error is an InputError naming the file and the key.
DramStandard load_dram_standard(const std::string& path,
                                const std::vector<std::string>& overrides = {});

}  // namespace h2sim

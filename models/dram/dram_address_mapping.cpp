// Address mapping of the DRAM engine: mixed-radix decoding of byte addresses (DramAddressMapping,
// declared in models/dram/lpddr5_channel.hpp).
#include "models/dram/lpddr5_channel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"

namespace h2sim {

namespace {
int log2_exact(int64_t v) {  // -1 unless v is a power of two
  if (v <= 0 || (v & (v - 1)) != 0) return -1;
  int s = 0;
  while ((int64_t(1) << s) < v) ++s;
  return s;
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Address mapping

DramAddressMapping::DramAddressMapping(const DramStandard& s, int64_t rows_per_bank)
    : burst_bytes_(s.burst_bytes),
      burst_shift_(log2_exact(s.burst_bytes)),
      banks_per_group_(s.banks_per_group),
      capacity_bytes_(s.banks() * rows_per_bank * s.row_bytes) {
  for (AddressField f : s.controller.address_mapping) {
    int64_t radix = 0;
    switch (f) {
      case AddressField::bank_group: radix = s.bank_groups; break;
      case AddressField::bank: radix = s.banks_per_group; break;
      case AddressField::column: radix = s.bursts_per_row(); break;
      case AddressField::row: radix = rows_per_bank; break;
    }
    fields_.push_back({f, radix, log2_exact(radix)});
  }
}

DramAddress DramAddressMapping::decode(int64_t address) const {
  int64_t x = burst_shift_ >= 0 ? (address >> burst_shift_) : address / burst_bytes_;
  DramAddress a;
  int64_t bank_in_group = 0;
  for (const Field& f : fields_) {
    int64_t v;
    if (f.shift >= 0) {
      v = x & (f.radix - 1);
      x >>= f.shift;
    } else {
      v = x % f.radix;
      x /= f.radix;
    }
    switch (f.kind) {
      case AddressField::bank_group: a.bank_group = int(v); break;
      case AddressField::bank: bank_in_group = v; break;
      case AddressField::column: a.column = v; break;
      case AddressField::row: a.row = v; break;
    }
  }
  a.bank = int(a.bank_group * banks_per_group_ + bank_in_group);
  return a;
}

int64_t DramAddressMapping::encode(const DramAddress& a) const {
  int64_t x = 0;
  for (auto it = fields_.rbegin(); it != fields_.rend(); ++it) {
    int64_t v = 0;
    switch (it->kind) {
      case AddressField::bank_group: v = a.bank_group; break;
      case AddressField::bank: v = a.bank % banks_per_group_; break;
      case AddressField::column: v = a.column; break;
      case AddressField::row: v = a.row; break;
    }
    x = x * it->radix + v;
  }
  return x * burst_bytes_;
}

double DramStats::mean_bank_utilization() const {
  if (bank_busy_ps.empty()) return 0.0;
  double sum = 0;
  for (size_t b = 0; b < bank_busy_ps.size(); ++b) sum += bank_utilization(int(b));
  return sum / double(bank_busy_ps.size());
}

}  // namespace h2sim

#include "mapping/dataflow.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "config/errors.hpp"
#include "config/yaml_reader.hpp"

namespace h2sim {

const char* to_string(ExecKind kind) {
  switch (kind) {
    case ExecKind::npu: return "NPU";
    case ExecKind::nmp: return "NMP";
    case ExecKind::mix: return "MIX";
  }
  return "?";
}

std::vector<int> mask_to_channels(uint32_t mask) {
  std::vector<int> out;
  for (int c = 0; c < 32; ++c) {
    if (mask & (1u << c)) out.push_back(c);
  }
  return out;
}

int64_t mix_nmp_units(const GemmShape& shape, double ratio, bool artifact_compat) {
  const int64_t units = shape.batch > 1 ? shape.batch : shape.n;
  int64_t u = artifact_compat ? int64_t(double(units) * ratio) : int64_t(std::llround(double(units) * ratio));
  return std::clamp<int64_t>(u, 0, units);
}

void split_mix(const GemmShape& shape, double ratio, bool artifact_compat, GemmShape* nmp, GemmShape* npu) {
  const int64_t u = mix_nmp_units(shape, ratio, artifact_compat);
  *nmp = shape;
  *npu = shape;
  if (shape.batch > 1) {
    nmp->batch = u;
    npu->batch = shape.batch - u;
  } else {
    nmp->n = u;
    npu->n = shape.n - u;
    if (u == 0) nmp->batch = 0;
    if (u == shape.n) npu->batch = 0;
  }
}

namespace {

std::string channel_list(uint32_t mask) {
  std::string s;
  for (int c : mask_to_channels(mask)) s += (s.empty() ? "" : ",") + std::to_string(c);
  return "{" + s + "}";
}

std::string op_list(const ModelConfig& m, uint64_t ops) {
  std::string s;
  for (int i = 0; i < m.graph.size(); ++i) {
    if (ops & (1ULL << i)) s += (s.empty() ? "'" : ", '") + m.graph.name(i) + "'";
  }
  return s;
}

std::string where(size_t mag, size_t mpg) { return fmt::format("MAG {} MPG {}", mag, mpg); }
std::string where(size_t mag, size_t mpg, size_t tier) { return fmt::format("MAG {} MPG {} tier {}", mag, mpg, tier); }

}  // namespace

std::vector<std::string> dataflow_structure_violations(const Dataflow& df, const ModelConfig& model,
                                                       const HardwareConfig& hw) {
  std::vector<std::string> v;
  const OperatorGraph& g = model.graph;
  const int n = g.size();
  const uint32_t nmp_all = hw.nmp_channels >= 32 ? ~0u : ((1u << hw.nmp_channels) - 1);
  const bool has_pool = hw.normal_channels() > 0;
  std::vector<int> mag_of(n, -1);

  if (df.mags.empty()) v.push_back("the dataflow has no MAG");
  for (size_t a = 0; a < df.mags.size(); ++a) {
    const Mag& mag = df.mags[a];
    if (mag.mpgs.empty()) v.push_back(fmt::format("MAG {} has no MPG", a));
    std::vector<uint64_t> mpg_ops(mag.mpgs.size(), 0);
    uint32_t used_nmp = 0;
    int pool_owner = -1;
    for (size_t p = 0; p < mag.mpgs.size(); ++p) {
      const Mpg& mpg = mag.mpgs[p];
      if (mpg.nmp_mask & ~nmp_all) {
        v.push_back(fmt::format("{}: channel(s) {} are not NMP channels of design '{}' (NMP channels 0..{})",
                                where(a, p), channel_list(mpg.nmp_mask & ~nmp_all), hw.name, hw.nmp_channels - 1));
      }
      if (mpg.normal_pool && !has_pool) {
        v.push_back(fmt::format("{}: binds the normal pool, but design '{}' has no normal channel", where(a, p), hw.name));
      }
      if (mpg.nmp_mask == 0 && !mpg.normal_pool) v.push_back(fmt::format("{}: is bound to no channel", where(a, p)));
      if (used_nmp & mpg.nmp_mask) {
        for (int c : mask_to_channels(used_nmp & mpg.nmp_mask)) {
          v.push_back(fmt::format("MAG {}: NMP channel {} is bound to two MPGs (MPG {} and an earlier one)", a, c, p));
        }
      }
      used_nmp |= mpg.nmp_mask;
      if (mpg.normal_pool) {
        if (pool_owner >= 0) {
          v.push_back(fmt::format("MAG {}: the normal pool is bound to MPG {} and MPG {} (it is indivisible)", a,
                                  pool_owner, p));
        }
        pool_owner = int(p);
      }
      if (mpg.tiers.empty()) v.push_back(fmt::format("{}: has no tier", where(a, p)));
      std::vector<uint64_t> tier_ops(mpg.tiers.size(), 0);
      for (size_t t = 0; t < mpg.tiers.size(); ++t) {
        const Tier& tier = mpg.tiers[t];
        if (tier.ops.empty()) v.push_back(fmt::format("{}: is empty", where(a, p, t)));
        uint32_t tier_nmp = 0;
        bool tier_pool = false;
        for (const OperatorBinding& b : tier.ops) {
          if (b.op < 0 || b.op >= n) {
            v.push_back(fmt::format("{}: operator index {} is not in model '{}'", where(a, p, t), b.op, model.name));
            continue;
          }
          const std::string& name = g.name(b.op);
          if (mag_of[b.op] >= 0) {
            v.push_back(fmt::format("operator '{}' appears twice (MAG {} and MAG {}); every operator must appear exactly once",
                                    name, mag_of[b.op], a));
          } else {
            mag_of[b.op] = int(a);
          }
          tier_ops[t] |= 1ULL << b.op;
          if (b.nmp_mask == 0 && !b.normal_pool) {
            v.push_back(fmt::format("{}: operator '{}' is bound to no channel", where(a, p, t), name));
          }
          if (b.nmp_mask & ~mpg.nmp_mask) {
            v.push_back(fmt::format("{}: operator '{}' uses NMP channel(s) {} that its MPG does not own (MPG has {})",
                                    where(a, p, t), name, channel_list(b.nmp_mask & ~mpg.nmp_mask),
                                    channel_list(mpg.nmp_mask)));
          }
          if (b.normal_pool && !mpg.normal_pool) {
            v.push_back(fmt::format("{}: operator '{}' uses the normal pool, which its MPG does not own", where(a, p, t), name));
          }
          if (tier_nmp & b.nmp_mask) {
            for (int c : mask_to_channels(tier_nmp & b.nmp_mask)) {
              v.push_back(fmt::format("{}: NMP channel {} is bound to operator '{}' and to another operator of the same tier",
                                      where(a, p, t), c, name));
            }
          }
          tier_nmp |= b.nmp_mask;
          tier_pool |= b.normal_pool;
          if (b.exec() == ExecKind::mix && !(b.nmp_ratio > 0 && b.nmp_ratio < 1)) {
            v.push_back(fmt::format("{}: operator '{}' is MIX (NMP and normal channels) but its nmp_ratio {} is not in (0, 1)",
                                    where(a, p, t), name, b.nmp_ratio));
          }
        }
        // The tier must cover its MPG's channels: idle channels would hold no data of the tier.
        uint32_t missing = mpg.nmp_mask & ~tier_nmp;
        for (int c : mask_to_channels(missing)) {
          v.push_back(fmt::format("{}: NMP channel {} of the MPG is bound to no operator of the tier (a tier covers its MPG's channels)",
                                  where(a, p, t), c));
        }
        if (mpg.normal_pool && !tier_pool) {
          v.push_back(fmt::format("{}: the MPG's normal pool is bound to no operator of the tier (a tier covers its MPG's channels)",
                                  where(a, p, t)));
        }
        // Antichain.
        for (const OperatorBinding& b : tier.ops) {
          if (b.op < 0 || b.op >= n) continue;
          uint64_t dep = g.descendants(b.op) & tier_ops[t];
          if (dep) {
            v.push_back(fmt::format("{}: operator '{}' feeds {} in the same tier (a tier holds independent operators)",
                                    where(a, p, t), g.name(b.op), op_list(model, dep)));
          }
        }
        mpg_ops[p] |= tier_ops[t];
      }
      // Tier order: no later tier feeds an earlier one.
      for (size_t t = 0; t < mpg.tiers.size(); ++t) {
        for (size_t u = t + 1; u < mpg.tiers.size(); ++u) {
          for (int op = 0; op < n; ++op) {
            if (!(tier_ops[u] & (1ULL << op))) continue;
            uint64_t bad = g.descendants(op) & tier_ops[t];
            if (bad) {
              v.push_back(fmt::format("{}: operator '{}' in tier {} feeds {} in the earlier tier {}", where(a, p), g.name(op), u,
                                      op_list(model, bad), t));
            }
          }
        }
      }
    }
    // MPGs are exactly the weakly connected components of the MAG's subgraph.
    for (size_t p = 0; p < mag.mpgs.size(); ++p) {
      if (mpg_ops[p] == 0) continue;
      auto comps = g.weak_components(mpg_ops[p]);
      if (comps.size() > 1) {
        v.push_back(fmt::format("{}: operators {} and {} are not connected (an MPG is one weakly connected component)",
                                where(a, p), op_list(model, comps[0]), op_list(model, comps[1])));
      }
      for (size_t q = p + 1; q < mag.mpgs.size(); ++q) {
        for (const auto& e : g.edges()) {
          uint64_t bf = 1ULL << e.first, bt = 1ULL << e.second;
          if (((mpg_ops[p] & bf) && (mpg_ops[q] & bt)) || ((mpg_ops[p] & bt) && (mpg_ops[q] & bf))) {
            v.push_back(fmt::format("MAG {}: operators '{}' and '{}' are connected but in different MPGs ({} and {})", a,
                                    g.name(e.first), g.name(e.second), p, q));
          }
        }
      }
    }
  }
  for (int op = 0; op < n; ++op) {
    if (mag_of[op] < 0) {
      v.push_back(fmt::format("operator '{}' is in no MAG; every operator must appear exactly once", g.name(op)));
    }
  }
  // MAG order: no operator feeds one in an earlier MAG.
  for (const auto& e : g.edges()) {
    if (mag_of[e.first] >= 0 && mag_of[e.second] >= 0 && mag_of[e.second] < mag_of[e.first]) {
      v.push_back(fmt::format("operator '{}' in MAG {} depends on operator '{}' in the later MAG {} (MAGs must follow the graph)",
                              g.name(e.second), mag_of[e.second], g.name(e.first), mag_of[e.first]));
    }
  }
  return v;
}

namespace {

// The bytes one binding stores on its NMP channels (in total) and on the pool.
inline void binding_bytes(const OperatorBinding& b, double total, int normal, double* on_nmp, double* on_pool) {
  const int n_nmp = popcount(b.nmp_mask);
  const int n_pool = b.normal_pool ? normal : 0;
  *on_nmp = 0;
  *on_pool = 0;
  if (b.npu_reads_nmp) {
    *on_nmp = n_nmp + n_pool > 0 ? total * n_nmp / (n_nmp + n_pool) : 0;
    *on_pool = total - *on_nmp;
  } else if (b.exec() == ExecKind::mix) {
    *on_nmp = total * b.nmp_ratio;
    *on_pool = total - *on_nmp;
  } else if (b.exec() == ExecKind::nmp) {
    *on_nmp = total;
  } else {
    *on_pool = total;
  }
}

}  // namespace

bool dataflow_fits_capacity(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw,
                            const CapacityContext& cap) {
  // The same sums as dataflow_capacity_violation (same operations, same order), without the
  // per-channel user lists it keeps for its message.
  const int nmp = int(hw.nmp_channels);
  const int normal = int(hw.normal_channels());
  if (nmp > 32) return dataflow_capacity_violation(df, model, hw, cap).empty();
  double nmp_bytes[32] = {};
  double pool_bytes = 0;
  const int n_ops = model.graph.size();
  for (const Mag& mag : df.mags) {
    for (const Mpg& mpg : mag.mpgs) {
      for (const Tier& tier : mpg.tiers) {
        for (const OperatorBinding& b : tier.ops) {
          if (b.op < 0 || b.op >= n_ops) continue;
          const double total = double(model.layers) *
                               operator_storage_bytes(model, model.graph.kind(b.op), cap.batch, cap.max_context_tokens,
                                                      double(hw.element_bytes));
          double on_nmp, on_pool;
          binding_bytes(b, total, normal, &on_nmp, &on_pool);
          const int n_nmp = popcount(b.nmp_mask);
          for (uint32_t m = b.nmp_mask; m; m &= m - 1) {
            const int c = __builtin_ctz(m);
            if (c >= nmp) continue;
            nmp_bytes[c] += on_nmp / n_nmp;
          }
          if (b.normal_pool && normal > 0) pool_bytes += on_pool;
        }
      }
    }
  }
  const double capacity = double(hw.channel_capacity_bytes());
  for (int c = 0; c < nmp; ++c) {
    if (nmp_bytes[c] > capacity) return false;
  }
  return !(normal > 0 && pool_bytes > capacity * normal);
}

std::string model_capacity_violation(const ModelConfig& model, const HardwareConfig& hw, const CapacityContext& cap) {
  double weights = 0, kv = 0;
  for (int op = 0; op < model.graph.size(); ++op) {
    const OpKind kind = model.graph.kind(op);
    const double bytes = double(model.layers) * operator_storage_bytes(model, kind, cap.batch, cap.max_context_tokens,
                                                                       double(hw.element_bytes));
    (is_attention(kind) ? kv : weights) += bytes;
  }
  const double gib = double(int64_t(1) << 30);
  const double channel = double(hw.channel_capacity_bytes());
  const double total = channel * double(hw.channels);
  if (weights + kv <= total) return "";
  return fmt::format(
      "model '{}' does not fit design '{}' whatever the dataflow: it needs {:.2f} GiB ({} layers: weights {:.2f} GiB, "
      "KV cache {:.2f} GiB for batch {} at {} tokens of context) but the design has {:.2f} GiB of DRAM ({} channels x "
      "{:.2f} GiB); use a design with more memory (e.g. --set bank_capacity_mib=...), a smaller batch or a shorter "
      "max_context_tokens",
      model.name, hw.name, (weights + kv) / gib, model.layers, weights / gib, kv / gib, cap.batch,
      cap.max_context_tokens, total / gib, hw.channels, channel / gib);
}

std::string dataflow_capacity_violation(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw,
                                        const CapacityContext& cap) {
  const int nmp = int(hw.nmp_channels);
  const int normal = int(hw.normal_channels());
  std::vector<double> nmp_bytes(std::max(nmp, 1), 0.0);
  double pool_bytes = 0;
  // Contributions per channel, to name the largest users in the message.
  std::vector<std::vector<std::pair<double, int>>> users(std::max(nmp, 1));
  std::vector<std::pair<double, int>> pool_users;
  for (const Mag& mag : df.mags) {
    for (const Mpg& mpg : mag.mpgs) {
      for (const Tier& tier : mpg.tiers) {
        for (const OperatorBinding& b : tier.ops) {
          if (b.op < 0 || b.op >= model.graph.size()) continue;
          const double total = double(model.layers) *
                               operator_storage_bytes(model, model.graph.kind(b.op), cap.batch, cap.max_context_tokens,
                                                      double(hw.element_bytes));
          const int n_nmp = popcount(b.nmp_mask);
          const int n_pool = b.normal_pool ? normal : 0;
          // MIX: split by the ratio; the NPU reading NMP channels (baselines): spread evenly over
          // every channel holding it (the NPU reads them all).
          double on_nmp, on_pool;
          binding_bytes(b, total, normal, &on_nmp, &on_pool);
          for (int c : mask_to_channels(b.nmp_mask)) {
            if (c >= nmp) continue;
            nmp_bytes[c] += on_nmp / n_nmp;
            users[c].push_back({on_nmp / n_nmp, b.op});
          }
          if (b.normal_pool && n_pool > 0) {
            pool_bytes += on_pool;
            pool_users.push_back({on_pool, b.op});
          }
        }
      }
    }
  }
  const double gib = double(1ULL << 30);
  const double capacity = double(hw.channel_capacity_bytes());
  auto describe = [&](std::vector<std::pair<double, int>> u) {
    std::sort(u.begin(), u.end(), [](auto& x, auto& y) { return x.first > y.first; });
    std::string s;
    for (size_t i = 0; i < u.size() && i < 4; ++i) {
      s += fmt::format("{}'{}' {:.2f} GiB", i ? ", " : "", model.graph.name(u[i].second), u[i].first / gib);
    }
    return s;
  };
  for (int c = 0; c < nmp; ++c) {
    if (nmp_bytes[c] > capacity) {
      return fmt::format("NMP channel {} is overfilled: {:.2f} GiB stored ({}) > {:.2f} GiB capacity "
                         "(all {} layers, batch {}, KV cache at context {})",
                         c, nmp_bytes[c] / gib, describe(users[c]), capacity / gib, model.layers, cap.batch,
                         cap.max_context_tokens);
    }
  }
  if (normal > 0 && pool_bytes > capacity * normal) {
    return fmt::format("the normal pool (channels {}..{}) is overfilled: {:.2f} GiB stored ({}) > {:.2f} GiB capacity "
                       "(all {} layers, batch {}, KV cache at context {})",
                       nmp, nmp + normal - 1, pool_bytes / gib, describe(pool_users), capacity * normal / gib,
                       model.layers, cap.batch, cap.max_context_tokens);
  }
  return "";
}

std::vector<std::string> dataflow_violations(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw,
                                             const CapacityContext& cap) {
  auto v = dataflow_structure_violations(df, model, hw);
  std::string c = dataflow_capacity_violation(df, model, hw, cap);
  if (!c.empty()) v.push_back(c);
  return v;
}

void check_dataflow(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw, const CapacityContext& cap,
                    const std::string& origin) {
  auto v = dataflow_violations(df, model, hw, cap);
  if (v.empty()) return;
  std::string msg = fmt::format("{}: illegal dataflow '{}' for model '{}' on design '{}':", origin, df.name, model.name,
                                hw.name);
  for (const auto& s : v) msg += "\n  - " + s;
  throw InputError(msg);
}

std::vector<LoweredOperator> lower_dataflow(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw,
                                            const PassShape& pass, bool artifact_compat) {
  std::vector<LoweredOperator> out;
  std::vector<int> pool;
  for (int c = int(hw.nmp_channels); c < int(hw.channels); ++c) pool.push_back(c);
  for (size_t a = 0; a < df.mags.size(); ++a) {
    for (size_t p = 0; p < df.mags[a].mpgs.size(); ++p) {
      const Mpg& mpg = df.mags[a].mpgs[p];
      for (size_t t = 0; t < mpg.tiers.size(); ++t) {
        for (const OperatorBinding& b : mpg.tiers[t].ops) {
          LoweredOperator l;
          l.op = b.op;
          l.name = model.graph.name(b.op);
          l.kind = model.graph.kind(b.op);
          l.mag = int(a);
          l.mpg = int(p);
          l.tier = int(t);
          l.exec = pass.pass == Pass::prefill ? ExecKind::npu : b.exec();
          l.nmp_channels = mask_to_channels(b.nmp_mask);
          if (b.normal_pool) l.normal_channels = pool;
          l.shape = operator_shape(model, l.kind, pass);
          l.nmp_part = l.npu_part = l.shape;
          switch (l.exec) {
            case ExecKind::npu:
              l.nmp_ratio = 0;
              l.nmp_part.batch = 0;
              break;
            case ExecKind::nmp:
              l.nmp_ratio = 1;
              l.npu_part.batch = 0;
              break;
            case ExecKind::mix:
              l.nmp_ratio = b.nmp_ratio;
              split_mix(l.shape, b.nmp_ratio, artifact_compat, &l.nmp_part, &l.npu_part);
              break;
          }
          out.push_back(l);
        }
      }
    }
  }
  return out;
}

std::string dataflow_to_yaml(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << (df.name.empty() ? std::string("dataflow") : df.name);
  e << YAML::Key << "model" << YAML::Value << model.name;
  e << YAML::Key << "hardware" << YAML::Value << hw.name;
  e << YAML::Key << "mags" << YAML::Value << YAML::BeginSeq;
  for (const Mag& mag : df.mags) {
    e << YAML::BeginMap << YAML::Key << "mpgs" << YAML::Value << YAML::BeginSeq;
    for (const Mpg& mpg : mag.mpgs) {
      e << YAML::BeginMap;
      e << YAML::Key << "nmp_channels" << YAML::Value << YAML::Flow << mask_to_channels(mpg.nmp_mask);
      e << YAML::Key << "normal_pool" << YAML::Value << mpg.normal_pool;
      e << YAML::Key << "tiers" << YAML::Value << YAML::BeginSeq;
      for (const Tier& tier : mpg.tiers) {
        e << YAML::BeginSeq;
        for (const OperatorBinding& b : tier.ops) {
          e << YAML::Flow << YAML::BeginMap;
          e << YAML::Key << "op" << YAML::Value << model.graph.name(b.op);
          e << YAML::Key << "nmp_channels" << YAML::Value << YAML::Flow << mask_to_channels(b.nmp_mask);
          e << YAML::Key << "normal_pool" << YAML::Value << b.normal_pool;
          if (b.exec() == ExecKind::mix) e << YAML::Key << "nmp_ratio" << YAML::Value << b.nmp_ratio;
          if (b.npu_reads_nmp) e << YAML::Key << "execution" << YAML::Value << "npu";
          e << YAML::EndMap;
        }
        e << YAML::EndSeq;
      }
      e << YAML::EndSeq << YAML::EndMap;
    }
    e << YAML::EndSeq << YAML::EndMap;
  }
  e << YAML::EndSeq << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

namespace {

uint32_t read_channels(YamlMap& m, const std::string& key, const HardwareConfig& hw) {
  if (!m.has(key)) return 0;
  YAML::Node n = m.raw(key);
  if (!n.IsSequence()) m.fail(key, "must be a list of NMP channel ids");
  uint32_t mask = 0;
  for (size_t i = 0; i < n.size(); ++i) {
    int64_t c = -1;
    try {
      c = n[i].as<int64_t>();
    } catch (const YAML::Exception&) {
      m.fail(key, fmt::format("element {} is not an integer channel id", i));
    }
    if (c < 0 || c >= hw.nmp_channels) {
      m.fail(key, fmt::format("channel {} is not an NMP channel of design '{}' (NMP channels are 0..{}; the normal "
                              "channels form the pool, see normal_pool)",
                              c, hw.name, hw.nmp_channels - 1));
    }
    if (mask & (1u << c)) m.fail(key, fmt::format("channel {} is listed twice", c));
    mask |= 1u << c;
  }
  return mask;
}

YAML::Node sequence(YamlMap& m, const std::string& key) {
  YAML::Node n = m.raw(key);
  if (!n.IsSequence()) m.fail(key, "must be a list");
  return n;
}

}  // namespace

Dataflow load_dataflow(const std::string& path, const ModelConfig& model, const HardwareConfig& hw) {
  YAML::Node root = load_yaml_file(path);
  if (!root.IsMap()) throw InputError(fmt::format("{}: the document must be a map", path));
  YamlMap top(root, path, "", {"name", "model", "hardware", "mags"});
  Dataflow df;
  df.name = top.optional_name("name").value_or("dataflow");
  if (auto m = top.optional_string("model"); m && *m != model.name) {
    top.fail("model", fmt::format("this dataflow was written for model '{}', not '{}'", *m, model.name));
  }
  top.optional_string("hardware");  // informative; channels are checked against --hw
  YAML::Node mags = sequence(top, "mags");
  for (size_t a = 0; a < mags.size(); ++a) {
    const std::string mag_path = fmt::format("mags[{}]", a);
    if (!mags[a].IsMap()) throw InputError(fmt::format("{}: key '{}': must be a map with key 'mpgs'", path, mag_path));
    YamlMap mm(mags[a], path, mag_path, {"mpgs"});
    Mag mag;
    YAML::Node mpgs = sequence(mm, "mpgs");
    for (size_t p = 0; p < mpgs.size(); ++p) {
      const std::string mpg_path = fmt::format("{}.mpgs[{}]", mag_path, p);
      if (!mpgs[p].IsMap()) throw InputError(fmt::format("{}: key '{}': must be a map", path, mpg_path));
      YamlMap pm(mpgs[p], path, mpg_path, {"nmp_channels", "normal_pool", "tiers"});
      Mpg mpg;
      mpg.nmp_mask = read_channels(pm, "nmp_channels", hw);
      mpg.normal_pool = pm.optional_boolean("normal_pool").value_or(false);
      YAML::Node tiers = sequence(pm, "tiers");
      for (size_t t = 0; t < tiers.size(); ++t) {
        const std::string tier_path = fmt::format("{}.tiers[{}]", mpg_path, t);
        if (!tiers[t].IsSequence()) {
          throw InputError(fmt::format("{}: key '{}': a tier is a list of operator bindings ([{{op: ...}}, ...])", path, tier_path));
        }
        Tier tier;
        for (size_t o = 0; o < tiers[t].size(); ++o) {
          const std::string op_path = fmt::format("{}[{}]", tier_path, o);
          if (!tiers[t][o].IsMap()) throw InputError(fmt::format("{}: key '{}': must be a map with key 'op'", path, op_path));
          YamlMap om(tiers[t][o], path, op_path, {"op", "nmp_channels", "normal_pool", "nmp_ratio", "execution"});
          OperatorBinding b;
          std::string name = om.string("op");
          b.op = model.graph.find(name);
          if (b.op < 0) {
            std::vector<std::string> names;
            for (int i = 0; i < model.graph.size(); ++i) names.push_back(model.graph.name(i));
            std::string hint = closest_match(name, names);
            om.fail("op", fmt::format("unknown operator '{}' in model '{}'{}", name, model.name,
                                      hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
          }
          b.nmp_mask = read_channels(om, "nmp_channels", hw);
          b.normal_pool = om.optional_boolean("normal_pool").value_or(false);
          if (auto r = om.optional_number("nmp_ratio")) {
            // Only a MIX binding splits its data; elsewhere a ratio would be silently ignored.
            if (!(b.nmp_mask != 0 && b.normal_pool)) {
              om.fail("nmp_ratio", fmt::format("{} is only meaningful for a MIX binding (both nmp_channels and "
                                               "normal_pool: true); remove it or bind both",
                                               *r));
            }
            b.nmp_ratio = *r;
          } else {
            b.nmp_ratio = b.exec() == ExecKind::npu ? 0.0 : 1.0;
          }
          if (auto ex = om.optional_string("execution")) {
            if (*ex == "npu") {
              b.npu_reads_nmp = true;
            } else if (*ex != "auto") {
              om.fail("execution", fmt::format("unknown execution '{}' (valid: auto = follows the data, npu = the NPU "
                                               "reads every bound channel)", *ex));
            }
          }
          om.reject_unknown_keys();
          tier.ops.push_back(b);
        }
        mpg.tiers.push_back(std::move(tier));
      }
      pm.reject_unknown_keys();
      mag.mpgs.push_back(std::move(mpg));
    }
    mm.reject_unknown_keys();
    df.mags.push_back(std::move(mag));
  }
  top.reject_unknown_keys();
  return df;
}

std::string describe_dataflow(const Dataflow& df, const ModelConfig& model, const HardwareConfig& hw) {
  std::string s;
  (void)hw;
  for (size_t a = 0; a < df.mags.size(); ++a) {
    for (size_t p = 0; p < df.mags[a].mpgs.size(); ++p) {
      const Mpg& mpg = df.mags[a].mpgs[p];
      for (size_t t = 0; t < mpg.tiers.size(); ++t) {
        s += fmt::format("MAG {} MPG {} tier {}:", a, p, t);
        for (const OperatorBinding& b : mpg.tiers[t].ops) {
          s += fmt::format(" {}[{} nmp{}{}]", model.graph.name(b.op), to_string(b.exec()), channel_list(b.nmp_mask),
                           b.normal_pool ? "+pool" : "");
        }
        s += "\n";
      }
    }
  }
  return s;
}

}  // namespace h2sim

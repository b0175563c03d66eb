// Dataflow objects, the legality checker (each rule, with its message), YAML round trips and the
// fixed baselines' placements.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "config/errors.hpp"
#include "mapping/baselines.hpp"
#include "mapping/dataflow.hpp"

using namespace h2sim;

namespace {
std::string src(const std::string& rel) { return std::string(H2SIM_SOURCE_DIR) + "/" + rel; }
std::string data(const std::string& rel) { return std::string(H2SIM_TEST_DATA_DIR) + "/" + rel; }

struct Fixture {
  HardwareConfig hw = load_hardware_config(src("configs/hardware/h2llm.yaml"));
  ModelConfig model = load_model_config(src("configs/models/llama3-8b.yaml"));
  CapacityContext cap{1, 2048};
  int op(const char* n) const { return model.graph.find(n); }
  // Every operator its own MAG, on all NMP channels.
  Dataflow serial() const {
    Dataflow df;
    for (int o : model.graph.topological_order()) {
      Mpg mpg{0x3f, false, {Tier{{OperatorBinding{o, 0x3f, false, 1.0, false}}}}};
      df.mags.push_back(Mag{{mpg}});
    }
    return df;
  }
  std::string all(const Dataflow& df, const CapacityContext* c = nullptr) const {
    std::string s;
    for (const auto& v : dataflow_violations(df, model, hw, c ? *c : cap)) s += v + "\n";
    return s;
  }
};

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST(MappingDataflow, SerialDataflowIsLegal) {
  Fixture f;
  EXPECT_EQ(f.all(f.serial()), "");
}

TEST(MappingDataflow, HandWrittenDataflowLoadsAndIsLegal) {
  Fixture f;
  Dataflow df = load_dataflow(data("mapping/llama_handwritten.yaml"), f.model, f.hw);
  EXPECT_EQ(df.mags.size(), 4u);
  EXPECT_EQ(df.mags[0].mpgs.size(), 3u);
  EXPECT_NO_THROW(check_dataflow(df, f.model, f.hw, f.cap, "handwritten"));
  const auto& v = df.mags[0].mpgs[2].tiers[0].ops[0];
  EXPECT_EQ(v.exec(), ExecKind::mix);
  EXPECT_DOUBLE_EQ(v.nmp_ratio, 0.75);
  EXPECT_EQ(df.mags[0].mpgs[0].tiers[0].ops[0].exec(), ExecKind::nmp);
  // Round trip through YAML.
  std::string path = testing::TempDir() + "/h2sim_df_roundtrip.yaml";
  std::ofstream(path) << dataflow_to_yaml(df, f.model, f.hw);
  Dataflow back = load_dataflow(path, f.model, f.hw);
  EXPECT_TRUE(back == df);
  std::remove(path.c_str());
}

TEST(MappingDataflow, LostOperatorFileIsRejectedNamingIt) {
  Fixture f;
  Dataflow df = load_dataflow(data("bad/mapping/lost_operator.yaml"), f.model, f.hw);
  try {
    check_dataflow(df, f.model, f.hw, f.cap, "lost_operator.yaml");
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "operator 'f2' is in no MAG")) << e.what();
  }
}

TEST(MappingDataflow, OverfilledChannelFileIsRejectedNamingIt) {
  Fixture f;
  Dataflow df = load_dataflow(data("bad/mapping/overfilled_channel.yaml"), f.model, f.hw);
  EXPECT_TRUE(dataflow_structure_violations(df, f.model, f.hw).empty());
  std::string msg = dataflow_capacity_violation(df, f.model, f.hw, f.cap);
  EXPECT_TRUE(contains(msg, "NMP channel 0 is overfilled")) << msg;
  EXPECT_TRUE(contains(msg, "'f1'")) << msg;
  EXPECT_TRUE(contains(msg, "4.00 GiB capacity")) << msg;
}

TEST(MappingDataflow, DuplicateOperator) {
  Fixture f;
  Dataflow df = f.serial();
  df.mags.back().mpgs[0].tiers.push_back(Tier{{OperatorBinding{f.op("q"), 0x3f, false, 1, false}}});
  EXPECT_TRUE(contains(f.all(df), "operator 'q' appears twice")) << f.all(df);
}

TEST(MappingDataflow, MagOrderMustFollowTheGraph) {
  Fixture f;
  Dataflow df = f.serial();
  std::swap(df.mags.front(), df.mags.back());  // f2 first, q last
  std::string s = f.all(df);
  EXPECT_TRUE(contains(s, "operator 'f2' in MAG 0 depends on operator 'f1'")) << s;
}

TEST(MappingDataflow, MpgsAreWeaklyConnectedComponents) {
  Fixture f;
  // q and k in one MPG without qk: not connected.
  Dataflow df;
  df.mags.push_back(Mag{{Mpg{0x3f, false, {Tier{{OperatorBinding{f.op("q"), 0x7, false, 1, false},
                                                   OperatorBinding{f.op("k"), 0x38, false, 1, false}}}}}}});
  std::string s = f.all(df);
  EXPECT_TRUE(contains(s, "operators 'q' and 'k' are not connected")) << s;
  // q and qk connected but in different MPGs of one MAG.
  Dataflow d2;
  d2.mags.push_back(Mag{{Mpg{0x7, false, {Tier{{OperatorBinding{f.op("q"), 0x7, false, 1, false}}}}},
                         Mpg{0x38, false, {Tier{{OperatorBinding{f.op("qk"), 0x38, false, 1, false}}}}}}});
  EXPECT_TRUE(contains(f.all(d2), "operators 'q' and 'qk' are connected but in different MPGs")) << f.all(d2);
}

TEST(MappingDataflow, MpgChannelsMustBeDisjoint) {
  Fixture f;
  Dataflow df;
  df.mags.push_back(Mag{{Mpg{0x7, true, {Tier{{OperatorBinding{f.op("q"), 0x7, true, 0.5, false}}}}},
                         Mpg{0xe, true, {Tier{{OperatorBinding{f.op("k"), 0xe, true, 0.5, false}}}}}}});
  std::string s = f.all(df);
  EXPECT_TRUE(contains(s, "MAG 0: NMP channel 1 is bound to two MPGs")) << s;
  EXPECT_TRUE(contains(s, "MAG 0: the normal pool is bound to MPG 0 and MPG 1")) << s;
}

TEST(MappingDataflow, TierMustCoverItsMpgsChannels) {
  Fixture f;
  Dataflow df = f.serial();
  df.mags[0].mpgs[0].tiers[0].ops[0].nmp_mask = 0x1f;  // channel 5 left idle
  EXPECT_TRUE(contains(f.all(df), "NMP channel 5 of the MPG is bound to no operator of the tier")) << f.all(df);
  Dataflow d2 = f.serial();
  d2.mags[0].mpgs[0].normal_pool = true;
  EXPECT_TRUE(contains(f.all(d2), "normal pool is bound to no operator of the tier")) << f.all(d2);
}

TEST(MappingDataflow, TiersAreAntichainsInTopologicalOrder) {
  Fixture f;
  // {q, qk} in one MPG: same tier is illegal; qk before q is illegal.
  auto mk = [&](std::vector<Tier> tiers) {
    Dataflow df = f.serial();
    Dataflow out;
    out.mags.push_back(Mag{{Mpg{0x3f, false, tiers}}});
    for (auto& m : df.mags) {
      int o = m.mpgs[0].tiers[0].ops[0].op;
      if (o != f.op("q") && o != f.op("qk")) out.mags.push_back(m);
    }
    return out;
  };
  Dataflow same = mk({Tier{{OperatorBinding{f.op("q"), 0x7, false, 1, false}, OperatorBinding{f.op("qk"), 0x38, false, 1, false}}}});
  EXPECT_TRUE(contains(f.all(same), "operator 'q' feeds 'qk' in the same tier")) << f.all(same);
  Dataflow rev = mk({Tier{{OperatorBinding{f.op("qk"), 0x3f, false, 1, false}}}, Tier{{OperatorBinding{f.op("q"), 0x3f, false, 1, false}}}});
  EXPECT_TRUE(contains(f.all(rev), "operator 'q' in tier 1 feeds 'qk' in the earlier tier 0")) << f.all(rev);
}

TEST(MappingDataflow, OcmapChannelsDisjointAndOwned) {
  Fixture f;
  Dataflow df;
  // f1 and f3 share channel 2; f2 uses channel 6 (not an NMP channel) and the pool its MPG lacks.
  df.mags.push_back(Mag{{Mpg{0x3f, false, {Tier{{OperatorBinding{f.op("f1"), 0x7, false, 1, false},
                                                   OperatorBinding{f.op("f3"), 0x3c, false, 1, false}}},
                                             Tier{{OperatorBinding{f.op("f2"), 0x7f, true, 0.5, false}}}}}}});
  std::string s = f.all(df);
  EXPECT_TRUE(contains(s, "NMP channel 2 is bound to operator 'f3' and to another operator of the same tier")) << s;
  EXPECT_TRUE(contains(s, "operator 'f2' uses NMP channel(s) {6} that its MPG does not own")) << s;
  EXPECT_TRUE(contains(s, "operator 'f2' uses the normal pool, which its MPG does not own")) << s;
}

TEST(MappingDataflow, MixRatioAndUnboundOperator) {
  Fixture f;
  Dataflow df = f.serial();
  auto& b = df.mags[0].mpgs[0].tiers[0].ops[0];
  df.mags[0].mpgs[0].normal_pool = true;
  b.normal_pool = true;
  b.nmp_ratio = 1.0;
  EXPECT_TRUE(contains(f.all(df), "is MIX (NMP and normal channels) but its nmp_ratio 1 is not in (0, 1)")) << f.all(df);
  Dataflow d2 = f.serial();
  d2.mags[1].mpgs[0].tiers[0].ops[0].nmp_mask = 0;
  EXPECT_TRUE(contains(f.all(d2), "is bound to no channel")) << f.all(d2);
}

TEST(MappingDataflow, LoaderRejectsUnknownOperatorAndChannel) {
  Fixture f;
  std::string path = testing::TempDir() + "/h2sim_bad_df.yaml";
  std::ofstream(path) << "mags:\n  - mpgs:\n      - nmp_channels: [0, 7]\n        tiers: [[{op: q, nmp_channels: [0]}]]\n";
  try {
    load_dataflow(path, f.model, f.hw);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "channel 7 is not an NMP channel of design 'h2llm'")) << e.what();
    EXPECT_TRUE(contains(e.what(), "mags[0].mpgs[0].nmp_channels")) << e.what();
  }
  std::ofstream(path) << "mags:\n  - mpgs:\n      - nmp_channels: [0]\n        tiers: [[{op: qq, nmp_channels: [0]}]]\n";
  try {
    load_dataflow(path, f.model, f.hw);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "unknown operator 'qq'")) << e.what();
  }
  std::remove(path.c_str());
}

TEST(MappingDataflow, CapacityCountsKvCacheAtMaxContext) {
  Fixture f;
  // KV of LLaMA at batch 16: 16 x 8 x 2048 x 128 x 2 B x 32 layers = 2 GiB for keys alone.
  Dataflow df = f.serial();
  for (auto& m : df.mags) {
    auto& b = m.mpgs[0].tiers[0].ops[0];
    if (is_attention(f.model.graph.kind(b.op))) {
      b.nmp_mask = 0x1;
      m.mpgs[0].nmp_mask = 0x1;
    }
  }
  CapacityContext small{1, 2048}, big{64, 2048};
  EXPECT_EQ(dataflow_capacity_violation(df, f.model, f.hw, small), "");
  EXPECT_TRUE(contains(dataflow_capacity_violation(df, f.model, f.hw, big), "NMP channel 0 is overfilled"));
}

TEST(MappingDataflow, LoweringListsOperatorsWithPlacement) {
  Fixture f;
  Dataflow df = load_dataflow(data("mapping/llama_handwritten.yaml"), f.model, f.hw);
  auto ops = lower_dataflow(df, f.model, f.hw, {Pass::decode, 1, 1, 1000});
  ASSERT_EQ(ops.size(), 9u);
  EXPECT_EQ(ops[0].name, "q");
  EXPECT_EQ(ops[2].name, "v");
  EXPECT_EQ(ops[2].exec, ExecKind::mix);
  EXPECT_EQ(ops[2].normal_channels, (std::vector<int>{6, 7}));
  EXPECT_EQ(ops[2].nmp_channels, (std::vector<int>{5}));
  EXPECT_EQ(ops[2].nmp_part.n, 768);  // 0.75 x 1024 columns on NMP
  EXPECT_EQ(ops[2].npu_part.n, 256);
  EXPECT_EQ(ops[3].name, "qk");
  EXPECT_EQ(ops[3].nmp_part.batch, 6);  // attention splits along B = 8 KV heads
  EXPECT_EQ(ops[3].npu_part.batch, 2);
  auto pre = lower_dataflow(df, f.model, f.hw, {Pass::prefill, 1, 157, 157});
  for (const auto& o : pre) EXPECT_EQ(o.exec, ExecKind::npu);
}

TEST(MappingBaselines, Placements) {
  Fixture f;
  for (const char* name : {"npu-only", "fc-nmp", "attn-nmp", "attn-nmp-split"}) {
    Dataflow df = make_fixed_baseline(name, f.model, f.hw);
    EXPECT_EQ(f.all(df), "") << name;
    EXPECT_EQ(df.mags.size(), 9u) << name;
  }
  auto kind_of = [&](const Dataflow& df, const char* op) {
    for (const auto& m : df.mags) {
      const auto& b = m.mpgs[0].tiers[0].ops[0];
      if (b.op == f.op(op)) return b;
    }
    return OperatorBinding{};
  };
  Dataflow fc = make_fixed_baseline("fc-nmp", f.model, f.hw);
  EXPECT_EQ(kind_of(fc, "f1").exec(), ExecKind::nmp);
  EXPECT_EQ(kind_of(fc, "f1").nmp_mask, 0x3fu);
  EXPECT_EQ(kind_of(fc, "qk").exec(), ExecKind::npu);
  EXPECT_TRUE(kind_of(fc, "qk").normal_pool);  // KV cache on all 8 channels
  Dataflow at = make_fixed_baseline("attn-nmp", f.model, f.hw);
  EXPECT_EQ(kind_of(at, "sv").exec(), ExecKind::nmp);
  EXPECT_EQ(kind_of(at, "q").exec(), ExecKind::npu);
  Dataflow sp = make_fixed_baseline("attn-nmp-split", f.model, f.hw);
  EXPECT_EQ(kind_of(sp, "f2").exec(), ExecKind::mix);
  EXPECT_NEAR(kind_of(sp, "f2").nmp_ratio, 6.0 / 7.0, 1e-12);  // r = floor(6 x 25.6 / (2 x 12.8)) = 6
  EXPECT_NEAR(make_fixed_baseline("attn-nmp-split", f.model, f.hw, true).mags.back().mpgs[0].tiers[0].ops[0].nmp_ratio,
              1.0 / 7.0, 1e-12);  // the artifact's inverted split
  // On the NPU-only design everything reads the 8 normal channels.
  HardwareConfig cp = load_hardware_config(src("configs/hardware/npu-only.yaml"));
  Dataflow np = make_fixed_baseline("npu-only", f.model, cp);
  EXPECT_EQ(dataflow_violations(np, f.model, cp, f.cap).size(), 0u);
  EXPECT_EQ(np.mags[0].mpgs[0].tiers[0].ops[0].nmp_mask, 0u);
  EXPECT_THROW(make_fixed_baseline("fc-nmp", f.model, cp), InputError);
  EXPECT_THROW(make_fixed_baseline("fc-nmpp", f.model, f.hw), InputError);
}

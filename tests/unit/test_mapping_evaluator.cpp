// The analytic evaluator on hand-computed cases: the §5 per-GEMM examples, the tier / MPG / MAG /
// layer composition, MIX, context stepping, artifact_compat, and the artifact's fixed mappings.
#include <gtest/gtest.h>

#include "config/errors.hpp"
#include "mapping/artifact_fitted.hpp"
#include "mapping/baselines.hpp"
#include "mapping/evaluator.hpp"
#include "mapping/roofline.hpp"

using namespace h2sim;

namespace {
std::string src(const std::string& rel) { return std::string(H2SIM_SOURCE_DIR) + "/" + rel; }
std::string data(const std::string& rel) { return std::string(H2SIM_TEST_DATA_DIR) + "/" + rel; }

struct Ctx {
  HardwareConfig hw = load_hardware_config(src("configs/hardware/h2llm.yaml"));
  ModelConfig model = load_model_config(src("configs/models/llama3-8b.yaml"));
  Scenario sc{"tiny", 100, 3, 2048};
  int64_t batch = 1;
  double nmp(const GemmShape& s, int ch) const { return s.batch == 0 ? 0 : estimate_nmp_gemm(hw, s, ch).latency_ns * 1e-9; }
  double npu(const GemmShape& s, int ch) const { return s.batch == 0 ? 0 : estimate_npu_gemm(hw, s, ch).latency_ns * 1e-9; }
  GemmShape dec(OpKind k, int64_t ctx) const { return operator_shape(model, k, {Pass::decode, batch, 1, ctx}); }
  GemmShape pre(OpKind k) const { return operator_shape(model, k, {Pass::prefill, batch, sc.prompt_tokens, sc.prompt_tokens}); }
};

GemmShape cols(GemmShape s, int64_t n) { s.n = n; return s; }
GemmShape heads(GemmShape s, int64_t b) { s.batch = b; return s; }
}  // namespace

TEST(MappingEvaluator, ReferenceGemvExampleAsAnOperator) {
  Ctx c;
  Dataflow df = make_fixed_baseline("fc-nmp", c.model, c.hw);
  AnalyticEvaluator ev(c.hw, c.model, c.sc, 1);
  auto t = ev.evaluate(df);
  for (const auto& o : t.ops) {
    if (c.model.graph.name(o.op) == "q") {
      EXPECT_NEAR(o.decode_last_step_s, 14.167e-6, 14.167e-6 * 1e-3);
    }
  }
}

TEST(MappingEvaluator, CompositionOfHandWrittenDataflow) {
  Ctx c;
  Dataflow df = load_dataflow(data("mapping/llama_handwritten.yaml"), c.model, c.hw);
  AnalyticEvaluator ev(c.hw, c.model, c.sc, 1);
  auto t = ev.evaluate(df);

  // Prefill: every operator on the NPU, reading the channels that hold it.
  using K = OpKind;
  double prefill = c.npu(c.pre(K::q), 3) + c.npu(c.pre(K::k), 2) + c.npu(c.pre(K::v), 3) + c.npu(c.pre(K::qk), 8) +
                   c.npu(c.pre(K::sv), 8) + c.npu(c.pre(K::o), 6) + c.npu(c.pre(K::f1), 3) + c.npu(c.pre(K::f3), 5) +
                   c.npu(c.pre(K::f2), 8);
  EXPECT_NEAR(t.prefill_per_layer_s, prefill, prefill * 1e-12);

  double decode = 0;
  for (int64_t ctx : {101, 102, 103}) {
    // MAG 0: three MPGs in parallel; v is MIX (768 columns on NMP channel 5, 256 on the pool).
    double v = std::max(c.nmp(cols(c.dec(K::v, ctx), 768), 1), c.npu(cols(c.dec(K::v, ctx), 256), 2));
    double mag0 = std::max({c.nmp(c.dec(K::q, ctx), 3), c.nmp(c.dec(K::k, ctx), 2), v});
    // MAG 1: qk then sv; B = 8 KV heads, 6 on NMP and 2 on the NPU.
    double qk = std::max(c.nmp(heads(c.dec(K::qk, ctx), 6), 6), c.npu(heads(c.dec(K::qk, ctx), 2), 2));
    double sv = std::max(c.nmp(heads(c.dec(K::sv, ctx), 6), 6), c.npu(heads(c.dec(K::sv, ctx), 2), 2));
    double mag2 = c.nmp(c.dec(K::o, ctx), 6);
    // MAG 3 tier 0: f1 on NMP {0,1,2} beside f3 MIX (12902 of 14336 columns on NMP {3,4,5}).
    double tier0 = std::max(std::max(c.nmp(c.dec(K::f1, ctx), 3), c.nmp(cols(c.dec(K::f3, ctx), 12902), 3)),
                            c.npu(cols(c.dec(K::f3, ctx), 1434), 2));
    double tier1 = std::max(c.nmp(cols(c.dec(K::f2, ctx), 3686), 6), c.npu(cols(c.dec(K::f2, ctx), 410), 2));
    decode += mag0 + qk + sv + mag2 + tier0 + tier1;
  }
  EXPECT_NEAR(t.decode_per_layer_s, decode, decode * 1e-12);
  EXPECT_NEAR(t.latency_per_layer_s, prefill + decode, (prefill + decode) * 1e-12);
  EXPECT_NEAR(t.latency_model_s, 32 * (prefill + decode), (prefill + decode) * 1e-10);
  EXPECT_EQ(t.decode_steps, 3);
  EXPECT_DOUBLE_EQ(ev.latency_per_layer_s(df), t.latency_per_layer_s);
}

TEST(MappingEvaluator, TierSumsNpuPartsAndMaxesNmpParts) {
  Ctx c;
  // One MPG {f1, f3 -> f2}: f1 and f3 both on the NPU in one tier (their times add), f2 on NMP.
  Dataflow df = load_dataflow(data("mapping/llama_handwritten.yaml"), c.model, c.hw);
  auto& ffn = df.mags[3].mpgs[0];
  ffn.tiers[0].ops[0] = OperatorBinding{c.model.graph.find("f1"), 0x7, true, 0, true};   // NPU over 3 NMP + pool
  ffn.tiers[0].ops[1] = OperatorBinding{c.model.graph.find("f3"), 0x38, true, 0, true};  // NPU over 3 NMP + pool
  ffn.tiers[1].ops[0] = OperatorBinding{c.model.graph.find("f2"), 0x3f, true, 0.5, false};
  ASSERT_TRUE(dataflow_violations(df, c.model, c.hw, {1, 2048}).empty());
  AnalyticEvaluator ev(c.hw, c.model, c.sc, 1);
  auto t = ev.evaluate(df);
  double f1 = 0, f3 = 0;
  for (const auto& o : t.ops) {
    if (c.model.graph.name(o.op) == "f1") f1 = o.decode_last_step_s;
    if (c.model.graph.name(o.op) == "f3") f3 = o.decode_last_step_s;
  }
  EXPECT_NEAR(f1, c.npu(c.dec(OpKind::f1, 103), 5), 1e-15);
  // Decode of the FFN MAG at any step: (f1 + f3) on the NPU, then f2 MIX.
  double f2 = std::max(c.nmp(cols(c.dec(OpKind::f2, 103), 2048), 6), c.npu(cols(c.dec(OpKind::f2, 103), 2048), 2));
  Dataflow only_ffn_changed = load_dataflow(data("mapping/llama_handwritten.yaml"), c.model, c.hw);
  AnalyticEvaluator ev2(c.hw, c.model, c.sc, 1);
  auto base = ev2.evaluate(only_ffn_changed);
  double base_ffn = 0;
  {
    const int64_t ctx = 103;
    base_ffn = std::max(std::max(c.nmp(c.dec(OpKind::f1, ctx), 3), c.nmp(cols(c.dec(OpKind::f3, ctx), 12902), 3)),
                        c.npu(cols(c.dec(OpKind::f3, ctx), 1434), 2)) +
               std::max(c.nmp(cols(c.dec(OpKind::f2, ctx), 3686), 6), c.npu(cols(c.dec(OpKind::f2, ctx), 410), 2));
  }
  EXPECT_NEAR(t.decode_last_step_per_layer_s - base.decode_last_step_per_layer_s, (f1 + f3 + f2) - base_ffn, 1e-12);
}

TEST(MappingEvaluator, ContextGrowsOneTokenPerStepUnlessArtifactCompat) {
  Ctx c;
  Dataflow df = make_fixed_baseline("attn-nmp", c.model, c.hw);
  AnalyticEvaluator stepped(c.hw, c.model, c.sc, 4);
  AnalyticEvaluator compat(c.hw, c.model, c.sc, 4, {true});
  ASSERT_EQ(stepped.decode_contexts().size(), 3u);
  EXPECT_EQ(stepped.decode_contexts()[0].first, 101);
  ASSERT_EQ(compat.decode_contexts().size(), 1u);
  EXPECT_EQ(compat.decode_contexts()[0].first, 103);
  EXPECT_EQ(compat.decode_contexts()[0].second, 3);
  c.batch = 4;
  double qk_stepped = 0;
  for (int64_t ctx : {101, 102, 103}) qk_stepped += c.nmp(c.dec(OpKind::qk, ctx), 6);
  auto ts = stepped.evaluate(df), tc = compat.evaluate(df);
  for (size_t i = 0; i < ts.ops.size(); ++i) {
    if (c.model.graph.kind(ts.ops[i].op) == OpKind::qk) {
      EXPECT_NEAR(ts.ops[i].decode_s, qk_stepped, 1e-15);
      EXPECT_NEAR(tc.ops[i].decode_s, 3 * c.nmp(c.dec(OpKind::qk, 103), 6), 1e-15);
    }
  }
  EXPECT_LT(ts.decode_per_layer_s, tc.decode_per_layer_s);
  // Context is capped at the max context.
  Scenario longs{"long", 2040, 20, 2048};
  AnalyticEvaluator capped(c.hw, c.model, longs, 1);
  EXPECT_EQ(capped.decode_contexts().back().first, 2048);
  EXPECT_EQ(capped.decode_contexts().back().second, 13);
}

TEST(MappingEvaluator, ArtifactCompatMixChargesNmpBandwidthToTheNpuPart) {
  Ctx c;
  Dataflow df = load_dataflow(data("mapping/llama_handwritten.yaml"), c.model, c.hw);
  AnalyticEvaluator ok(c.hw, c.model, c.sc, 1), compat(c.hw, c.model, c.sc, 1, {true});
  auto a = ok.evaluate(df), b = compat.evaluate(df);
  for (size_t i = 0; i < a.ops.size(); ++i) {
    if (c.model.graph.name(a.ops[i].op) != "f2") continue;
    // NPU part: 410 columns (round) from the 2 pool channels vs int(0.9 x 4096) = 3686 -> 410 from 8 channels.
    EXPECT_NEAR(a.ops[i].decode_npu_s, 3 * c.npu(cols(c.dec(OpKind::f2, 101), 410), 2), 1e-15);
    EXPECT_NEAR(b.ops[i].decode_npu_s, 3 * c.npu(cols(c.dec(OpKind::f2, 103), 410), 8), 1e-15);
  }
}

// The artifact's FixedMappingEvaluator, written out: operators one after another; prefill on the
// NPU; decode at the final context. FC-NMP: FC on the NMP channels (prefill reads those), attention
// on the NPU over all channels.
TEST(MappingEvaluator, FcNmpMatchesTheArtifactFormula) {
  for (int64_t batch : {1, 4, 16}) {
    Ctx c;
    c.batch = batch;
    c.sc = Scenario{"sharegpt", 783, 209, 2048};
    AnalyticEvaluator ev(c.hw, c.model, c.sc, batch, {true});
    auto t = ev.evaluate(make_fixed_baseline("fc-nmp", c.model, c.hw));
    double prefill = 0, step = 0;
    for (int op = 0; op < c.model.graph.size(); ++op) {
      OpKind k = c.model.graph.kind(op);
      bool attn = is_attention(k);
      prefill += c.npu(c.pre(k), attn ? 8 : 6);
      step += attn ? c.npu(c.dec(k, 992), 8) : c.nmp(c.dec(k, 992), 6);
    }
    EXPECT_NEAR(t.prefill_per_layer_s, prefill, prefill * 1e-12) << batch;
    EXPECT_NEAR(t.decode_per_layer_s, 209 * step, 209 * step * 1e-12) << batch;
  }
}

TEST(MappingEvaluator, AttnNmpSplitMatchesTheArtifactFormula) {
  Ctx c;
  c.sc = Scenario{"humaneval", 157, 67, 2048};
  AnalyticEvaluator ev(c.hw, c.model, c.sc, 1, {true});
  auto t = ev.evaluate(make_fixed_baseline("attn-nmp-split", c.model, c.hw, true));
  double step = 0;
  for (int op = 0; op < c.model.graph.size(); ++op) {
    OpKind k = c.model.graph.kind(op);
    GemmShape s = c.dec(k, 224);
    if (is_attention(k)) {
      step += c.nmp(s, 6);
    } else if (k == OpKind::f1 || k == OpKind::f2 || k == OpKind::f3) {
      // ratio 6: NPU gets ceil(N x 6/7) over all 8 channels, NMP ceil(N / 7).
      int64_t npu_n = int64_t(std::ceil(double(s.n) * 6 / 7)), nmp_n = int64_t(std::ceil(double(s.n) / 7));
      step += std::max(c.npu(cols(s, npu_n), 8), c.nmp(cols(s, nmp_n), 6));
    } else {
      step += c.npu(s, 8);
    }
  }
  EXPECT_NEAR(t.decode_per_layer_s, 67 * step, 67 * step * 1e-9);
}

TEST(MappingEvaluator, NpuOnlyOnTheCpDesign) {
  Ctx c;
  HardwareConfig cp = load_hardware_config(src("configs/hardware/npu-only.yaml"));
  AnalyticEvaluator ev(cp, c.model, c.sc, 1, {true});
  auto t = ev.evaluate(make_fixed_baseline("npu-only", c.model, cp));
  double step = 0;
  for (int op = 0; op < c.model.graph.size(); ++op) {
    step += estimate_npu_gemm(cp, c.dec(c.model.graph.kind(op), 103), 8).latency_ns * 1e-9;
  }
  EXPECT_NEAR(t.decode_per_layer_s, 3 * step, 3 * step * 1e-12);
}

// --artifact-compat on the in-die designs: the artifact divides every NMP GEMM latency by its
// fitted "utilization" (dse/nmp_evaluator.py: ID-NMP+ 0.71/0.45/0.52, ID-NMP 0.46/0.71/0.83 at
// batch 1/4/16); the default never does. FC-NMP on these all-NMP designs: FC operators on the 8
// NMP channels (divided), attention on the NPU reading all 8 channels (not divided).
TEST(MappingEvaluator, ArtifactCompatDividesInDieNmpLatencyByTheArtifactsFittedUtilization) {
  struct Case {
    const char* design;
    int64_t batch;
    double fitted;
  };
  for (const Case& k : {Case{"id-nmp-plus", 1, 0.71}, Case{"id-nmp-plus", 4, 0.45}, Case{"id-nmp-plus", 16, 0.52},
                        Case{"id-nmp", 1, 0.46}, Case{"id-nmp", 4, 0.71}, Case{"id-nmp", 16, 0.83}}) {
    Ctx c;
    c.hw = load_hardware_config(src(std::string("configs/hardware/") + k.design + ".yaml"));
    c.batch = k.batch;
    c.sc = Scenario{"humaneval", 157, 67, 2048};
    EXPECT_DOUBLE_EQ(artifact_fitted_nmp_utilization(c.hw.pe, k.batch), k.fitted) << k.design;
    const Dataflow df = make_fixed_baseline("fc-nmp", c.model, c.hw, true);
    AnalyticEvaluator compat(c.hw, c.model, c.sc, k.batch, {true}), plain(c.hw, c.model, c.sc, k.batch);
    EXPECT_DOUBLE_EQ(compat.nmp_latency_divisor(), k.fitted);
    EXPECT_DOUBLE_EQ(plain.nmp_latency_divisor(), 1.0);
    const auto t = compat.evaluate(df);
    double step = 0;
    for (int op = 0; op < c.model.graph.size(); ++op) {
      const OpKind kind = c.model.graph.kind(op);
      step += is_attention(kind) ? c.npu(c.dec(kind, 224), 8) : c.nmp(c.dec(kind, 224), 8) / k.fitted;
    }
    EXPECT_NEAR(t.decode_per_layer_s, 67 * step, 67 * step * 1e-9) << k.design << " " << k.batch;
    EXPECT_LT(plain.evaluate(df).decode_per_layer_s, t.decode_per_layer_s);
  }
  // Other PE tuples and batches: 1 (H2-LLM's PE, batch 2 on ID-NMP+).
  const HardwareConfig h2 = load_hardware_config(src("configs/hardware/h2llm.yaml"));
  EXPECT_DOUBLE_EQ(artifact_fitted_nmp_utilization(h2.pe, 1), 1.0);
  const HardwareConfig idp = load_hardware_config(src("configs/hardware/id-nmp-plus.yaml"));
  EXPECT_DOUBLE_EQ(artifact_fitted_nmp_utilization(idp.pe, 2), 1.0);
}

// A searched dataflow asked for as a fixed one: said so, not "did you mean" the same name.
TEST(MappingBaselines, SearchedDataflowIsNotAFixedOne) {
  Ctx c;
  try {
    make_fixed_baseline("cc-nmp", c.model, c.hw);
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'cc-nmp' is a searched dataflow"), std::string::npos) << what;
    EXPECT_EQ(what.find("did you mean"), std::string::npos) << what;
  }
}

// Operator graphs, model and scenario configs, per-pass shapes and storage (reference §3).
#include <gtest/gtest.h>

#include <fstream>

#include "config/errors.hpp"
#include "mapping/model.hpp"

using namespace h2sim;

namespace {
std::string src(const std::string& rel) { return std::string(H2SIM_SOURCE_DIR) + "/" + rel; }
ModelConfig llama() { return load_model_config(src("configs/models/llama3-8b.yaml")); }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(MappingGraph, ModelsLoadWithTheirGraphs) {
  auto opt = load_model_config(src("configs/models/opt-6.7b.yaml"));
  EXPECT_EQ(opt.graph.size(), 8);
  EXPECT_EQ(opt.graph.edges().size(), 7u);
  EXPECT_EQ(opt.head_dim(), 128);
  auto l = llama();
  EXPECT_EQ(l.graph.size(), 9);
  EXPECT_EQ(l.group_size(), 4);
  EXPECT_TRUE(l.graph.has_edge(l.graph.find("o"), l.graph.find("f3")));
  auto palm = load_model_config(src("configs/models/palm-8b.yaml"));
  EXPECT_EQ(palm.head_dim(), 256);
  // Parallel block: the FFN is disconnected from the attention chain.
  EXPECT_EQ(palm.graph.weak_components(palm.graph.all_mask()).size(), 2u);
  EXPECT_EQ(l.graph.weak_components(l.graph.all_mask()).size(), 1u);
}

TEST(MappingGraph, TopologicalOrderAndDescendants) {
  auto l = llama();
  const auto& g = l.graph;
  std::vector<int> pos(g.size());
  for (int i = 0; i < g.size(); ++i) pos[g.topological_order()[i]] = i;
  for (const auto& e : g.edges()) EXPECT_LT(pos[e.first], pos[e.second]);
  uint64_t from_q = g.descendants(g.find("q"));
  for (const char* n : {"qk", "sv", "o", "f1", "f3", "f2"}) EXPECT_TRUE(from_q & (1ULL << g.find(n))) << n;
  EXPECT_FALSE(from_q & (1ULL << g.find("k")));
  EXPECT_EQ(g.descendants(g.find("f2")), 0u);
  // Components of a subset: {q, k, f1} -> q and k are not connected without qk.
  uint64_t sub = (1ULL << g.find("q")) | (1ULL << g.find("k")) | (1ULL << g.find("f1"));
  EXPECT_EQ(g.weak_components(sub).size(), 3u);
  sub |= 1ULL << g.find("qk");
  EXPECT_EQ(g.weak_components(sub).size(), 2u);
}

TEST(MappingGraph, ArtifactFormatLoadsUnchanged) {
  auto a = load_model_config(std::string(H2SIM_TEST_DATA_DIR) + "/artifact/llama3-8b/operator_graph.json");
  auto y = llama();
  EXPECT_EQ(a.layers, y.layers);
  EXPECT_EQ(a.ffn, y.ffn);
  EXPECT_EQ(a.kv_heads, y.kv_heads);
  EXPECT_EQ(a.ffn_kind, "gated");
  ASSERT_EQ(a.graph.size(), y.graph.size());
  EXPECT_EQ(a.graph.edges().size(), y.graph.edges().size());
  for (const auto& e : y.graph.edges()) {
    EXPECT_TRUE(a.graph.has_edge(a.graph.find(y.graph.name(e.first)), a.graph.find(y.graph.name(e.second))));
  }
}

TEST(MappingGraph, CycleIsRejectedNamingItsOperators) {
  std::string msg = error_of([] { load_model_config(std::string(H2SIM_TEST_DATA_DIR) + "/bad/mapping/cyclic_graph.yaml"); });
  EXPECT_NE(msg.find("cycle"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'sv'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'o'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cyclic_graph.yaml"), std::string::npos) << msg;
}

TEST(MappingGraph, UnknownKindIsRejectedNamingTheOperator) {
  std::string msg = error_of([] { load_model_config(std::string(H2SIM_TEST_DATA_DIR) + "/bad/mapping/unknown_kind.yaml"); });
  EXPECT_NE(msg.find("'gate'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown kind 'fc1'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'f1'"), std::string::npos) << msg;
}

TEST(MappingGraph, DuplicateNamesAndUnknownEdgeEndsAreRejected) {
  std::vector<OperatorNode> nodes{{"q", OpKind::q}, {"q", OpKind::k}};
  EXPECT_NE(error_of([&] { OperatorGraph(nodes, {}, "x"); }).find("'q' is used twice"), std::string::npos);
  std::vector<OperatorNode> ok{{"q", OpKind::q}, {"k", OpKind::k}, {"qk", OpKind::qk}};
  std::string msg = error_of([&] { OperatorGraph(ok, {{"q", "qkk"}}, "x"); });
  EXPECT_NE(msg.find("unknown operator 'qkk'"), std::string::npos) << msg;
  EXPECT_NE(error_of([&] { OperatorGraph(ok, {{"q", "q"}}, "x"); }).find("self loop"), std::string::npos);
}

TEST(MappingGraph, ScenariosMatchTheReference) {
  struct {
    const char* name;
    int64_t p, d;
  } expected[] = {{"humaneval", 157, 67}, {"sharegpt", 783, 209}, {"longbench", 1886, 97}, {"loogle", 1971, 17}};
  for (const auto& e : expected) {
    auto s = load_scenario(src(std::string("configs/scenarios/") + e.name + ".yaml"));
    EXPECT_EQ(s.prompt_tokens, e.p) << e.name;
    EXPECT_EQ(s.decode_tokens, e.d) << e.name;
    EXPECT_EQ(s.max_context_tokens, 2048);
  }
}

TEST(MappingGraph, ShapesFollowTheReferenceTable) {
  auto l = llama();  // D 4096, F 14336, H 32, kv 8, hd 128, g 4
  PassShape dec{Pass::decode, 4, 1, 900};
  auto q = operator_shape(l, OpKind::q, dec);
  EXPECT_EQ(q.batch, 1); EXPECT_EQ(q.m, 4); EXPECT_EQ(q.k, 4096); EXPECT_EQ(q.n, 4096);
  auto k = operator_shape(l, OpKind::k, dec);
  EXPECT_EQ(k.n, 1024);
  auto f1 = operator_shape(l, OpKind::f1, dec);
  EXPECT_EQ(f1.k, 4096); EXPECT_EQ(f1.n, 14336);
  auto f2 = operator_shape(l, OpKind::f2, dec);
  EXPECT_EQ(f2.k, 14336); EXPECT_EQ(f2.n, 4096);
  auto qk = operator_shape(l, OpKind::qk, dec);
  EXPECT_EQ(qk.batch, 32); EXPECT_EQ(qk.m, 4); EXPECT_EQ(qk.k, 128); EXPECT_EQ(qk.n, 900);
  auto sv = operator_shape(l, OpKind::sv, dec);
  EXPECT_EQ(sv.batch, 32); EXPECT_EQ(sv.m, 4); EXPECT_EQ(sv.k, 900); EXPECT_EQ(sv.n, 128);
  PassShape pre{Pass::prefill, 2, 157, 157};
  EXPECT_EQ(operator_shape(l, OpKind::o, pre).m, 314);
  EXPECT_EQ(operator_shape(l, OpKind::qk, pre).m, 157 * 4);
  EXPECT_EQ(operator_shape(l, OpKind::qk, pre).n, 157);
}

TEST(MappingGraph, StorageBytesPerPrecision) {
  auto l = llama();
  EXPECT_DOUBLE_EQ(operator_storage_bytes(l, OpKind::q, 1, 2048, 2), 4096.0 * 4096 * 2);
  EXPECT_DOUBLE_EQ(operator_storage_bytes(l, OpKind::f2, 1, 2048, 1), 14336.0 * 4096);
  // Keys of 8 KV heads x 128 dims x 2048 tokens x batch 16, FP16.
  EXPECT_DOUBLE_EQ(operator_storage_bytes(l, OpKind::qk, 16, 2048, 2), 16.0 * 8 * 2048 * 128 * 2);
  EXPECT_DOUBLE_EQ(operator_storage_bytes(l, OpKind::sv, 16, 2048, 0.5), 16.0 * 8 * 2048 * 128 * 0.5);
}

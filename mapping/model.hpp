#pragma once
// LLM workloads for the mapping layer: the model shape, the operator graph of one decoder layer
// (GEMMs only, reference §3), the scenarios (prompt / decode lengths) and the per-pass operator
// shapes and storage footprints.
//
// The graph is stored in a Boost.Graph adjacency list; operators are addressed by their index
// 0..size()-1 (the order they were declared in), which every other mapping object uses.
#include <boost/graph/adjacency_list.hpp>

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>
#include <vector>

#include "mapping/gemm.hpp"

namespace h2sim {

// The GEMM kinds a decoder layer is made of (reference §3).
enum class OpKind { q, k, v, qk, sv, o, f1, f2, f3 };

const char* to_string(OpKind kind);
// Parses a kind name; returns false if unknown.
bool parse_op_kind(const std::string& name, OpKind* kind);
std::vector<std::string> op_kind_names();
// Attention operators read the KV cache (their "weights" grow with the context).
inline bool is_attention(OpKind k) { return k == OpKind::qk || k == OpKind::sv; }

struct OperatorNode {
  std::string name;
  OpKind kind = OpKind::q;
};

// A validated DAG of at most 64 operators (bitmasks over operators are used for speed).
class OperatorGraph {
 public:
  using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, OperatorNode>;
  static constexpr int kMaxOperators = 64;

  OperatorGraph() = default;
  // Builds and validates: unique names, edges between known operators, no self loops or
  // duplicate edges, acyclic (a cycle is reported with the operators on it). `origin` prefixes
  // every error message (file name).
  // `nodes_key` / `edges_key` name the keys the nodes and edges came from, for the messages.
  OperatorGraph(std::vector<OperatorNode> nodes, const std::vector<std::pair<std::string, std::string>>& edges,
                const std::string& origin, const std::string& nodes_key = "operators",
                const std::string& edges_key = "edges");

  int size() const { return static_cast<int>(nodes_.size()); }
  const OperatorNode& node(int op) const { return nodes_[op]; }
  const std::string& name(int op) const { return nodes_[op].name; }
  OpKind kind(int op) const { return nodes_[op].kind; }
  int find(const std::string& name) const;  // -1 if absent
  const std::vector<int>& successors(int op) const { return succ_[op]; }
  const std::vector<int>& predecessors(int op) const { return pred_[op]; }
  bool has_edge(int from, int to) const;
  const std::vector<std::pair<int, int>>& edges() const { return edges_; }
  // A deterministic topological order (Kahn's algorithm, smallest index first).
  const std::vector<int>& topological_order() const { return topo_; }
  // Bitmask of the operators reachable from `op` (not including op).
  uint64_t descendants(int op) const { return desc_[op]; }
  // Weakly connected components of the subgraph induced by `ops` (bitmask), each a bitmask,
  // ordered by their smallest operator index.
  std::vector<uint64_t> weak_components(uint64_t ops) const;
  uint64_t all_mask() const { return size() == 64 ? ~0ULL : ((1ULL << size()) - 1); }
  const BoostGraph& boost_graph() const { return graph_; }

 private:
  std::vector<OperatorNode> nodes_;
  std::vector<std::pair<int, int>> edges_;
  std::vector<std::vector<int>> succ_, pred_;
  std::vector<int> topo_;
  std::vector<uint64_t> desc_;
  BoostGraph graph_;
};

struct ModelConfig {
  std::string name;
  std::string source_file;
  int64_t layers = 0;
  int64_t hidden = 0;      // D
  int64_t ffn = 0;         // F
  int64_t q_heads = 0;     // H
  int64_t kv_heads = 0;    // kv (GQA / MQA when < H)
  std::string ffn_kind;    // "plain" (f1 -> f2) or "gated" (f1, f3 -> f2)
  OperatorGraph graph;     // one decoder layer
  // The weights beyond the layers' GEMMs (mapping/model_parameters.hpp), known from a Hugging Face
  // config (mapping/hf_model.cpp); an h2sim YAML or artifact model leaves vocab 0 (unknown).
  int64_t vocab = 0;                 // token embeddings and LM head rows; 0: unknown
  bool tie_word_embeddings = false;  // the LM head is the embedding matrix (counted once)
  bool qkv_bias = false, o_bias = false, mlp_bias = false;
  bool layer_norm = false;           // LayerNorm (weight + bias) rather than RMSNorm (weight)
  int64_t learned_positions = 0;     // rows of a learned position embedding (OPT)

  int64_t head_dim() const { return hidden / q_heads; }
  int64_t group_size() const { return q_heads / kv_heads; }
};

// Loads a model: an h2sim YAML (configs/models/*.yaml), the artifact's operator_graph.json (its
// shape.json is read from the same directory), or a Hugging Face config.json (a file whose name is
// config.json, or a folder holding one: mapping/hf_model.hpp).
ModelConfig load_model_config(const std::string& path);

// For the model loaders: the model numbers' key names in a format, their validation (`fail(key,
// message)` throws an InputError naming the file and key), and strict JSON parsing (duplicate
// keys refused, errors with line and column).
struct ModelKeys {
  const char* layers;
  const char* hidden;
  const char* ffn;
  const char* q_heads;
  const char* kv_heads;
};
void validate_model_numbers(const ModelConfig& m, const ModelKeys& keys,
                            const std::function<void(const char*, const std::string&)>& fail);
nlohmann::json parse_json(const std::string& path);
// Only the artifact's shape.json (the model numbers, validated; no graph).
ModelConfig load_artifact_shape(const std::string& shape_json_path);
// The artifact's format: `node: {name: id}`, `edge: [[id, id]]`, and shape.json with
// `type, layer_num, hidden_dim, intermediate_dim, q_head_num, kv_head_num`.
ModelConfig load_artifact_model(const std::string& graph_json_path, const std::string& shape_json_path);

struct Scenario {
  std::string name;
  int64_t prompt_tokens = 0;
  int64_t decode_tokens = 0;
  int64_t max_context_tokens = 2048;  // KV cache capacity is sized for this context
};

Scenario load_scenario(const std::string& path);

// The context decode step `step` (1-based) attends over: the prompt and the `step` tokens
// generated so far, the new one included, capped at max_context_tokens. With `artifact_compat`
// every step runs at the final context (prompt + decode tokens), as the artifact does. The one
// definition for the analytic evaluator, the simulated runs and their activity counts.
int64_t decode_context_tokens(const Scenario& scenario, int64_t step, bool artifact_compat);

enum class Pass { prefill, decode };

// One pass of a layer: `tokens` new tokens per sequence (prompt length in prefill, 1 in decode)
// attending over `context` tokens, for `batch` sequences.
struct PassShape {
  Pass pass = Pass::decode;
  int64_t batch = 1;
  int64_t tokens = 1;
  int64_t context = 1;
};

// The batched GEMM of an operator in a pass (reference §3 table).
GemmShape operator_shape(const ModelConfig& model, OpKind kind, const PassShape& pass);

// Bytes an operator keeps in memory for ONE layer: its weight matrix (FC), or its half of the KV
// cache (qk: keys, sv: values) for `batch` sequences of `context` tokens.
double operator_storage_bytes(const ModelConfig& model, OpKind kind, int64_t batch, int64_t context,
                              double element_bytes);

}  // namespace h2sim

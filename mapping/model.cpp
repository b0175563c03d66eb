#include "mapping/model.hpp"

#include "mapping/hf_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/topological_sort.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "config/errors.hpp"
#include "config/yaml_reader.hpp"

namespace h2sim {

namespace {
const std::vector<std::pair<OpKind, const char*>> kKindNames = {
    {OpKind::q, "q"},   {OpKind::k, "k"}, {OpKind::v, "v"},   {OpKind::qk, "qk"}, {OpKind::sv, "sv"},
    {OpKind::o, "o"},   {OpKind::f1, "f1"}, {OpKind::f2, "f2"}, {OpKind::f3, "f3"}};
}  // namespace

const char* to_string(OpKind kind) {
  for (const auto& [k, n] : kKindNames) {
    if (k == kind) return n;
  }
  return "?";
}

bool parse_op_kind(const std::string& name, OpKind* kind) {
  for (const auto& [k, n] : kKindNames) {
    if (name == n) {
      *kind = k;
      return true;
    }
  }
  return false;
}

std::vector<std::string> op_kind_names() {
  std::vector<std::string> out;
  for (const auto& kn : kKindNames) out.push_back(kn.second);
  return out;
}

OperatorGraph::OperatorGraph(std::vector<OperatorNode> nodes,
                             const std::vector<std::pair<std::string, std::string>>& edges,
                             const std::string& origin, const std::string& nodes_key,
                             const std::string& edges_key)
    : nodes_(std::move(nodes)) {
  const int n = size();
  if (n == 0) throw InputError(fmt::format("{}: key '{}': the operator graph has no operators", origin, nodes_key));
  if (n > kMaxOperators) {
    throw InputError(fmt::format("{}: key '{}': the operator graph has {} operators, at most {} are supported", origin, nodes_key, n,
                                 kMaxOperators));
  }
  std::map<std::string, int> index;
  for (int i = 0; i < n; ++i) {
    if (nodes_[i].name.empty()) throw InputError(fmt::format("{}: key '{}[{}]': the operator has an empty name", origin, nodes_key, i));
    if (!index.emplace(nodes_[i].name, i).second) {
      throw InputError(fmt::format("{}: key '{}': operator name '{}' is used twice (names must be unique)", origin, nodes_key,
                                   nodes_[i].name));
    }
  }
  graph_ = BoostGraph(n);
  for (int i = 0; i < n; ++i) graph_[i] = nodes_[i];
  succ_.assign(n, {});
  pred_.assign(n, {});
  std::set<std::pair<int, int>> seen;
  for (const auto& [from, to] : edges) {
    auto f = index.find(from), t = index.find(to);
    if (f == index.end() || t == index.end()) {
      const std::string& bad = f == index.end() ? from : to;
      std::vector<std::string> names;
      for (const auto& kv : index) names.push_back(kv.first);
      std::string hint = closest_match(bad, names);
      throw InputError(fmt::format("{}: key '{}': edge [{}, {}] names unknown operator '{}'{}", origin, edges_key, from, to, bad,
                                   hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
    }
    if (f->second == t->second) {
      throw InputError(fmt::format("{}: key '{}': edge [{}, {}] is a self loop: operator '{}' is on a cycle", origin, edges_key, from,
                                   to, from));
    }
    if (!seen.insert({f->second, t->second}).second) {
      throw InputError(fmt::format("{}: key '{}': edge [{}, {}] is listed twice", origin, edges_key, from, to));
    }
    edges_.push_back({f->second, t->second});
    succ_[f->second].push_back(t->second);
    pred_[t->second].push_back(f->second);
    boost::add_edge(f->second, t->second, graph_);
  }

  // Acyclicity: Boost's topological sort detects a cycle; a DFS then names its operators.
  try {
    std::vector<BoostGraph::vertex_descriptor> order;
    boost::topological_sort(graph_, std::back_inserter(order));
  } catch (const boost::not_a_dag&) {
    std::vector<int> color(n, 0), stack;
    std::vector<int> cycle;
    std::function<bool(int)> dfs = [&](int u) {
      color[u] = 1;
      stack.push_back(u);
      for (int w : succ_[u]) {
        if (color[w] == 1) {
          auto it = std::find(stack.begin(), stack.end(), w);
          cycle.assign(it, stack.end());
          return true;
        }
        if (color[w] == 0 && dfs(w)) return true;
      }
      stack.pop_back();
      color[u] = 2;
      return false;
    };
    for (int i = 0; i < n && cycle.empty(); ++i) {
      if (color[i] == 0) dfs(i);
    }
    std::string path;
    for (int op : cycle) path += "'" + nodes_[op].name + "' -> ";
    if (!cycle.empty()) path += "'" + nodes_[cycle.front()].name + "'";
    throw InputError(fmt::format("{}: key '{}': the edges form a cycle: {} (the operator graph must be acyclic)", origin, edges_key, path));
  }

  // Deterministic Kahn order: the ready operator with the smallest index first.
  std::vector<int> indeg(n, 0);
  for (const auto& e : edges_) indeg[e.second]++;
  std::set<int> ready;
  for (int i = 0; i < n; ++i) {
    if (indeg[i] == 0) ready.insert(i);
  }
  while (!ready.empty()) {
    int u = *ready.begin();
    ready.erase(ready.begin());
    topo_.push_back(u);
    for (int w : succ_[u]) {
      if (--indeg[w] == 0) ready.insert(w);
    }
  }
  desc_.assign(n, 0);
  for (auto it = topo_.rbegin(); it != topo_.rend(); ++it) {
    for (int w : succ_[*it]) desc_[*it] |= (1ULL << w) | desc_[w];
  }
}

int OperatorGraph::find(const std::string& name) const {
  for (int i = 0; i < size(); ++i) {
    if (nodes_[i].name == name) return i;
  }
  return -1;
}

bool OperatorGraph::has_edge(int from, int to) const {
  return std::find(succ_[from].begin(), succ_[from].end(), to) != succ_[from].end();
}

std::vector<uint64_t> OperatorGraph::weak_components(uint64_t ops) const {
  std::vector<uint64_t> out;
  uint64_t left = ops;
  while (left) {
    int seed = __builtin_ctzll(left);
    uint64_t comp = 1ULL << seed, frontier = comp;
    while (frontier) {
      int u = __builtin_ctzll(frontier);
      frontier &= frontier - 1;
      auto visit = [&](int w) {
        uint64_t b = 1ULL << w;
        if ((ops & b) && !(comp & b)) {
          comp |= b;
          frontier |= b;
        }
      };
      for (int w : succ_[u]) visit(w);
      for (int w : pred_[u]) visit(w);
    }
    out.push_back(comp);
    left &= ~comp;
  }
  return out;
}

namespace {
constexpr ModelKeys kYamlKeys{"layers", "hidden", "ffn", "q_heads", "kv_heads"};
constexpr ModelKeys kJsonKeys{"layer_num", "hidden_dim", "intermediate_dim", "q_head_num", "kv_head_num"};

// Upper bounds far above any real LLM (405B: 126 layers, hidden 16384, ffn 53248) that keep
// every shape product (batch x context x hidden ...) well inside int64 and double precision.
constexpr int64_t kMaxLayers = 4096;
constexpr int64_t kMaxHidden = int64_t(1) << 20;
constexpr int64_t kMaxFfn = int64_t(1) << 22;

}  // namespace

void validate_model_numbers(const ModelConfig& m, const ModelKeys& keys,
                            const std::function<void(const char*, const std::string&)>& fail) {
  auto in_range = [&](int64_t v, const char* key, int64_t max) {
    if (v <= 0 || v > max) fail(key, fmt::format("must be a whole number in 1..{}, found {}", max, v));
  };
  in_range(m.layers, keys.layers, kMaxLayers);
  in_range(m.hidden, keys.hidden, kMaxHidden);
  in_range(m.ffn, keys.ffn, kMaxFfn);
  in_range(m.q_heads, keys.q_heads, m.hidden);
  in_range(m.kv_heads, keys.kv_heads, m.q_heads);
  if (m.hidden % m.q_heads != 0) {
    fail(keys.q_heads, fmt::format("{} ({}) must divide {} ({}) into whole heads", keys.q_heads, m.q_heads,
                                   keys.hidden, m.hidden));
  }
  if (m.q_heads % m.kv_heads != 0) {
    fail(keys.kv_heads, fmt::format("{} ({}) must divide {} ({}): every KV head serves the same number of query "
                                    "heads (valid: a divisor of {})",
                                    keys.kv_heads, m.kv_heads, keys.q_heads, m.q_heads, m.q_heads));
  }
}

nlohmann::json parse_json(const std::string& path) {
  const std::string text = read_text_file(path);
  // The artifact's files are a few hundred bytes; a huge array would only cost memory and time.
  constexpr size_t kMaxJsonBytes = size_t(1) << 20;
  if (text.size() > kMaxJsonBytes) {
    throw InputError(fmt::format("{}: {} bytes is too large for the artifact's model JSON (at most {} KiB)", path,
                                 text.size(), kMaxJsonBytes >> 10));
  }
  try {
    // A key repeated in one object: nlohmann keeps the last value without a word; refuse it.
    std::vector<std::set<std::string>> keys;  // per open object
    const nlohmann::json::parser_callback_t no_duplicate_keys = [&](int /*depth*/, nlohmann::json::parse_event_t event,
                                                                     nlohmann::json& parsed) {
      using E = nlohmann::json::parse_event_t;
      if (event == E::object_start) keys.emplace_back();
      if (event == E::object_end && !keys.empty()) keys.pop_back();
      if (event == E::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second) {
        throw InputError(fmt::format("{}: key '{}' appears twice in one object; only one value can hold", path,
                                     parsed.get<std::string>()));
      }
      return true;
    };
    return nlohmann::json::parse(text, no_duplicate_keys);
  } catch (const nlohmann::json::parse_error& e) {
    // Line and column of the offending byte, like the YAML errors (e.byte is 1-based).
    size_t line = 1, column = 1;
    for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = e.what();
    if (auto colon = what.find(": "); what.rfind("[json.exception", 0) == 0 && colon != std::string::npos) {
      what = what.substr(colon + 2);  // drop "[json.exception.parse_error.101] parse error at line 1, column 2"
    }
    throw InputError(fmt::format("{}:{}:{}: malformed JSON: {}", path, line, column, what));
  } catch (const nlohmann::json::exception& e) {
    // Not a syntax error but a value the parser cannot hold (a number such as 1e600: error 406).
    std::string what = e.what();
    if (auto bracket = what.find("] "); what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) {
      what = what.substr(bracket + 2);
    }
    throw InputError(fmt::format("{}: malformed JSON: {} (valid: numbers within double range)", path, what));
  }
}

namespace {

// The keys of shape.json: a key outside them is unknown, and only an unknown key can be a typo.
const std::vector<std::string> kShapeKeys = {"type", "layer_num", "hidden_dim", "intermediate_dim", "q_head_num",
                                             "kv_head_num"};

int64_t json_int(const nlohmann::json& obj, const std::string& key, const std::string& path) {
  if (!obj.contains(key)) {
    for (const auto& item : obj.items()) {  // a misspelled key is the usual cause
      // A valid key is never a typo of another ('kv_head_num' is not a misspelled 'q_head_num').
      if (std::find(kShapeKeys.begin(), kShapeKeys.end(), item.key()) != kShapeKeys.end()) continue;
      if (closest_match(item.key(), {key}) == key) {
        throw InputError(fmt::format("{}: key '{}': required key is missing; found unknown key '{}' (did you mean '{}'?)",
                                     path, key, item.key(), key));
      }
    }
    throw InputError(fmt::format("{}: key '{}': required key is missing", path, key));
  }
  const auto& v = obj.at(key);
  if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX))) {
    throw InputError(fmt::format("{}: key '{}': expected a whole number, found {}", path, key, v.dump()));
  }
  return v.get<int64_t>();
}

}  // namespace

ModelConfig load_artifact_shape(const std::string& shape_path) {
  nlohmann::json shape = parse_json(shape_path);
  ModelConfig m;
  m.source_file = shape_path;
  if (!shape.is_object()) {
    throw InputError(fmt::format("{}: expected a JSON object with keys type, layer_num, hidden_dim, intermediate_dim, "
                                 "q_head_num, kv_head_num; found {}",
                                 shape_path, shape.type_name()));
  }
  if (!shape.contains("type")) {
    throw InputError(fmt::format("{}: key 'type': required key is missing (valid: opt, llama, palm)", shape_path));
  }
  if (!shape.at("type").is_string()) {
    throw InputError(fmt::format("{}: key 'type': expected a string (opt, llama or palm), found {}", shape_path,
                                 shape.at("type").dump()));
  }
  const std::string type = shape.at("type").get<std::string>();
  if (type == "opt") {
    m.ffn_kind = "plain";
  } else if (type == "llama" || type == "palm") {
    m.ffn_kind = "gated";
  } else {
    throw InputError(fmt::format("{}: key 'type': unknown model type '{}' (valid: opt, llama, palm)", shape_path, type));
  }
  m.name = type;
  m.layers = json_int(shape, "layer_num", shape_path);
  m.hidden = json_int(shape, "hidden_dim", shape_path);
  m.ffn = json_int(shape, "intermediate_dim", shape_path);
  m.q_heads = json_int(shape, "q_head_num", shape_path);
  m.kv_heads = json_int(shape, "kv_head_num", shape_path);
  validate_model_numbers(m, kJsonKeys, [&](const char* key, const std::string& msg) {
    throw InputError(fmt::format("{}: key '{}': {}", shape_path, key, msg));
  });
  for (const auto& item : shape.items()) {
    const std::vector<std::string>& known = kShapeKeys;
    if (std::find(known.begin(), known.end(), item.key()) != known.end()) continue;
    std::string hint = closest_match(item.key(), known);
    throw InputError(fmt::format("{}: unknown key '{}'{}", shape_path, item.key(),
                                 hint.empty() ? fmt::format(" (valid keys: {})", fmt::join(known, ", "))
                                              : fmt::format(" (did you mean '{}'?)", hint)));
  }
  return m;
}

ModelConfig load_artifact_model(const std::string& graph_path, const std::string& shape_path) {
  ModelConfig m = load_artifact_shape(shape_path);
  m.source_file = graph_path;

  nlohmann::json g = parse_json(graph_path);
  if (!g.is_object()) {
    throw InputError(fmt::format("{}: expected a JSON object with keys 'node' and 'edge', found {}", graph_path,
                                 g.type_name()));
  }
  if (!g.contains("node") || !g.at("node").is_object()) {
    throw InputError(fmt::format("{}: key 'node': {} (expected an object {{name: id}})", graph_path,
                                 g.contains("node") ? "found " + g.at("node").dump() : "required key is missing"));
  }
  if (!g.contains("edge") || !g.at("edge").is_array()) {
    throw InputError(fmt::format("{}: key 'edge': {} (expected an array [[id, id], ...])", graph_path,
                                 g.contains("edge") ? "found " + g.at("edge").dump() : "required key is missing"));
  }
  for (const auto& item : g.items()) {
    if (item.key() != "node" && item.key() != "edge") {
      std::string hint = closest_match(item.key(), {"node", "edge"});
      throw InputError(fmt::format("{}: unknown key '{}'{}", graph_path, item.key(),
                                   hint.empty() ? " (valid keys: node, edge)" : fmt::format(" (did you mean '{}'?)", hint)));
    }
  }
  // Operators in increasing id order, so indices do not depend on JSON key order.
  std::map<int64_t, std::string> by_id;
  for (const auto& [name, id] : g.at("node").items()) {
    if (!id.is_number_integer()) {
      throw InputError(fmt::format("{}: key 'node.{}': the id must be a whole number, found {}", graph_path, name, id.dump()));
    }
    if (!by_id.emplace(id.get<int64_t>(), name).second) {
      throw InputError(fmt::format("{}: key 'node.{}': id {} is used twice", graph_path, name, id.get<int64_t>()));
    }
  }
  std::vector<OperatorNode> nodes;
  for (const auto& [id, name] : by_id) {
    OperatorNode n;
    n.name = name;
    if (!parse_op_kind(name, &n.kind)) {
      std::string hint = closest_match(name, op_kind_names());
      throw InputError(fmt::format("{}: key 'node.{}': unknown operator kind '{}' (valid: q, k, v, qk, sv, o, f1, f2, f3){}",
                                   graph_path, name, name, hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
    }
    nodes.push_back(n);
  }
  std::vector<std::pair<std::string, std::string>> edges;
  for (size_t i = 0; i < g.at("edge").size(); ++i) {
    const auto& e = g.at("edge")[i];
    if (!e.is_array() || e.size() != 2 || !e[0].is_number_integer() || !e[1].is_number_integer()) {
      throw InputError(fmt::format("{}: key 'edge[{}]': must be a pair of node ids, found {}", graph_path, i, e.dump()));
    }
    std::string ends[2];
    for (int j = 0; j < 2; ++j) {
      auto it = by_id.find(e[j].get<int64_t>());
      if (it == by_id.end()) {
        throw InputError(fmt::format("{}: key 'edge[{}]': names unknown node id {}", graph_path, i, e[j].get<int64_t>()));
      }
      ends[j] = it->second;
    }
    edges.push_back({ends[0], ends[1]});
  }
  m.graph = OperatorGraph(std::move(nodes), edges, graph_path, "node", "edge");
  return m;
}

ModelConfig load_model_config(const std::string& path) {
  namespace fs = std::filesystem;
  if (is_hf_config_path(path)) return load_hf_model(path);
  if (fs::path(path).extension() == ".json") {
    (void)read_text_file(path);  // the graph itself first: a missing graph is not reported as its shape.json
    fs::path shape = fs::path(path).parent_path() / "shape.json";
    return load_artifact_model(path, shape.string());
  }
  YAML::Node root = load_yaml_file(path);
  if (!root.IsMap()) throw InputError(fmt::format("{}: the document must be a map", path));
  YamlMap top(root, path, "", {"name", "layers", "hidden", "ffn", "q_heads", "kv_heads", "ffn_kind", "operators", "edges"});
  ModelConfig m;
  m.source_file = path;
  m.name = top.name("name");
  m.layers = top.positive_integer("layers");
  m.hidden = top.positive_integer("hidden");
  m.ffn = top.positive_integer("ffn");
  m.q_heads = top.positive_integer("q_heads");
  m.kv_heads = top.positive_integer("kv_heads");
  m.ffn_kind = top.string("ffn_kind");
  if (m.ffn_kind != "plain" && m.ffn_kind != "gated") {
    top.fail("ffn_kind", fmt::format("unknown FFN kind '{}' (valid: plain, gated)", m.ffn_kind));
  }
  validate_model_numbers(m, kYamlKeys, [&](const char* key, const std::string& msg) { top.fail(key, msg); });

  YAML::Node ops = top.raw("operators");
  if (!ops.IsSequence() || ops.size() == 0) top.fail("operators", "must be a non-empty list of operators");
  std::vector<OperatorNode> nodes;
  for (size_t i = 0; i < ops.size(); ++i) {
    std::string where = top.key_path("operators") + fmt::format("[{}]", i);
    OperatorNode n;
    std::string kind;
    if (ops[i].IsScalar()) {
      n.name = kind = ops[i].as<std::string>();
    } else if (ops[i].IsMap()) {
      YamlMap om(ops[i], path, where, {"name", "kind"});
      n.name = om.name("name");
      kind = om.optional_string("kind").value_or(n.name);
      om.reject_unknown_keys();
    } else {
      throw InputError(fmt::format("{}: key '{}': an operator is a kind name or {{name, kind}}", path, where));
    }
    if (!parse_op_kind(kind, &n.kind)) {
      std::string hint = closest_match(kind, op_kind_names());
      throw InputError(fmt::format("{}: key '{}': operator '{}' has unknown kind '{}' (valid: q, k, v, qk, sv, o, f1, f2, f3){}",
                                   path, where, n.name, kind,
                                   hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
    }
    nodes.push_back(n);
  }
  YAML::Node es = top.raw("edges");
  if (!es.IsSequence()) top.fail("edges", "must be a list of [from, to] operator name pairs");
  std::vector<std::pair<std::string, std::string>> edges;
  for (size_t i = 0; i < es.size(); ++i) {
    if (!es[i].IsSequence() || es[i].size() != 2 || !es[i][0].IsScalar() || !es[i][1].IsScalar()) {
      throw InputError(fmt::format("{}: key '{}[{}]': an edge is a pair [from, to] of operator names", path,
                                   top.key_path("edges"), i));
    }
    edges.push_back({es[i][0].as<std::string>(), es[i][1].as<std::string>()});
  }
  top.reject_unknown_keys();
  m.graph = OperatorGraph(std::move(nodes), edges, path);
  return m;
}

Scenario load_scenario(const std::string& path) {
  YAML::Node root = load_yaml_file(path);
  if (!root.IsMap()) throw InputError(fmt::format("{}: the document must be a map", path));
  YamlMap top(root, path, "", {"name", "prompt_tokens", "decode_tokens", "max_context_tokens"});
  Scenario s;
  s.name = top.name("name");
  // 16 Mi tokens: beyond any model's context, and it keeps KV-cache byte counts and decode-step
  // loops bounded.
  constexpr int64_t kMaxContext = int64_t(1) << 24;
  s.prompt_tokens = top.integer_in_range("prompt_tokens", 1, kMaxContext);
  s.decode_tokens = top.integer_in_range("decode_tokens", 1, kMaxContext);
  if (auto max = top.optional_integer("max_context_tokens")) {
    if (*max < 1 || *max > kMaxContext) {
      top.fail("max_context_tokens", fmt::format("must be a whole number in 1..{}, found {}", kMaxContext, *max));
    }
    s.max_context_tokens = *max;
  }
  top.reject_unknown_keys();
  if (s.prompt_tokens > s.max_context_tokens) {
    top.fail("prompt_tokens", fmt::format("the prompt ({} tokens) exceeds max_context_tokens ({})", s.prompt_tokens,
                                          s.max_context_tokens));
  }
  // The KV cache is provisioned (and capacity-checked) for max_context_tokens: the last decode
  // step attends over prompt + decode tokens, which must fit too.
  if (s.prompt_tokens + s.decode_tokens > s.max_context_tokens) {
    top.fail("decode_tokens", fmt::format("prompt_tokens + decode_tokens = {} + {} = {} tokens of context exceeds "
                                          "max_context_tokens ({}); raise max_context_tokens or shorten the scenario",
                                          s.prompt_tokens, s.decode_tokens, s.prompt_tokens + s.decode_tokens,
                                          s.max_context_tokens));
  }
  return s;
}

int64_t decode_context_tokens(const Scenario& s, int64_t step, bool artifact_compat) {
  return std::min(s.max_context_tokens, s.prompt_tokens + (artifact_compat ? s.decode_tokens : step));
}

GemmShape operator_shape(const ModelConfig& m, OpKind kind, const PassShape& p) {
  const int64_t rows = p.batch * p.tokens;
  const int64_t hd = m.head_dim();
  switch (kind) {
    case OpKind::q:
    case OpKind::o:
      return {1, rows, m.hidden, m.hidden};
    case OpKind::k:
    case OpKind::v:
      return {1, rows, m.hidden, hd * m.kv_heads};
    case OpKind::f1:
    case OpKind::f3:
      return {1, rows, m.hidden, m.ffn};
    case OpKind::f2:
      return {1, rows, m.ffn, m.hidden};
    case OpKind::qk:
      return {m.kv_heads * p.batch, p.tokens * m.group_size(), hd, p.context};
    case OpKind::sv:
      return {m.kv_heads * p.batch, p.tokens * m.group_size(), p.context, hd};
  }
  throw InternalError("operator_shape: unknown kind");
}

double operator_storage_bytes(const ModelConfig& m, OpKind kind, int64_t batch, int64_t context,
                              double element_bytes) {
  if (is_attention(kind)) {
    return double(batch) * double(m.kv_heads) * double(context) * double(m.head_dim()) * element_bytes;
  }
  GemmShape s = operator_shape(m, kind, {Pass::decode, 1, 1, 1});
  return double(s.k) * double(s.n) * element_bytes;
}

}  // namespace h2sim

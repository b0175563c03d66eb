#include "mapping/hf_model.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "config/errors.hpp"

namespace h2sim {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kDenseTypes = {"llama", "mistral", "qwen2", "phi3", "opt"};

std::string config_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return (fs::path(path) / "config.json").string();
  return path;
}

}  // namespace

bool is_hf_config_path(const std::string& path) {
  std::error_code ec;
  if (fs::path(path).filename() == "config.json") return true;
  if (fs::is_directory(path, ec)) return fs::is_regular_file(fs::path(path) / "config.json", ec);
  // Another name (a downloaded my-model.json): a JSON object with a top-level model_type. The
  // artifact's graph and shape files never have one. Anything unreadable is left to the loaders.
  if (fs::path(path).extension() != ".json" || !fs::is_regular_file(path, ec)) return false;
  if (fs::file_size(path, ec) > (size_t(1) << 20) || ec) return false;
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.contains("model_type");
}

ModelConfig load_hf_model(const std::string& path) {
  const std::string file = config_file(path);
  const nlohmann::json j = parse_json(file);
  if (!j.is_object()) throw InputError(fmt::format("{}: expected a JSON object (a Hugging Face config.json)", file));
  auto fail = [&](const std::string& key, const std::string& msg) -> void {
    throw InputError(fmt::format("{}: key '{}': {}", file, key, msg));
  };
  auto integer = [&](const std::string& key) -> int64_t {
    if (!j.contains(key)) fail(key, "required key is missing");
    const auto& v = j.at(key);
    if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX))) {
      fail(key, fmt::format("expected a whole number, found {}", v.dump()));
    }
    return v.get<int64_t>();
  };
  auto string = [&](const std::string& key) -> std::string {
    if (!j.contains(key)) fail(key, "required key is missing");
    if (!j.at(key).is_string()) fail(key, fmt::format("expected a string, found {}", j.at(key).dump()));
    return j.at(key).get<std::string>();
  };

  const std::string type = string("model_type");
  if (type == "mixtral" || type == "qwen2_moe") {
    fail("model_type", fmt::format("'{}' is a mixture-of-experts model: h2sim does not model routed experts yet "
                                   "(dense types: {})", type, fmt::join(kDenseTypes, ", ")));
  }
  if (type == "gemma") {
    fail("model_type", "'gemma' sets head_dim apart from hidden_size / num_attention_heads, which h2sim's attention "
                       "shapes do not model yet (dense types: " + fmt::format("{}", fmt::join(kDenseTypes, ", ")) + ")");
  }
  if (std::find(kDenseTypes.begin(), kDenseTypes.end(), type) == kDenseTypes.end()) {
    fail("model_type", fmt::format("unknown model type '{}' (valid: {})", type, fmt::join(kDenseTypes, ", ")));
  }
  for (const char* experts : {"num_local_experts", "num_experts"}) {
    if (j.contains(experts) && integer(experts) > 1) fail(experts, "routed experts are not modelled yet (must be absent or 1)");
  }

  ModelConfig m;
  m.source_file = file;
  // Named after its model folder (ORG/NAME/config.json), or after the file if renamed.
  const fs::path folder = fs::absolute(file).parent_path();
  m.name = fs::path(file).filename() == "config.json" ? folder.filename().string() : fs::path(file).stem().string();
  if (m.name.empty()) m.name = type;
  const bool opt = type == "opt";
  ModelKeys keys{"num_hidden_layers", "hidden_size", opt ? "ffn_dim" : "intermediate_size", "num_attention_heads",
                 "num_key_value_heads"};
  m.layers = integer(keys.layers);
  m.hidden = integer(keys.hidden);
  m.ffn = integer(keys.ffn);
  m.q_heads = integer(keys.q_heads);
  // transformers: num_key_value_heads defaults to num_attention_heads (multi-head attention).
  m.kv_heads = j.contains(keys.kv_heads) ? integer(keys.kv_heads) : m.q_heads;
  validate_model_numbers(m, keys, [&](const char* key, const std::string& msg) { fail(key, msg); });
  if (j.contains("head_dim") && !j.at("head_dim").is_null() && integer("head_dim") != m.hidden / m.q_heads) {
    fail("head_dim", fmt::format("{} is not hidden_size / num_attention_heads = {}: h2sim's attention shapes use the "
                                 "latter (not modelled yet)", integer("head_dim"), m.hidden / m.q_heads));
  }
  for (const char* key : {"vocab_size", "max_position_embeddings"}) {
    if (j.contains(key) && integer(key) <= 0) fail(key, "must be a whole number of 1 or more");
  }

  // The FFN: opt's fc1 -> ReLU -> fc2 (plain); the llama family and phi3 gate the up projection
  // with an activated gate projection (SwiGLU / GeGLU: f1 gate, f3 up -> f2 down).
  const std::string act_key = opt ? "activation_function" : "hidden_act";
  const std::string act = j.contains(act_key) ? string(act_key) : (opt ? "relu" : "silu");
  if (opt) {
    if (act != "relu" && act != "gelu") fail(act_key, fmt::format("unknown activation '{}' (valid for opt: relu, gelu)", act));
    m.ffn_kind = "plain";
  } else {
    if (act != "silu" && act != "gelu" && act != "gelu_pytorch_tanh" && act != "gelu_new") {
      fail(act_key, fmt::format("unknown activation '{}' (valid: silu, gelu, gelu_pytorch_tanh, gelu_new)", act));
    }
    m.ffn_kind = "gated";
  }
  // Weights beyond the layers' GEMMs (mapping/model_parameters.hpp), as each architecture in
  // transformers builds them: tie_word_embeddings defaults to true for OPT (PretrainedConfig's
  // default) and false for the others (their config classes); llama's attention_bias biases q, k,
  // v and o, its mlp_bias the three FFN projections; qwen2 biases q, k and v; opt (enable_bias,
  // default true) every projection, with LayerNorms and learned positions
  // (max_position_embeddings + 2 rows, OPTLearnedPositionalEmbedding's offset).
  auto flag = [&](const char* key, bool dflt) {
    if (!j.contains(key)) return dflt;
    if (!j.at(key).is_boolean()) fail(key, fmt::format("expected true or false, found {}", j.at(key).dump()));
    return j.at(key).get<bool>();
  };
  if (j.contains("vocab_size")) m.vocab = integer("vocab_size");
  m.tie_word_embeddings = flag("tie_word_embeddings", opt);
  if (type == "llama") {
    m.qkv_bias = m.o_bias = flag("attention_bias", false);
    m.mlp_bias = flag("mlp_bias", false);
  } else if (type == "qwen2") {
    m.qkv_bias = true;
  } else if (opt) {
    m.qkv_bias = m.o_bias = m.mlp_bias = flag("enable_bias", true);
    m.layer_norm = true;
    if (!j.contains("max_position_embeddings")) fail("max_position_embeddings", "required for opt (learned positions)");
    m.learned_positions = integer("max_position_embeddings") + 2;
    if (j.contains("word_embed_proj_dim") && integer("word_embed_proj_dim") != m.hidden) {
      fail("word_embed_proj_dim", "a projected embedding (word_embed_proj_dim != hidden_size) is not modelled yet");
    }
  }
  std::vector<OperatorNode> nodes;
  std::vector<std::pair<std::string, std::string>> edges = {{"q", "qk"}, {"k", "qk"}, {"qk", "sv"},
                                                            {"v", "sv"}, {"sv", "o"}, {"o", "f1"}};
  std::vector<OpKind> kinds = {OpKind::q, OpKind::k, OpKind::v, OpKind::qk, OpKind::sv, OpKind::o, OpKind::f1};
  if (m.ffn_kind == "gated") {
    kinds.push_back(OpKind::f3);
    edges.push_back({"o", "f3"});
    edges.push_back({"f3", "f2"});
  }
  kinds.push_back(OpKind::f2);
  edges.push_back({"f1", "f2"});
  for (OpKind k : kinds) {
    OperatorNode n;
    n.kind = k;
    n.name = to_string(k);
    nodes.push_back(n);
  }
  m.graph = OperatorGraph(std::move(nodes), edges, file);
  return m;
}

}  // namespace h2sim

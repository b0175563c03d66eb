// Hugging Face config.json models (mapping/hf_model): the shipped configs load with the numbers
// of their model cards, the layer graph of their FFN kind, and bad or unsupported configs are
// refused naming the file and key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/errors.hpp"
#include "mapping/hf_model.hpp"
#include "mapping/model.hpp"

using namespace h2sim;

namespace {
std::string hf(const std::string& name) { return std::string(H2SIM_SOURCE_DIR) + "/configs/models/hf/" + name; }

std::string error_of(const std::string& path) {
  try {
    load_model_config(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// A config.json in a fresh temporary folder named `name`.
std::string write_config(const std::string& name, const std::string& json) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / ("h2sim-hf-" + name);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "config.json") << json;
  return dir.string();
}
}  // namespace

TEST(HfModel, ShippedDenseConfigsLoadWithTheirModelCardNumbers) {
  struct Want {
    const char* name;
    int64_t layers, hidden, ffn, heads, kv;
    const char* ffn_kind;
  };
  for (const Want& w : {Want{"Meta-Llama-3-8B", 32, 4096, 14336, 32, 8, "gated"},
                        Want{"Mistral-7B-v0.1", 32, 4096, 14336, 32, 8, "gated"},
                        Want{"Qwen2-7B", 28, 3584, 18944, 28, 4, "gated"},
                        Want{"Phi-3-mini-4k-instruct", 32, 3072, 8192, 32, 32, "gated"},
                        Want{"opt-6.7b", 32, 4096, 16384, 32, 32, "plain"}}) {
    for (const std::string& path : {hf(w.name), hf(w.name) + "/config.json"}) {  // the folder or the file
      ASSERT_TRUE(is_hf_config_path(path)) << path;
      const ModelConfig m = load_model_config(path);
      EXPECT_EQ(m.name, w.name);
      EXPECT_EQ(m.layers, w.layers) << w.name;
      EXPECT_EQ(m.hidden, w.hidden) << w.name;
      EXPECT_EQ(m.ffn, w.ffn) << w.name;
      EXPECT_EQ(m.q_heads, w.heads) << w.name;
      EXPECT_EQ(m.kv_heads, w.kv) << w.name;
      EXPECT_EQ(m.ffn_kind, w.ffn_kind) << w.name;
      EXPECT_EQ(m.graph.size(), std::string(w.ffn_kind) == "gated" ? 9 : 8) << w.name;
    }
  }
  // The same layer as the hand-written LLaMA3-8B YAML: same numbers, same operator graph.
  const ModelConfig a = load_model_config(hf("Meta-Llama-3-8B"));
  const ModelConfig b = load_model_config(std::string(H2SIM_SOURCE_DIR) + "/configs/models/llama3-8b.yaml");
  ASSERT_EQ(a.graph.size(), b.graph.size());
  for (int i = 0; i < a.graph.size(); ++i) {
    EXPECT_EQ(a.graph.kind(i), b.graph.kind(i));
    for (int j = 0; j < a.graph.size(); ++j) EXPECT_EQ(a.graph.has_edge(i, j), b.graph.has_edge(i, j)) << i << "->" << j;
  }
}

TEST(HfModel, UnsupportedAndBadConfigsNameTheKey) {
  // Mixtral-8x7B-v0.1's model card numbers: refused (experts), naming the file and key.
  std::string e = error_of(write_config("mixtral", R"({"model_type": "mixtral", "hidden_size": 4096,
      "intermediate_size": 14336, "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
      "num_local_experts": 8, "num_experts_per_tok": 2, "vocab_size": 32000})"));
  EXPECT_NE(e.find("model_type"), std::string::npos) << e;
  EXPECT_NE(e.find("mixture-of-experts"), std::string::npos) << e;
  EXPECT_NE(e.find("config.json"), std::string::npos) << e;
  e = error_of(write_config("unknown", R"({"model_type": "gpt99", "num_hidden_layers": 2})"));
  EXPECT_NE(e.find("unknown model type 'gpt99'"), std::string::npos) << e;
  EXPECT_NE(e.find("llama"), std::string::npos) << "lists the valid types: " << e;
  e = error_of(write_config("missing", R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64})"));
  EXPECT_NE(e.find("'intermediate_size': required key is missing"), std::string::npos) << e;
  e = error_of(write_config("heads", R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64,
      "intermediate_size": 128, "num_attention_heads": 8, "num_key_value_heads": 3})"));
  EXPECT_NE(e.find("num_key_value_heads"), std::string::npos) << e;
  e = error_of(write_config("headdim", R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64,
      "intermediate_size": 128, "num_attention_heads": 8, "head_dim": 16})"));
  EXPECT_NE(e.find("head_dim"), std::string::npos) << e;
  e = error_of(write_config("act", R"({"model_type": "mistral", "num_hidden_layers": 2, "hidden_size": 64,
      "intermediate_size": 128, "num_attention_heads": 8, "hidden_act": "swish9"})"));
  EXPECT_NE(e.find("hidden_act"), std::string::npos) << e;
  e = error_of(write_config("dup", R"({"model_type": "llama", "model_type": "opt"})"));
  EXPECT_NE(e.find("appears twice"), std::string::npos) << e;
  // A config saved under another name is recognised by its model_type.
  const std::string renamed = std::string(testing::TempDir()) + "/h2sim-hf-renamed-qwen.json";
  std::filesystem::copy_file(hf("Qwen2-7B/config.json"), renamed, std::filesystem::copy_options::overwrite_existing);
  ASSERT_TRUE(is_hf_config_path(renamed));
  EXPECT_EQ(load_model_config(renamed).layers, 28);
  EXPECT_EQ(load_model_config(renamed).name, "h2sim-hf-renamed-qwen");
  EXPECT_FALSE(is_hf_config_path(std::string(H2SIM_TEST_DATA_DIR) + "/artifact/llama3-8b/operator_graph.json"));
  // No num_key_value_heads: multi-head attention, as transformers defaults it.
  const ModelConfig m = load_model_config(write_config("mha", R"({"model_type": "llama", "num_hidden_layers": 2,
      "hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 8})"));
  EXPECT_EQ(m.kv_heads, 8);
  EXPECT_EQ(m.name, "h2sim-hf-mha");
}

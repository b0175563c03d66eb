// Parameter counts (mapping/model_parameters.hpp) of the shipped Hugging Face configs against the
// totals transformers gives for those checkpoints (`model.num_parameters()`, as published on the
// model cards / safetensors metadata): exact integers, not tolerances.
#include <gtest/gtest.h>

#include <string>

#include "config/errors.hpp"
#include "mapping/model.hpp"
#include "mapping/model_parameters.hpp"

using namespace h2sim;

namespace {
ModelParameters of(const std::string& folder) {
  return model_parameters(load_model_config(std::string(H2SIM_SOURCE_DIR) + "/configs/models/hf/" + folder));
}
}  // namespace

TEST(ModelParameters, MatchTheCheckpoints) {
  // Llama-3-8B: 32 x 218,112,000 + 2 x 128256 x 4096 (untied) + 4096 (final RMSNorm).
  EXPECT_EQ(of("Meta-Llama-3-8B").total, 8030261248);
  EXPECT_EQ(of("Mistral-7B-v0.1").total, 7241732096);
  EXPECT_EQ(of("Phi-3-mini-4k-instruct").total, 3821079552);
  // OPT-6.7B: biases everywhere, LayerNorms, 2050 learned positions, LM head tied.
  const ModelParameters opt = of("opt-6.7b");
  EXPECT_EQ(opt.total, 6658473984);
  EXPECT_EQ(opt.lm_head, 0);
  for (const char* m : {"Meta-Llama-3-8B", "Mistral-7B-v0.1", "Phi-3-mini-4k-instruct", "opt-6.7b", "Qwen2-7B"}) {
    const ModelParameters p = of(m);
    EXPECT_TRUE(p.complete) << m;
    EXPECT_EQ(p.active_per_token, p.total) << m;  // dense
    EXPECT_EQ(p.total, p.layers + p.embeddings + p.final_norm + p.lm_head) << m;
  }
}

TEST(ModelParameters, QwenBiasesQkvOnly) {
  // Qwen2-7B: q, k, v carry biases (3584 + 2 x 512 per layer), o and the FFN none.
  const ModelConfig m = load_model_config(std::string(H2SIM_SOURCE_DIR) + "/configs/models/hf/Qwen2-7B");
  const ModelParameters p = model_parameters(m);
  EXPECT_EQ(p.per_layer - p.layer_gemm_weights, (3584 + 2 * 512) + 2 * 3584);
  EXPECT_EQ(p.lm_head, 152064LL * 3584);
}

TEST(ModelParameters, YamlModelsCountTheLayersOnly) {
  const ModelConfig m = load_model_config(std::string(H2SIM_SOURCE_DIR) + "/configs/models/llama3-8b.yaml");
  const ModelParameters p = model_parameters(m);
  EXPECT_FALSE(p.complete);
  EXPECT_EQ(p.embeddings + p.lm_head, 0);
  // The same layers as the Hugging Face config's.
  EXPECT_EQ(p.layers, of("Meta-Llama-3-8B").layers);
}

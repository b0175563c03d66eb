#pragma once
// Parameter count of a decoder-only model (issue 13 part 2: `run --json` model_parameters).
//
// Per layer: the attention projections q (D x D), k and v (D x kv_heads * head_dim each), o (D x D)
// with their biases where the architecture has them; the FFN (gated: gate, up and down; plain:
// fc1 and fc2, D x F each) with biases where present; two norms (RMSNorm: D weights; LayerNorm: D
// weights + D biases). Beyond the layers: the token embedding (vocab x D), learned position
// embeddings (OPT), the final norm and the LM head (vocab x D, none if tied to the embedding).
// The same sum transformers' `model.num_parameters()` gives: Llama-3-8B 8,030,261,248,
// Mistral-7B-v0.1 7,241,732,096, Phi-3-mini 3,821,079,552, OPT-6.7B 6,658,473,984
// (tests/unit/test_model_parameters.cpp). A dense model uses every parameter for each token, so
// active = total (MoE is not modelled yet).
#include <cstdint>

#include "mapping/model.hpp"

namespace h2sim {

struct ModelParameters {
  int64_t per_layer = 0;          // one decoder layer, norms and biases included
  int64_t layer_gemm_weights = 0; // the layer's GEMM weight matrices only (what the dataflow places)
  int64_t layers = 0;             // per_layer x layers
  int64_t embeddings = 0;         // token (and learned position) embeddings
  int64_t final_norm = 0;
  int64_t lm_head = 0;            // 0 when tied to the token embedding
  int64_t total = 0;              // layers + embeddings + final norm + LM head
  int64_t active_per_token = 0;   // dense: total
  bool complete = false;          // false: vocab unknown, so embeddings and LM head are not counted
};

ModelParameters model_parameters(const ModelConfig& m);

}  // namespace h2sim

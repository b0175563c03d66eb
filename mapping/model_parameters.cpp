#include "mapping/model_parameters.hpp"

namespace h2sim {

ModelParameters model_parameters(const ModelConfig& m) {
  ModelParameters p;
  const int64_t d = m.hidden, f = m.ffn, kv = m.kv_heads * m.head_dim();
  const int64_t attention = d * d + 2 * d * kv + d * d;
  const int64_t ffn = (m.ffn_kind == "gated" ? 3 : 2) * d * f;
  p.layer_gemm_weights = attention + ffn;
  int64_t biases = 0;
  if (m.qkv_bias) biases += d + 2 * kv;
  if (m.o_bias) biases += d;
  if (m.mlp_bias) biases += m.ffn_kind == "gated" ? 2 * f + d : f + d;
  const int64_t norm = m.layer_norm ? 2 * d : d;
  p.per_layer = p.layer_gemm_weights + biases + 2 * norm;
  p.layers = p.per_layer * m.layers;
  p.complete = m.vocab > 0;
  if (p.complete) {
    p.embeddings = m.vocab * d + m.learned_positions * d;
    p.final_norm = norm;
    p.lm_head = m.tie_word_embeddings ? 0 : m.vocab * d;
  }
  p.total = p.layers + p.embeddings + p.final_norm + p.lm_head;
  p.active_per_token = p.total;
  return p;
}

}  // namespace h2sim

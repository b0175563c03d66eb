#pragma once
// A Hugging Face `config.json` as an h2sim model (issue 13, part 1: dense decoders).
//
// Read: model_type (llama, mistral, qwen2, phi3, opt; gemma, mixtral and qwen2_moe are refused
// with what is missing), num_hidden_layers, hidden_size, intermediate_size (opt: ffn_dim),
// num_attention_heads, num_key_value_heads (absent: multi-head attention, as transformers
// defaults it), head_dim where present (it must be hidden_size / num_attention_heads: h2sim's
// attention shapes use that), hidden_act / activation_function (gated SiLU/GELU for the llama
// family and phi3, plain ReLU for opt), num_local_experts / num_experts (must be absent or 1).
// Checked for consistency but not modelled (h2sim's layer is its GEMMs; issue 13 part 2 adds
// the rest): vocab_size, tie_word_embeddings, max_position_embeddings. Ignored on purpose
// (they change no GEMM shape): attention_bias / mlp_bias / enable_bias (a bias add per output),
// rms_norm_eps / layer_norm_eps, rope_theta / rope_scaling, sliding_window and its switches,
// torch_dtype (the precision is the hardware config's), initializer_range, bos/eos/pad ids,
// architectures, transformers_version, use_cache, dropout rates. Every other key is ignored
// too: Hugging Face configs carry many (docs/models.md lists them).
//
// The model is named after the folder holding config.json (Meta-Llama-3-8B/config.json ->
// Meta-Llama-3-8B), and its graph is the standard decoder layer of its FFN kind (as in
// configs/models/llama3-8b.yaml and opt-6.7b.yaml).
#include <string>

#include "mapping/model.hpp"

namespace h2sim {

// True if `path` names a Hugging Face config: a file named config.json, a folder holding one, or
// another .json file whose top level has a model_type.
bool is_hf_config_path(const std::string& path);
// Loads it (`path`: the file or its folder). InputError naming the file and key otherwise.
ModelConfig load_hf_model(const std::string& path);

}  // namespace h2sim

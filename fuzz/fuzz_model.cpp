// libFuzzer target: models in both formats (mapping/model.cpp). The same bytes are read as a
// model YAML, as the artifact's operator_graph.json (with a valid shape.json beside it) and as a
// shape.json; a model that loads is also asked for every operator's shape and storage.
#include "fuzz/fuzz_input.hpp"
#include "mapping/model.hpp"

namespace {
void exercise(const h2sim::ModelConfig& m) {
  for (int op = 0; op < m.graph.size(); ++op) {
    h2sim::operator_shape(m, m.graph.kind(op), {h2sim::Pass::prefill, 16, 2048, 2048});
    h2sim::operator_storage_bytes(m, m.graph.kind(op), 16, 2048, 2.0);
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace h2sim;
  static const std::string shape = [] {
    const char text[] = R"({"type": "llama", "layer_num": 32, "hidden_dim": 4096, "intermediate_dim": 14336,
                            "q_head_num": 32, "kv_head_num": 8})";
    return fuzz::write_input("shape.json", reinterpret_cast<const uint8_t*>(text), sizeof(text) - 1);
  }();
  const std::string yaml = fuzz::write_input("model.yaml", data, size);
  fuzz::expect_only_input_errors([&] { exercise(load_model_config(yaml)); });
  const std::string graph = fuzz::write_input("operator_graph.json", data, size);
  fuzz::expect_only_input_errors([&] { exercise(load_model_config(graph)); });
  const std::string shape_in = fuzz::write_input("fuzzed_shape.json", data, size);
  fuzz::expect_only_input_errors([&] { load_artifact_shape(shape_in); });
  (void)shape;
  return 0;
}

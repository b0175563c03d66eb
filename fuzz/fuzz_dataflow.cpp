// libFuzzer target: dataflows (mapping/dataflow.cpp) for LLaMA3-8B on H2-LLM: load, check
// legality and capacity, and for a legal one lower it for both passes and evaluate it.
#include "fuzz/fuzz_input.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/evaluator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace h2sim;
  static const HardwareConfig hw = load_hardware_config(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml");
  static const ModelConfig model = load_model_config(H2SIM_SOURCE_DIR "/configs/models/llama3-8b.yaml");
  const std::string path = fuzz::write_input("dataflow.yaml", data, size);
  fuzz::expect_only_input_errors([&] {
    Dataflow df = load_dataflow(path, model, hw);
    describe_dataflow(df, model, hw);
    check_dataflow(df, model, hw, {4, 2048}, path);
    lower_dataflow(df, model, hw, {Pass::decode, 4, 1, 1024});
    lower_dataflow(df, model, hw, {Pass::prefill, 4, 512, 512});
    AnalyticEvaluator ev(hw, model, Scenario{"fuzz", 512, 16, 2048}, 4);
    ev.evaluate(df);
    dataflow_to_yaml(df, model, hw);
  });
  return 0;
}

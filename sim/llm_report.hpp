#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "sim/llm_runner.hpp"

namespace h2sim {

struct EnergyReport;  // optional, filled by the energy model

// The readable report `h2sim run` prints, and the same as JSON (every key with its unit).
std::string format_llm_report(const LlmRunResult& r);
nlohmann::ordered_json llm_report_json(const LlmRunResult& r);

}  // namespace h2sim

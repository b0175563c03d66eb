#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "sim/gemm_runner.hpp"

namespace h2sim {

// The readable table `h2sim gemm` prints.
std::string format_gemm_report(const GemmRunResult& r);
// The same as JSON; every key carries its unit.
nlohmann::ordered_json gemm_report_json(const GemmRunResult& r);

}  // namespace h2sim

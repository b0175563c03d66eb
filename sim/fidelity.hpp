#pragma once
#include <string>

namespace h2sim {

// How a run is timed. `analytic`: the artifact's roofline formulas in plain C++.
// `ideal`: the SystemC model under the same simplifications (serialized scatter/compute/load,
// ideal bandwidths, no buffer limits). `cycle`: the SystemC model with buffers, double
// buffering, overlap, contention, and the DRAM timing model where one is configured.
enum class Fidelity { analytic, ideal, cycle };

std::string to_string(Fidelity f);
Fidelity parse_fidelity(const std::string& text);  // InputError naming the valid values

}  // namespace h2sim

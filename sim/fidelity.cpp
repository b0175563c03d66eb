#include "sim/fidelity.hpp"

#include "config/errors.hpp"

namespace h2sim {

std::string to_string(Fidelity f) {
  switch (f) {
    case Fidelity::analytic: return "analytic";
    case Fidelity::ideal: return "ideal";
    case Fidelity::cycle: return "cycle";
  }
  return "?";
}

Fidelity parse_fidelity(const std::string& text) {
  if (text == "analytic") return Fidelity::analytic;
  if (text == "ideal") return Fidelity::ideal;
  if (text == "cycle") return Fidelity::cycle;
  throw InputError("--fidelity: unknown value '" + text + "' (valid: analytic, ideal, cycle)");
}

}  // namespace h2sim

#pragma once
// Choosing a searched dataflow at cycle fidelity (`run --search-fidelity cycle`; issue 12 part 4,
// first slice).
//
// The GA ranks dataflows with the analytic model (mapping/evaluator.hpp), which has no row
// switches, command timing or contention; at cycle fidelity its best is sometimes beaten by
// another mapping (the compute-centric cc-nmp on some points). This selection simulates the
// search's leaders (its distinct best few, mapping/dataflow_choice.hpp search_leaders) and any
// other candidates given (e.g. the best of the cc-nmp space) at cycle fidelity, one `h2sim run`
// child process each (SystemC allows one elaboration per process), and keeps the fastest. The
// analytic best is always a candidate, so the chosen dataflow is never slower at cycle fidelity
// than the analytic-searched one. It is not yet the GA composing cycle-calibrated costs that the
// issue asks for (docs/mapping.md, "Search at cycle fidelity").
#include <string>
#include <vector>

#include "config/hardware_config.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/model.hpp"

namespace h2sim {

struct SelectionCandidate {
  std::string label;            // "h2llm #1" (the search's order), "cc-nmp", ...
  Dataflow dataflow;
  double analytic_latency_per_layer_s = 0;  // the search's estimate (0 if not known)
  double cycle_latency_s = 0;               // filled by the selection
};

struct SelectionInputs {
  std::string exe;                     // h2sim itself
  std::vector<std::string> run_args;   // `run` and its arguments, without --dataflow / --json / --quiet
  std::string work_dir;                // candidates' YAML, JSON and logs go here (created)
  int jobs = 1;
  bool progress = true;
};

// Simulates every candidate; returns the index of the fastest (the first on a tie). Throws
// InputError naming the candidate and its log when a child run fails.
size_t select_by_cycle(std::vector<SelectionCandidate>& candidates, const SelectionInputs& in,
                       const ModelConfig& model, const HardwareConfig& hw);

}  // namespace h2sim

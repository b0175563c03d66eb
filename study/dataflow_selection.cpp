#include "study/dataflow_selection.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "config/atomic_file.hpp"
#include "config/errors.hpp"
#include "study/process_pool.hpp"

namespace h2sim {

size_t select_by_cycle(std::vector<SelectionCandidate>& candidates, const SelectionInputs& in,
                       const ModelConfig& model, const HardwareConfig& hw) {
  if (candidates.empty()) throw InternalError("select_by_cycle without candidates");
  std::error_code ec;
  std::filesystem::create_directories(in.work_dir, ec);
  if (ec) throw InputError(fmt::format("{}: cannot create the folder ({})", in.work_dir, ec.message()));
  std::vector<ProcessJob> jobs;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const std::string stem = (std::filesystem::path(in.work_dir) / fmt::format("candidate-{}", i)).string();
    write_file_atomically(stem + ".yaml", dataflow_to_yaml(candidates[i].dataflow, model, hw));
    ProcessJob j;
    j.id = fmt::format("candidate {} ({})", i, candidates[i].label);
    j.args = in.run_args;
    for (const std::string& a : {std::string("--dataflow"), stem + ".yaml", std::string("--json"), stem + ".json",
                                 std::string("--quiet")}) {
      j.args.push_back(a);
    }
    j.log_file = stem + ".log";
    j.result_file = stem + ".json";
    std::filesystem::remove(j.result_file, ec);  // a stale result must not pass for this run's
    jobs.push_back(std::move(j));
  }
  ProcessPoolOptions opt;
  opt.jobs = std::max(1, in.jobs);
  opt.progress = in.progress;
  const ProcessPoolResult res = run_processes(in.exe, jobs, opt);
  if (!res.failed.empty() || !res.infeasible.empty()) {
    const std::string id = !res.failed.empty() ? *res.failed.begin() : res.infeasible.begin()->first;
    throw InputError(fmt::format("--search-fidelity cycle: {} did not run at cycle fidelity (see its log in {})", id,
                                 in.work_dir));
  }
  size_t best = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    std::ifstream f(jobs[i].result_file);
    const nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
    if (j.is_discarded() || !j.contains("latency_s") || !j["latency_s"].is_number()) {
      throw InputError(fmt::format("{}: not a run result with latency_s", jobs[i].result_file));
    }
    candidates[i].cycle_latency_s = j["latency_s"].get<double>();
    if (candidates[i].cycle_latency_s < candidates[best].cycle_latency_s) best = i;
  }
  return best;
}

}  // namespace h2sim

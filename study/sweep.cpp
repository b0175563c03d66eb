#include "study/sweep.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "config/atomic_file.hpp"
#include "config/errors.hpp"
#include "config/yaml_reader.hpp"
#include "study/paths.hpp"

namespace h2sim {

namespace {

namespace fs = std::filesystem;

std::string yaml_quote(const std::string& s) {
  YAML::Emitter e;
  e << YAML::DoubleQuoted << s;
  return e.c_str();
}

std::string yaml_list(const std::vector<std::string>& v) {
  std::string o = "[";
  for (size_t i = 0; i < v.size(); ++i) o += (i ? ", " : "") + yaml_quote(v[i]);
  return o + "]";
}


// Writes a file every shard derives from the spec, unless it already has these bytes; other
// bytes mean the folder holds another sweep (or this one's spec changed).
void write_same_or_fail(const std::string& path, const std::string& content, const std::string& out_dir) {
  const auto old = read_if_exists(path);
  if (old && *old == content) return;
  if (old) {
    throw InputError(fmt::format("{}: differs from what this spec gives: the folder {} holds another sweep or the spec "
                                 "changed since; use a new --out (or delete the folder)",
                                 path, out_dir));
  }
  write_file_atomically(path, content);
}

bool exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

}  // namespace

std::string sweep_point_dir(const std::string& out_dir, const SweepPoint& p) {
  return (fs::path(out_dir) / "points" / p.id).string();
}

std::string sweep_result_file(const std::string& out_dir, const SweepPoint& p) {
  return (fs::path(sweep_point_dir(out_dir, p)) / "result.json").string();
}

std::string sweep_infeasible_file(const std::string& out_dir, const SweepPoint& p) {
  return (fs::path(sweep_point_dir(out_dir, p)) / "infeasible.txt").string();
}

std::string sweep_cache_dir(const std::string& out_dir, const SweepPoint& p) {
  return p.serial_key.empty() ? sweep_point_dir(out_dir, p) : out_dir;
}

std::string sweep_manifest(const SweepSpec& spec, const std::vector<SweepPoint>& points) {
  nlohmann::ordered_json m;
  m["name"] = spec.name;
  m["command"] = spec.command;
  if (!spec.experiment_file.empty()) m["experiment"] = absolute_normal(spec.experiment_file);
  m["points"] = nlohmann::ordered_json::array();
  for (const auto& p : points) {
    nlohmann::ordered_json e;
    e["id"] = p.id;
    e["axes"] = nlohmann::ordered_json::object();
    for (const auto& [k, v] : p.axis_values) e["axes"][k] = v;
    m["points"].push_back(e);
  }
  return m.dump(1) + "\n";
}

std::string sweep_point_config(const SweepSpec& spec, const SweepPoint& p) {
  std::ostringstream o;
  o << "# Resolved config of one sweep point (written by h2sim sweep).\n";
  o << "id: " << yaml_quote(p.id) << "\ncommand: " << spec.command << "\n";
  o << "axes:" << (p.axis_values.empty() ? " {}" : "") << "\n";
  for (const auto& [k, v] : p.axis_values) o << "  " << k << ": " << yaml_quote(v) << "\n";
  o << "flags:" << (p.flags.empty() ? " {}" : "") << "\n";
  for (const auto& [k, v] : p.flags) o << "  " << k << ": " << yaml_quote(v) << "\n";
  o << "overrides: " << yaml_list(p.overrides) << "\n";
  if (!p.energy_overrides.empty()) o << "energy_overrides: " << yaml_list(p.energy_overrides) << "\n";
  if (!p.dram_overrides.empty()) o << "dram_overrides: " << yaml_list(p.dram_overrides) << "\n";
  if (!p.serial_key.empty()) o << "shares_search_with_key: " << yaml_quote(p.serial_key) << "\n";
  o << "command_line: " << yaml_list(sweep_point_arguments(spec, p, "result.json", p.serial_key.empty() ? "." : "../.."))
    << "\n";
  // The hardware as this point sees it: the file with the overrides applied.
  const std::string hw_file = point_hardware_file(p);
  YAML::Node hw = YAML::Clone(load_yaml_file(hw_file));
  apply_overrides(hw, p.overrides, hw_file);
  YAML::Emitter e;
  e << hw;
  std::istringstream lines(e.c_str());
  o << "hardware:\n";
  for (std::string l; std::getline(lines, l);) o << "  " << l << "\n";
  return o.str();
}

SweepRunResult run_sweep(const SweepSpec& spec, const std::vector<SweepPoint>& all, const std::vector<SweepPoint>& mine,
                         const std::string& out_dir, const SweepPointRunner& runner) {
  write_same_or_fail((fs::path(out_dir) / "sweep.json").string(), sweep_manifest(spec, all), out_dir);
  SweepRunResult r;
  r.points = mine.size();
  std::vector<SweepPoint> pending;
  for (const auto& p : mine) {
    write_same_or_fail((fs::path(sweep_point_dir(out_dir, p)) / "config.yaml").string(), sweep_point_config(spec, p),
                       out_dir);
    if (exists(sweep_result_file(out_dir, p)) || exists(sweep_infeasible_file(out_dir, p))) ++r.already_done;
    else pending.push_back(p);
  }
  r.ran = pending.size();
  if (pending.empty()) return r;
  const ProcessPoolResult ran = runner(pending);
  r.failed = ran.failed;
  r.infeasible = ran.infeasible;
  // Infeasible is a result: recorded so that a resume does not retry it, and merged as such.
  for (const auto& p : pending) {
    const auto it = ran.infeasible.find(p.id);
    if (it != ran.infeasible.end()) write_file_atomically(sweep_infeasible_file(out_dir, p), it->second + "\n");
  }
  return r;
}

SweepPointRunner process_point_runner(const SweepSpec& spec, const std::string& out_dir, const PointRunnerOptions& o) {
  return [spec, out_dir, o](const std::vector<SweepPoint>& pending) {
    std::vector<ProcessJob> jobs;
    for (const auto& p : pending) {
      ProcessJob j;
      j.id = p.id;
      j.result_file = sweep_result_file(out_dir, p);
      j.log_file = (fs::path(sweep_point_dir(out_dir, p)) / "log.txt").string();
      j.args = sweep_point_arguments(spec, p, j.result_file, sweep_cache_dir(out_dir, p));
      j.args.insert(j.args.end(), o.extra_args.begin(), o.extra_args.end());
      j.serial_key = p.serial_key;
      jobs.push_back(std::move(j));
    }
    ProcessPoolOptions po;
    po.jobs = o.jobs;
    po.total = o.total ? o.total : pending.size();
    po.already_done = po.total - pending.size();
    po.classify = o.classify;
    return run_processes(o.exe, jobs, po);
  };
}

JobVerdict classify_run_point(const ProcessJob& job, const JobExit& e) {
  if (e.exit_code == 0 && e.result_exists) return {JobOutcome::ok, ""};
  if (e.exit_code != 2) return {JobOutcome::failed, ""};
  // The reason: the log from the "illegal dataflow" line on, joined into one line.
  std::ifstream in(job.log_file);
  std::string text, line;
  bool found = false;
  while (std::getline(in, line)) {
    if (line.find("illegal dataflow") != std::string::npos) found = true;
    if (!found) continue;
    const size_t first = line.find_first_not_of(' ');
    if (first != std::string::npos) text += (text.empty() ? "" : " ") + line.substr(first);
  }
  return found ? JobVerdict{JobOutcome::infeasible, text} : JobVerdict{JobOutcome::failed, ""};
}

}  // namespace h2sim

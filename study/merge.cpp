#include "study/merge.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>

#include "config/errors.hpp"
#include "config/yaml_reader.hpp"
#include "study/paths.hpp"
#include "study/sweep_spec.hpp"

namespace h2sim {

namespace {

namespace fs = std::filesystem;


}  // namespace

namespace {

// Shortest round-trip text of a JSON scalar (nlohmann's dump), strings unquoted for the CSV.
std::string scalar_text(const nlohmann::ordered_json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

bool is_wall_key(const std::string& key) {
  const auto dot = key.rfind('.');
  return key.compare(dot == std::string::npos ? 0 : dot + 1, 4, "wall") == 0;
}

void flatten(const nlohmann::ordered_json& j, const std::string& prefix, KeyValues& out,
             std::map<std::string, double>& numbers) {
  for (const auto& [k, v] : j.items()) {
    const std::string key = prefix.empty() ? k : prefix + "." + k;
    if (is_wall_key(key) || v.is_array() || v.is_null()) continue;  // wall time differs run to run
    if (v.is_object()) {
      flatten(v, key, out, numbers);
      continue;
    }
    out.emplace_back(key, scalar_text(v));
    if (v.is_number()) numbers[key] = v.get<double>();
  }
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

SweepMergeResult merge_sweep(const std::string& out_dir) {
  const std::string manifest_file = (fs::path(out_dir) / "sweep.json").string();
  nlohmann::ordered_json manifest;
  try {
    manifest = nlohmann::ordered_json::parse(read_text_file(manifest_file));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not a sweep manifest: {}", manifest_file, e.what()));
  }
  struct Row {
    std::string id;
    KeyValues axes;
    std::string status = "missing";
    KeyValues values;
  };
  std::vector<Row> rows;
  std::vector<std::string> axis_keys, value_keys;
  std::map<std::string, std::vector<double>> numbers;  // per column, over the points that have it
  std::string name, command;
  SweepMergeResult m;
  try {
    name = manifest.is_object() ? manifest.value("name", "") : "";
    command = manifest.is_object() ? manifest.value("command", "") : "";
    m.experiment_file = manifest.is_object() ? manifest.value("experiment", "") : "";
    for (const auto& e : manifest.at("points")) {
      Row r;
      r.id = e.at("id").get<std::string>();
      // Ids name folders under points/: one plain file name, never a path out of the sweep.
      if (r.id.empty() || r.id == "." || r.id == ".." || r.id.find('/') != std::string::npos || r.id.size() > 200) {
        throw InputError(fmt::format("{}: not a sweep manifest: point id '{}' is not a plain file name", manifest_file,
                                     r.id.substr(0, 200)));
      }
      for (const auto& [k, v] : e.at("axes").items()) {
        r.axes.emplace_back(k, v.get<std::string>());
        if (std::find(axis_keys.begin(), axis_keys.end(), k) == axis_keys.end()) axis_keys.push_back(k);
      }
      rows.push_back(std::move(r));
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not a sweep manifest: {}", manifest_file, e.what()));
  }
  m.points = rows.size();
  for (auto& r : rows) {
    const fs::path dir = fs::path(out_dir) / "points" / r.id;
    const auto text = read_if_exists((dir / "result.json").string());
    if (text) {
      try {
        std::map<std::string, double> nums;
        flatten(nlohmann::ordered_json::parse(*text), "", r.values, nums);
        r.status = "ok";
        for (const auto& [k, v] : nums) numbers[k].push_back(v);
      } catch (const nlohmann::json::exception&) {
        r.values.clear();
      }
    }
    if (r.status != "ok") {
      std::error_code ec;
      if (fs::exists(dir / "infeasible.txt", ec)) {
        r.status = "infeasible";
        ++m.infeasible;
        continue;
      }
      if (fs::exists(dir / "log.txt", ec)) r.status = "failed";
      m.missing.push_back(r.id);
      continue;
    }
    ++m.ok;
    for (const auto& [k, v] : r.values) {
      if (std::find(value_keys.begin(), value_keys.end(), k) == value_keys.end()) value_keys.push_back(k);
    }
  }

  std::ostringstream csv;
  csv << "id,status";
  for (const auto& k : axis_keys) csv << ',' << csv_cell(k);
  for (const auto& k : value_keys) {
    // An axis key that is also a result field (fidelity, batch) gets one column, the axis'.
    if (std::find(axis_keys.begin(), axis_keys.end(), k) == axis_keys.end()) csv << ',' << csv_cell(k);
  }
  csv << '\n';
  for (const auto& r : rows) {
    csv << csv_cell(r.id) << ',' << r.status;
    for (const auto& k : axis_keys) {
      const std::string* v = value_of(r.axes, k);
      csv << ',' << (v ? csv_cell(*v) : "");
    }
    for (const auto& k : value_keys) {
      if (std::find(axis_keys.begin(), axis_keys.end(), k) != axis_keys.end()) continue;
      const std::string* v = value_of(r.values, k);
      csv << ',' << (v ? csv_cell(*v) : "");
    }
    csv << '\n';
  }
  m.csv = csv.str();

  nlohmann::ordered_json s;
  s["name"] = name;
  s["command"] = command;
  s["points"] = m.points;
  s["points_ok"] = m.ok;
  if (m.infeasible) s["points_infeasible"] = m.infeasible;
  s["missing"] = m.missing;
  s["columns"] = nlohmann::ordered_json::object();
  for (const auto& k : value_keys) {
    const auto it = numbers.find(k);
    if (it == numbers.end()) continue;
    const auto& v = it->second;
    nlohmann::ordered_json c;
    c["points"] = v.size();
    c["min"] = *std::min_element(v.begin(), v.end());
    c["max"] = *std::max_element(v.begin(), v.end());
    if (std::all_of(v.begin(), v.end(), [](double x) { return x > 0; })) {
      double logs = 0;
      for (double x : v) logs += std::log(x);
      c["geomean"] = std::exp(logs / double(v.size()));
    }
    s["columns"][k] = c;
  }
  m.summary = s.dump(2) + "\n";
  return m;
}

}  // namespace h2sim

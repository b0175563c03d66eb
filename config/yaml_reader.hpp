#pragma once
// Strict, path-aware reading of YAML configs.
//
// Every loader in h2sim reads through YamlMap so that all configs fail the same way: an
// unknown key (with the closest valid key suggested), a missing required key, a wrong type or
// an out-of-range value is an InputError that names the file, the key path and the value.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace h2sim {

// The whole content of an input file; a missing, unreadable or non-regular file (a folder) is
// an InputError naming the path and the reason.
std::string read_text_file(const std::string& path);

// Parses a YAML file; malformed YAML becomes an InputError with line and column.
YAML::Node load_yaml_file(const std::string& path);

// The closest of `candidates` to `word` by edit distance, or "" if none is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

class YamlMap {
 public:
  // `node` must be a map; `path` is the key path of this map ("" for the document root).
  YamlMap(YAML::Node node, std::string file, std::string path);

  bool has(const std::string& key) const;

  double number(const std::string& key);                       // required, finite
  std::optional<double> optional_number(const std::string& key);
  int64_t integer(const std::string& key);                     // required, integral
  std::optional<int64_t> optional_integer(const std::string& key);
  std::string string(const std::string& key);
  std::optional<std::string> optional_string(const std::string& key);
  bool boolean(const std::string& key);
  std::optional<bool> optional_boolean(const std::string& key);
  YamlMap map(const std::string& key);
  std::optional<YamlMap> optional_map(const std::string& key);
  YAML::Node raw(const std::string& key);  // marks the key as used; caller validates

  // Range checks that name the key and what would be valid.
  double positive_number(const std::string& key);
  int64_t positive_integer(const std::string& key);
  double fraction(const std::string& key);  // in (0, 1]
  // Inclusive ranges; the bounds keep later arithmetic (bytes, picoseconds) far from overflow.
  double number_in_range(const std::string& key, double lo, double hi);
  int64_t integer_in_range(const std::string& key, int64_t lo, int64_t hi);

  // Rejects keys that were never read, suggesting the closest known one. Call after reading.
  void reject_unknown_keys(const std::vector<std::string>& also_valid = {}) const;

  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  std::string key_path(const std::string& key) const;
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

 private:
  YAML::Node required(const std::string& key);
  std::string describe_value(const YAML::Node& n) const;

  YAML::Node node_;
  std::string file_;
  std::string path_;
  std::set<std::string> used_;
};

// Applies `KEY=VALUE` overrides (dotted key paths, VALUE parsed as YAML) to a config tree.
// A key that does not already exist in the tree is rejected with a suggestion, so a typo in
// --set can never add a key that is silently ignored. `origin` names the source in errors.
void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides,
                     const std::string& origin);

}  // namespace h2sim

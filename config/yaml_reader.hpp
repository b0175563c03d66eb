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

// Levenshtein distance: single-character insertions, deletions and substitutions.
size_t edit_distance(const std::string& a, const std::string& b);

// The closest of `candidates` to `word` by edit distance, or "" if none is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

class YamlMap {
 public:
  // `node` must be a map; `path` is the key path of this map ("" for the document root).
  YamlMap(YAML::Node node, std::string file, std::string path);
  // The same, with every key the map may hold declared up front (see declare_keys).
  YamlMap(YAML::Node node, std::string file, std::string path, const std::vector<std::string>& keys);

  // Declares every key this map may hold (required, optional, alternatives), before any is read,
  // and rejects at once a key outside the set, suggesting the closest declared key (or listing
  // them all). So a valid key that has not been read yet is never taken for a typo of a missing
  // one (a missing key is reported as missing), a typo is reported before any value is judged,
  // and reject_unknown_keys() suggests from the whole set, not only the keys read so far.
  // Reading a key outside the declared set is a bug in the loader (InternalError).
  YamlMap& declare_keys(const std::vector<std::string>& keys);
  const std::vector<std::string>& declared_keys() const { return declared_; }

  bool has(const std::string& key) const;

  double number(const std::string& key);                       // required, finite
  std::optional<double> optional_number(const std::string& key);
  int64_t integer(const std::string& key);                     // required, integral
  std::optional<int64_t> optional_integer(const std::string& key);
  std::string string(const std::string& key);
  std::optional<std::string> optional_string(const std::string& key);
  // A name (of a design, model, operator, ...): 1..kMaxNameBytes bytes, no control characters.
  // Names end up in reports, CSV cells, file names and one-line messages.
  static constexpr size_t kMaxNameBytes = 128;
  std::string name(const std::string& key);
  std::optional<std::string> optional_name(const std::string& key);
  bool boolean(const std::string& key);
  std::optional<bool> optional_boolean(const std::string& key);
  // A nested map; `keys`, if given, are its declared keys (declare_keys).
  YamlMap map(const std::string& key, const std::vector<std::string>& keys = {});
  std::optional<YamlMap> optional_map(const std::string& key, const std::vector<std::string>& keys = {});
  YAML::Node raw(const std::string& key);  // marks the key as used; caller validates

  // Range checks that name the key and what would be valid.
  double positive_number(const std::string& key);
  int64_t positive_integer(const std::string& key);
  double fraction(const std::string& key);  // in (0, 1]
  // Inclusive ranges; the bounds keep later arithmetic (bytes, picoseconds) far from overflow.
  double number_in_range(const std::string& key, double lo, double hi);
  int64_t integer_in_range(const std::string& key, int64_t lo, int64_t hi);

  // Rejects keys that were neither declared nor read, suggesting the closest known one (from the
  // declared keys when there are any). Call after reading.
  void reject_unknown_keys(const std::vector<std::string>& also_valid = {}) const;

  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  std::string key_path(const std::string& key) const;
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

 private:
  YAML::Node required(const std::string& key);
  void mark_used(const std::string& key);
  std::string describe_value(const YAML::Node& n) const;

  YAML::Node node_;
  std::string file_;
  std::string path_;
  std::set<std::string> used_;
  std::vector<std::string> declared_;  // empty: no declaration, keys are known once read
};

// Applies `KEY=VALUE` overrides (dotted key paths, VALUE parsed as YAML) to a config tree.
// A key that does not already exist in the tree is rejected with a suggestion, so a typo in
// --set can never add a key that is silently ignored. `origin` names the source in errors.
void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides,
                     const std::string& origin);

}  // namespace h2sim

#include "config/yaml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "config/errors.hpp"
#include <yaml-cpp/depthguard.h>

namespace h2sim {

std::string read_text_file(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) throw InputError("cannot open a file with an empty name (a flag or key was given '')");
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    // A symlink loop, a name too long, a folder on the way that cannot be searched.
    throw InputError(fmt::format("{}: cannot open file for reading: {}", path, ec.message()));
  }
  if (ec || !fs::exists(status)) throw InputError(fmt::format("{}: cannot open file for reading: no such file", path));
  if (fs::is_directory(status)) throw InputError(fmt::format("{}: cannot open file for reading: it is a folder", path));
  // Configs are a few KiB; refusing huge files keeps a wrong path (a log, a device) from
  // exhausting memory.
  constexpr uintmax_t kMaxBytes = 64ull << 20;
  if (fs::is_regular_file(status)) {
    const uintmax_t size = fs::file_size(path, ec);
    if (!ec && size > kMaxBytes) {
      throw InputError(fmt::format("{}: {} bytes is too large for a config file (at most {} MiB)", path, size,
                                   kMaxBytes >> 20));
    }
  } else {
    throw InputError(fmt::format("{}: cannot open file for reading: not a regular file", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open file for reading: {}", path, std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(fmt::format("{}: read error", path));
  return text.str();
}

namespace {
// Offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or npos. Every name read from a config can end up in a
// JSON report, and JSON is UTF-8 only.
size_t invalid_utf8_at(const std::string& s) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0, n = s.size(); i < n;) {
    const unsigned c = b[i];
    size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c < 0x80) len = 1;
    else if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else return i;
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      const unsigned x = b[i + k];
      if (k == 1 ? (x < lo || x > hi) : (x < 0x80 || x > 0xBF)) return i;
    }
    i += len;
  }
  return std::string::npos;
}
}  // namespace

YAML::Node load_yaml_file(const std::string& path) {
  const std::string text = read_text_file(path);
  // yaml-cpp takes ~380 B and ~2 us per node: a 60 MB list of numbers took 11 GiB and over a
  // minute. Every config is a few KiB (the largest, a dataflow of a 64-operator graph, ~20 KiB).
  constexpr size_t kMaxYamlBytes = size_t(1) << 20;
  if (text.size() > kMaxYamlBytes) {
    throw InputError(fmt::format("{}: {} bytes is too large for a YAML config (at most {} KiB; configs are a few KiB)",
                                 path, text.size(), kMaxYamlBytes >> 10));
  }
  // yaml-cpp reads UTF-16/32 too (a BOM or NUL bytes up front) and converts; otherwise the
  // bytes must be UTF-8, or a name with a stray byte would only fail when a report is written.
  const bool utf16_or_32 = text.size() >= 2 && (text.compare(0, 2, "\xFE\xFF") == 0 ||
                                                text.compare(0, 2, "\xFF\xFE") == 0 || text[0] == '\0' || text[1] == '\0');
  if (const size_t bad = utf16_or_32 ? std::string::npos : invalid_utf8_at(text); bad != std::string::npos) {
    const size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
    const size_t line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n');
    const size_t column = 1 + bad - (line_start == std::string::npos ? 0 : line_start + 1);
    throw InputError(fmt::format("{}:{}:{}: not valid UTF-8 (byte 0x{:02X}); config files must be UTF-8 text", path,
                                 line, column, static_cast<unsigned char>(text[bad])));
  }
  try {
    YAML::Node root = YAML::Load(text);
    if (!root || root.IsNull()) throw InputError(fmt::format("{}: file is empty", path));
    return root;
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own message for this is "bad file".
    throw InputError(fmt::format("{}:{}:{}: malformed YAML: nested too deeply ({} levels; a config has a few)",
                                 path, e.mark.line + 1, e.mark.column + 1, e.depth()));
  } catch (const YAML::Exception& e) {
    throw InputError(fmt::format("{}:{}:{}: malformed YAML: {}", path, e.mark.line + 1,
                                 e.mark.column + 1, e.msg));
  }
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

namespace {
// Shared prefix (e.g. "frequency_ghz" vs "frequency_mhz") counts as closeness too.
size_t common_prefix(const std::string& a, const std::string& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}
}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    bool close = d <= std::max<size_t>(2, word.size() / 3) || common_prefix(word, c) >= 4;
    if (close && d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

YamlMap::YamlMap(YAML::Node node, std::string file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {
  if (!node_.IsMap()) {
    throw InputError(fmt::format("{}: {}: expected a map of keys, found {}", file_,
                                 path_.empty() ? "document" : path_, describe_value(node_)));
  }
  // Keys are names; a list or map used as a key (`? [a, b]`, `{x: 1}: 2`) would make every
  // key lookup below throw a conversion error instead of a message.
  std::map<std::string, int> line_of;  // key -> its line (0 if unknown)
  for (const auto& kv : node_) {
    std::string where = file_;
    const int line = kv.first.Mark().line >= 0 ? kv.first.Mark().line + 1 : 0;
    if (line > 0) where += fmt::format(":{}", line);
    if (!kv.first.IsScalar()) {
      throw InputError(fmt::format("{}: {}: a key must be a plain name, found {}", where,
                                   path_.empty() ? "document" : path_, describe_value(kv.first)));
    }
    const std::string& key = kv.first.Scalar();
    // yaml-cpp keeps both copies of a repeated key and a lookup finds the first: the second
    // value would be ignored without a word.
    if (auto [it, fresh] = line_of.emplace(key, line); !fresh) {
      throw InputError(fmt::format("{}: key '{}' appears twice{}; only one value can hold", where, key_path(key),
                                   it->second > 0 ? fmt::format(" (first on line {})", it->second) : ""));
    }
    // yaml-cpp does not implement YAML 1.1 merge keys: '<<' would be an ordinary (unknown) key.
    if (key == "<<") {
      throw InputError(fmt::format("{}: {}: YAML merge keys ('<<: *anchor') are not supported; write the keys out",
                                   where, path_.empty() ? "document" : path_));
    }
  }
}

YamlMap::YamlMap(YAML::Node node, std::string file, std::string path, const std::vector<std::string>& keys)
    : YamlMap(std::move(node), std::move(file), std::move(path)) {
  declare_keys(keys);
}

YamlMap& YamlMap::declare_keys(const std::vector<std::string>& keys) {
  if (keys.empty()) return *this;
  for (const auto& k : keys) {
    if (std::find(declared_.begin(), declared_.end(), k) == declared_.end()) declared_.push_back(k);
  }
  reject_unknown_keys();
  return *this;
}

void YamlMap::mark_used(const std::string& key) {
  if (!declared_.empty() && std::find(declared_.begin(), declared_.end(), key) == declared_.end()) {
    throw InternalError(fmt::format("{}: the loader reads key '{}', which it did not declare (declared: {})", file_,
                                    key_path(key), fmt::join(declared_, ", ")));
  }
  used_.insert(key);
}

std::string YamlMap::key_path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void YamlMap::fail(const std::string& key, const std::string& message) const {
  std::string where = file_;
  YAML::Node n = node_[key];
  if (n && n.Mark().line >= 0) where += fmt::format(":{}", n.Mark().line + 1);
  throw InputError(fmt::format("{}: key '{}': {}", where, key_path(key), message));
}

std::string YamlMap::describe_value(const YAML::Node& n) const {
  if (!n || n.IsNull()) return "nothing (null)";
  if (n.IsScalar()) {
    // A value pasted by mistake (a whole file, a long line) should not flood the message.
    const std::string& v = n.Scalar();
    if (v.size() > 80) return fmt::format("'{}...' ({} bytes)", v.substr(0, 60), v.size());
    return fmt::format("'{}'", v);
  }
  if (n.IsSequence()) return "a list";
  return "a map";
}

bool YamlMap::has(const std::string& key) const {
  YAML::Node n = node_[key];
  return n.IsDefined() && !n.IsNull();
}

YAML::Node YamlMap::required(const std::string& key) {
  mark_used(key);
  if (!has(key)) {
    // A missing key is most often a misspelled one: name the typo, not just the absence. With
    // declared keys every present key is valid (declare_keys rejected the others), so a missing
    // key is just missing; without, a key not read yet may still be a valid one.
    for (const auto& kv : node_) {
      if (!declared_.empty()) break;
      const std::string other = kv.first.as<std::string>();
      // Only a near-miss spelling counts (not a shared prefix: 'dram_background_mw' is not a
      // typo of 'dram_refresh_pj'), so an absent key is still reported as missing.
      if (used_.count(other) == 0 && edit_distance(other, key) <= std::max<size_t>(2, key.size() / 5)) {
        std::string where = file_;
        if (kv.first.Mark().line >= 0) where += fmt::format(":{}", kv.first.Mark().line + 1);
        throw InputError(fmt::format("{}: unknown key '{}' (did you mean '{}'?)", where, key_path(other), key_path(key)));
      }
    }
    fail(key, "required key is missing");
  }
  return node_[key];
}

YAML::Node YamlMap::raw(const std::string& key) {
  mark_used(key);
  return node_[key];
}

double YamlMap::number(const std::string& key) {
  YAML::Node n = required(key);
  double v = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v)) {
    fail(key, fmt::format("expected a number, found {}", describe_value(n)));
  }
  // yaml-cpp reads '.nan'/'.inf' as numbers; a physical parameter is never one.
  if (!std::isfinite(v)) fail(key, fmt::format("expected a finite number, found {}", describe_value(n)));
  return v;
}

std::optional<double> YamlMap::optional_number(const std::string& key) {
  mark_used(key);
  if (!has(key)) return std::nullopt;
  return number(key);
}

int64_t YamlMap::integer(const std::string& key) {
  YAML::Node n = required(key);
  int64_t v = 0;
  if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v)) {
    fail(key, fmt::format("expected a whole number, found {}", describe_value(n)));
  }
  return v;
}

std::optional<int64_t> YamlMap::optional_integer(const std::string& key) {
  mark_used(key);
  if (!has(key)) return std::nullopt;
  return integer(key);
}

std::string YamlMap::string(const std::string& key) {
  YAML::Node n = required(key);
  if (!n.IsScalar()) fail(key, fmt::format("expected a string, found {}", describe_value(n)));
  return n.Scalar();
}

std::optional<std::string> YamlMap::optional_string(const std::string& key) {
  mark_used(key);
  if (!has(key)) return std::nullopt;
  return string(key);
}

std::string YamlMap::name(const std::string& key) {
  const std::string v = string(key);
  const std::string valid = fmt::format("a name is 1..{} characters without line breaks, tabs or other control characters",
                                        kMaxNameBytes);
  if (v.empty()) fail(key, fmt::format("is empty; {}", valid));
  if (v.size() > kMaxNameBytes) fail(key, fmt::format("'{}...' is {} bytes long; {}", v.substr(0, 40), v.size(), valid));
  const auto control = std::find_if(v.begin(), v.end(), [](char c) { return (c >= 0 && c < 0x20) || c == 0x7f; });
  if (control != v.end()) {
    fail(key, fmt::format("has a control character (byte 0x{:02X} at offset {}); {}", static_cast<unsigned>(*control),
                          control - v.begin(), valid));
  }
  return v;
}

std::optional<std::string> YamlMap::optional_name(const std::string& key) {
  mark_used(key);
  if (!has(key)) return std::nullopt;
  return name(key);
}

bool YamlMap::boolean(const std::string& key) {
  YAML::Node n = required(key);
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
    fail(key, fmt::format("expected true or false, found {}", describe_value(n)));
  }
  return v;
}

std::optional<bool> YamlMap::optional_boolean(const std::string& key) {
  mark_used(key);
  if (!has(key)) return std::nullopt;
  return boolean(key);
}

YamlMap YamlMap::map(const std::string& key, const std::vector<std::string>& keys) {
  YAML::Node n = required(key);
  if (!n.IsMap()) fail(key, fmt::format("expected a map of keys, found {}", describe_value(n)));
  return YamlMap(n, file_, key_path(key), keys);
}

std::optional<YamlMap> YamlMap::optional_map(const std::string& key, const std::vector<std::string>& keys) {
  mark_used(key);
  if (!has(key)) return std::nullopt;
  return map(key, keys);
}

double YamlMap::positive_number(const std::string& key) {
  double v = number(key);
  if (!(v > 0)) fail(key, fmt::format("must be greater than 0, found {}", v));
  return v;
}

int64_t YamlMap::positive_integer(const std::string& key) {
  int64_t v = integer(key);
  if (v <= 0) fail(key, fmt::format("must be a whole number greater than 0, found {}", v));
  return v;
}

double YamlMap::fraction(const std::string& key) {
  double v = number(key);
  if (!(v > 0 && v <= 1)) fail(key, fmt::format("must be a fraction in (0, 1], found {}", v));
  return v;
}

double YamlMap::number_in_range(const std::string& key, double lo, double hi) {
  double v = number(key);
  if (!(v >= lo && v <= hi)) fail(key, fmt::format("must be in [{}, {}], found {}", lo, hi, v));
  return v;
}

int64_t YamlMap::integer_in_range(const std::string& key, int64_t lo, int64_t hi) {
  int64_t v = integer(key);
  if (v < lo || v > hi) fail(key, fmt::format("must be a whole number in {}..{}, found {}", lo, hi, v));
  return v;
}

void YamlMap::reject_unknown_keys(const std::vector<std::string>& also_valid) const {
  // Declared keys first, in their order (the list printed when nothing is close), then any read
  // or named here that were not declared.
  std::vector<std::string> known = declared_;
  for (const auto& k : used_) {
    if (std::find(known.begin(), known.end(), k) == known.end()) known.push_back(k);
  }
  for (const auto& k : also_valid) {
    if (std::find(known.begin(), known.end(), k) == known.end()) known.push_back(k);
  }
  for (const auto& kv : node_) {
    std::string key = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string hint = closest_match(key, known);
    std::string where = file_;
    if (kv.first.Mark().line >= 0) where += fmt::format(":{}", kv.first.Mark().line + 1);
    throw InputError(fmt::format("{}: unknown key '{}'{}", where, key_path(key),
                                 hint.empty() ? fmt::format(" (valid keys here: {})",
                                                            fmt::join(known, ", "))
                                              : fmt::format(" (did you mean '{}'?)", key_path(hint))));
  }
}

namespace {
// A copy of `n` without source marks: an override's value was parsed from the command line, so
// its "line 1" must not be reported as line 1 of the config file it is written into.
YAML::Node without_marks(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      return YAML::Node(n.Scalar());
    case YAML::NodeType::Sequence: {
      YAML::Node out(YAML::NodeType::Sequence);
      for (const auto& item : n) out.push_back(without_marks(item));
      return out;
    }
    case YAML::NodeType::Map: {
      YAML::Node out(YAML::NodeType::Map);
      for (const auto& kv : n) out[without_marks(kv.first)] = without_marks(kv.second);
      return out;
    }
    default:
      return YAML::Node(YAML::NodeType::Null);
  }
}
}  // namespace

void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides,
                     const std::string& origin) {
  for (const auto& item : overrides) {
    if (const size_t bad = invalid_utf8_at(item); bad != std::string::npos) {
      throw InputError(fmt::format("{}: an override is not valid UTF-8 (byte 0x{:02X} at offset {})", origin,
                                   static_cast<unsigned char>(item[bad]), bad));
    }
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw InputError(fmt::format("{} '{}': expected KEY=VALUE", origin, item));
    }
    std::string key = item.substr(0, eq);
    std::string value = item.substr(eq + 1);
    // Walk the dotted path; every step must exist already. Nodes are handles, so reassigning
    // `node` would write through into the tree: collect the steps and descend by index.
    std::vector<std::string> steps;
    for (size_t start = 0;;) {
      size_t dot = key.find('.', start);
      steps.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    std::vector<YAML::Node> chain{root};
    std::string walked;
    for (size_t i = 0; i < steps.size(); ++i) {
      const YAML::Node& parent = chain.back();
      const std::string& step = steps[i];
      if (!parent.IsMap() || !parent[step].IsDefined()) {
        std::vector<std::string> names;
        if (parent.IsMap()) {
          for (const auto& kv : parent) {
            if (kv.first.IsScalar()) names.push_back(kv.first.Scalar());  // a list as a key has no name
          }
        }
        std::string full = walked.empty() ? step : walked + "." + step;
        std::string hint = closest_match(step, names);
        throw InputError(fmt::format(
            "{} '{}': unknown key '{}'{}", origin, item, full,
            hint.empty() ? "" : fmt::format(" (did you mean '{}'?)",
                                            walked.empty() ? hint : walked + "." + hint)));
      }
      walked = walked.empty() ? step : walked + "." + step;
      if (i + 1 < steps.size()) chain.push_back(parent[step]);
    }
    YAML::Node parsed;
    try {
      parsed = YAML::Load(value);
    } catch (const YAML::DeepRecursion& e) {
      throw InputError(fmt::format("{} '{}': value is not valid YAML: nested too deeply ({} levels)", origin,
                                   item.size() > 200 ? item.substr(0, 200) + "..." : item, e.depth()));
    } catch (const YAML::Exception& e) {
      throw InputError(fmt::format("{} '{}': value is not valid YAML: {}", origin, item, e.msg));
    }
    YAML::Node parent = chain.back();
    parent[steps.back()] = without_marks(parsed);
  }
}

}  // namespace h2sim

#include "sim/cli/flags/flags.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "config/errors.hpp"
#include "config/yaml_reader.hpp"
#include "sim/cli/arg_checks.hpp"

namespace h2sim::cli {

namespace {
Flag make(std::string name, FlagType type, std::string help) {
  Flag f;
  f.name = std::move(name);
  f.type = type;
  f.help = std::move(help);
  return f;
}

bool is_output_or_managed(const Flag& f) { return f.type == FlagType::output || f.managed_by_sweep; }

// The type a flag's variable must have, for the start-up check.
bool target_fits(FlagType type, const FlagTarget& t) {
  switch (type) {
    case FlagType::whole: return std::holds_alternative<int64_t*>(t) || std::holds_alternative<int*>(t);
    case FlagType::seed: return std::holds_alternative<uint64_t*>(t);
    case FlagType::real: return std::holds_alternative<double*>(t);
    case FlagType::boolean: return std::holds_alternative<bool*>(t);
    case FlagType::key_values:
    case FlagType::paths: return std::holds_alternative<std::vector<std::string>*>(t);
    default: return std::holds_alternative<std::string*>(t);
  }
}

// Sets the variable to the flag's default (parsed from its text).
void set_default(const Flag& f, const FlagTarget& t) {
  if (f.default_value.empty()) return;
  const std::string& v = f.default_value;
  std::visit(
      [&](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::string>) *p = v;
        else if constexpr (std::is_same_v<T, int64_t>) *p = std::stoll(v);
        else if constexpr (std::is_same_v<T, int>) *p = std::stoi(v);
        else if constexpr (std::is_same_v<T, uint64_t>) *p = std::stoull(v);
        else if constexpr (std::is_same_v<T, double>) *p = std::stod(v);
        else throw InternalError(fmt::format("flag --{}: a default is given for a flag of this type", f.name));
      },
      t);
}
}  // namespace

Flag text_flag(std::string name, std::string help) { return make(std::move(name), FlagType::text, std::move(help)); }
Flag word_flag(std::string name, std::vector<std::string> words, std::string help) {
  Flag f = make(std::move(name), FlagType::word, std::move(help));
  f.words = std::move(words);
  return f;
}
Flag path_flag(std::string name, std::string help) { return make(std::move(name), FlagType::path, std::move(help)); }
Flag paths_flag(std::string name, std::string help) { return make(std::move(name), FlagType::paths, std::move(help)); }
Flag name_or_path_flag(std::string name, std::string help) {
  return make(std::move(name), FlagType::name_or_path, std::move(help));
}
Flag whole_flag(std::string name, std::string help) { return make(std::move(name), FlagType::whole, std::move(help)); }
Flag seed_flag(std::string name, std::string help) { return make(std::move(name), FlagType::seed, std::move(help)); }
Flag real_flag(std::string name, std::string help) { return make(std::move(name), FlagType::real, std::move(help)); }
Flag bool_flag(std::string name, std::string help) { return make(std::move(name), FlagType::boolean, std::move(help)); }
Flag key_values_flag(std::string name, std::string help) {
  Flag f = make(std::move(name), FlagType::key_values, std::move(help));
  f.sweep_prefix = f.name;
  return f;
}
Flag output_flag(std::string name, std::string help) { return make(std::move(name), FlagType::output, std::move(help)); }
Flag positional(Flag f) {
  f.positional = true;
  return f;
}

const Flag* FlagTable::find(const std::string& name) const {
  for (const auto& f : flags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const Flag* FlagTable::find_sweep_key(const std::string& key, std::string* override_key) const {
  for (const auto& f : flags) {
    if (f.positional) continue;
    if (f.type == FlagType::key_values) {
      const std::string prefix = f.sweep_prefix + ".";
      if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) {
        if (override_key) *override_key = key.substr(prefix.size());
        return &f;
      }
    } else if (f.name == key) {
      return &f;
    }
  }
  return nullptr;
}

std::vector<std::string> FlagTable::sweep_key_names() const {
  std::vector<std::string> names;
  for (const auto& f : flags) {
    if (f.positional || is_output_or_managed(f)) continue;
    names.push_back(f.type == FlagType::key_values ? f.sweep_prefix + ".KEY" : f.name);
  }
  return names;
}

std::string FlagTable::default_of(const std::string& name) const {
  const Flag* f = find(name);
  return f ? f->default_value : "";
}

std::map<std::string, CLI::Option*> add_flags(CLI::App& cmd, const FlagTable& table,
                                              const std::vector<FlagBinding>& bindings) {
  std::map<std::string, const FlagTarget*> targets;
  for (const auto& b : bindings) {
    if (!table.find(b.name)) {
      throw InternalError(fmt::format("{} --{}: bound to a variable but not in the command's flag table", table.command, b.name));
    }
    if (!targets.emplace(b.name, &b.target).second) {
      throw InternalError(fmt::format("{} --{}: bound twice", table.command, b.name));
    }
  }
  std::map<std::string, CLI::Option*> options;
  for (const Flag& f : table.flags) {
    const auto it = targets.find(f.name);
    if (it == targets.end()) throw InternalError(fmt::format("{} --{}: in the flag table but bound to no variable", table.command, f.name));
    const FlagTarget& t = *it->second;
    if (!target_fits(f.type, t)) {
      throw InternalError(fmt::format("{} --{}: its variable's type does not fit the flag's type", table.command, f.name));
    }
    const std::string spelled = f.positional ? f.name : "--" + f.name;
    CLI::Option* opt = nullptr;
    if (f.type == FlagType::boolean) {
      opt = cmd.add_flag(spelled, *std::get<bool*>(t), f.help);
    } else {
      set_default(f, t);
      opt = std::visit([&](auto* p) { return cmd.add_option(spelled, *p, f.help); }, t);
      if (!f.default_value.empty()) {
        opt->capture_default_str();
        if (opt->get_default_str() != f.default_value) {
          throw InternalError(fmt::format("{} --{}: default '{}' reads back as '{}'", table.command, f.name,
                                          f.default_value, opt->get_default_str()));
        }
      }
      if (f.type == FlagType::key_values) opt->take_all();
    }
    if (f.required) opt->required();
    if (f.checked_when_parsed) {
      if (f.type == FlagType::whole) opt->transform(whole_number(f.min_whole, f.max_whole, f.range_why));
      else if (f.type == FlagType::real) opt->transform(real_number(f.min_real, f.max_real, f.range_why));
      else if (f.type == FlagType::seed) opt->transform(unsigned_64());
    }
    options[f.name] = opt;
  }
  return options;
}

std::string check_flag_value(const FlagTable& table, const Flag& f, const std::string& v) {
  const std::string range_of = fmt::format("the range of {} --{}", table.command, f.name);
  const std::string unit = f.unit.empty() ? "" : " " + f.unit;
  switch (f.type) {
    case FlagType::whole: {
      errno = 0;
      const bool digits = !plain_decimal(v).empty() && v[0] != '+';
      const long long x = digits ? std::strtoll(v.c_str(), nullptr, 10) : 0;
      if (!digits || errno == ERANGE || x < f.min_whole || x > f.max_whole) {
        return fmt::format("'{}' is not a whole number in {}..{}{} ({})", v, f.min_whole, f.max_whole, unit, range_of);
      }
      return "";
    }
    case FlagType::seed: {
      const bool digits = !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
      errno = 0;
      if (digits) (void)std::strtoull(v.c_str(), nullptr, 10);
      if (!digits || errno == ERANGE) return fmt::format("'{}' is not a seed (a whole number in 0..2^64-1)", v);
      return "";
    }
    case FlagType::real: {
      std::string copy = v;
      if (real_number(f.min_real, f.max_real)(copy).empty()) return "";
      // "'-1' is not a number of seconds in [0, 1e+09] (the range of run --max-wall-s)"
      const std::string what = f.unit == "s" ? " of seconds" : f.unit.empty() ? "" : " (" + f.unit + ")";
      return fmt::format("'{}' is not a number{} in [{:g}, {:g}] ({})", v, what, f.min_real, f.max_real, range_of);
    }
    case FlagType::word: {
      if (std::find(f.words.begin(), f.words.end(), v) != f.words.end()) return "";
      const std::string hint = closest_match(v, f.words);
      return fmt::format("'{}' is not one of {}{}", v, fmt::join(f.words, ", "),
                         hint.empty() ? "" : " (did you mean '" + hint + "'?)");
    }
    case FlagType::boolean:
      return (v == "true" || v == "false") ? "" : fmt::format("'{}' is not true or false", v);
    default:
      return "";
  }
}

}  // namespace h2sim::cli

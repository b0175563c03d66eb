#pragma once
// The flags of the h2sim commands as data: one table per command (sim/cli/flags/command_flags.cpp)
// gives each flag's name, type, range, default, unit and help. The same table
//   - registers the command's CLI11 options (add_flags, called by sim/cli/cmd_<command>.cpp), and
//   - validates and spells sweep keys (study/sweep.cpp): every flag of run, gemm and analyze can
//     be swept, except the outputs the sweep writes itself.
// Plain C++ (CLI11 and fmt, no SystemC): compiled into h2sim_flags, used by the CLI and study/.
//
// Adding a flag to a command: add one line to its table in command_flags.cpp (see the comment at
// the top of that file), then bind it to its variable in the command's add_flags call. A flag in
// the table without a variable (or a variable without a flag) is an InternalError at start-up,
// so the two cannot drift.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace h2sim::cli {

enum class FlagType {
  text,          // free text (vcd-window, shard)
  word,          // one of `words` (fidelity, dram, on); the command reports a bad word itself
  path,          // an input file (resolved against a sweep spec's folder)
  name_or_path,  // a shipped name (sharegpt, h2llm) or an input file
  whole,         // a whole number in [min_whole, max_whole]
  seed,          // an unsigned 64-bit whole number
  real,          // a finite real number in [min_real, max_real]
  boolean,       // a switch (--exact); a sweep spells it true/false
  key_values,    // repeatable KEY=VALUE overrides (--set, --energy-set, --dram-set)
  output,        // a file or folder the command writes (never set by a sweep: each point has its own)
  paths,         // one or more input files (a positional list, e.g. check's files)
};

struct Flag {
  std::string name;  // without "--" (positional arguments: the placeholder, e.g. "spec")
  FlagType type = FlagType::text;
  std::string help;  // exactly as --help shows it
  std::string unit;  // of the value ("" for words, files and counts without a unit)
  // As --help shows it ("" = none shown) and the value the variable starts with.
  std::string default_value;
  bool required = false;
  bool positional = false;
  int64_t min_whole = 0, max_whole = 0;  // whole
  double min_real = 0, max_real = 0;     // real
  std::string range_why;                 // where the bounds come from, shown with a range error
  // true: the range (or the seed's form) is checked while the command line is parsed (a CLI11
  // validator; --help shows the range). false: the command checks it after parsing with its own
  // message (e.g. validate_gemm_shape) and sweeps check it here when a spec is loaded.
  bool checked_when_parsed = false;
  std::vector<std::string> words;  // word: the valid values
  // key_values: the sweep key prefix; `set.nmp_channels: 4` in a spec is `--set nmp_channels=4`.
  std::string sweep_prefix;
  // A flag that a sweep must not set although it is not an output (quiet: the sweep sets it).
  bool managed_by_sweep = false;

  // Builders, so a table line reads like the flag: whole("batch", ...).range(1, kMaxBatch).
  Flag& default_is(std::string v) { default_value = std::move(v); return *this; }
  Flag& is_required() { required = true; return *this; }
  Flag& in_unit(std::string u) { unit = std::move(u); return *this; }
  Flag& range(int64_t lo, int64_t hi, std::string why = "") { min_whole = lo; max_whole = hi; range_why = std::move(why); return *this; }
  Flag& real_range(double lo, double hi, std::string why = "") { min_real = lo; max_real = hi; range_why = std::move(why); return *this; }
  Flag& parse_checked() { checked_when_parsed = true; return *this; }
  Flag& swept_as(std::string prefix) { sweep_prefix = std::move(prefix); return *this; }
  Flag& sweep_sets_it() { managed_by_sweep = true; return *this; }
};

Flag text_flag(std::string name, std::string help);
Flag word_flag(std::string name, std::vector<std::string> words, std::string help);
Flag path_flag(std::string name, std::string help);
Flag paths_flag(std::string name, std::string help);
Flag name_or_path_flag(std::string name, std::string help);
Flag whole_flag(std::string name, std::string help);
Flag seed_flag(std::string name, std::string help);
Flag real_flag(std::string name, std::string help);
Flag bool_flag(std::string name, std::string help);
Flag key_values_flag(std::string name, std::string help);
Flag output_flag(std::string name, std::string help);
Flag positional(Flag f);

struct FlagTable {
  std::string command;
  std::vector<Flag> flags;  // in --help order

  const Flag* find(const std::string& name) const;
  // The flag a sweep key names: `batch` -> batch, `set.nmp_channels` -> set (KEY = nmp_channels).
  // nullptr if the key names no flag.
  const Flag* find_sweep_key(const std::string& key, std::string* override_key = nullptr) const;
  // The sweep keys a spec may use: every flag except outputs and managed ones, KEY=VALUE flags
  // as PREFIX.KEY.
  std::vector<std::string> sweep_key_names() const;
  // The default of a flag ("" if it has none or the flag is not in the table).
  std::string default_of(const std::string& name) const;
};

// The table of a command (run, gemm, analyze, explore, dram, verify-trace, area, check, sweep, merge,
// experiment); nullptr for any other.
const FlagTable* command_flags(const std::string& command);
const FlagTable& run_flags();
const FlagTable& gemm_flags();
const FlagTable& analyze_flags();
const FlagTable& explore_flags();
const FlagTable& dram_flags();
const FlagTable& verify_trace_flags();
const FlagTable& area_flags();
const FlagTable& check_flags();
const FlagTable& sweep_flags();
const FlagTable& merge_flags();
const FlagTable& experiment_flags();

// Where a flag's value goes.
using FlagTarget = std::variant<std::string*, std::vector<std::string>*, int64_t*, int*, uint64_t*, double*, bool*>;
struct FlagBinding {
  std::string name;
  FlagTarget target;
};

// Registers every flag of `table` on `cmd`, each bound to its variable (which is set to the
// flag's default), in table order; returns the options by name. InternalError if a flag has no
// binding, a binding names no flag, or its variable's type does not fit the flag's type.
std::map<std::string, CLI::Option*> add_flags(CLI::App& cmd, const FlagTable& table,
                                              const std::vector<FlagBinding>& bindings);

// "" if `value` is valid for the flag, else why not (with the command's range), e.g.
// "'0x2' is not a whole number in 1..4096 (the range of run --batch)". key_values and output
// flags are not judged here (overrides are checked with their config file).
std::string check_flag_value(const FlagTable& table, const Flag& flag, const std::string& value);

}  // namespace h2sim::cli

#pragma once
// Finding config files: the one place that turns `--hw id-nmp-plus` into a path and knows where
// the shipped configs live.
//
// A command-line value is resolved as follows (every kind the same way):
//   1. an existing file of that path (relative to the working folder or absolute) always wins;
//   2. a value that looks like a path (has a '/' or ends in .yaml, .yml or .json) and is not a
//      file is an error naming the path;
//   3. otherwise it is a name: NAME.yaml in the kind's folder of the shipped configs
//      (hardware/, models/, scenarios/, dram/, energy/, experiments/);
//   4. an unknown name is an error listing the shipped names, closest first, and where they are.
//
// The shipped configs are the first of these folders that exists (docs: README.md, "Configs"):
//   a. $H2SIM_CONFIGS, when set (an error if it is not a folder);
//   b. PREFIX/share/h2sim/configs, where PREFIX/bin holds the running executable (installed);
//   c. the configs/ folder of the source tree this executable was built from (a build folder
//      anywhere: the path is compiled in).
// Nothing depends on the working folder except explicit relative paths.
#include <string>
#include <vector>

namespace h2sim {

enum class ConfigKind { hardware, model, scenario, dram, energy, experiment };

// What every command uses when the flag is not given (shipped names): H2-LLM, LLaMA3-8B, and the
// default energy prices.
inline constexpr const char* kDefaultHardware = "h2llm";
inline constexpr const char* kDefaultModel = "llama3-8b";
inline constexpr const char* kDefaultEnergy = "default";

// The kind's folder under the shipped configs ("hardware", "models", ...).
std::string config_folder(ConfigKind kind);
// The kind in words, as errors say it ("hardware config", "model", ...).
std::string config_noun(ConfigKind kind);

// The running executable (/proc/self/exe; this is the only place that reads it). Throws
// InternalError if the system does not say.
std::string self_executable();

struct ShippedConfigs {
  std::string root;                    // "" when none of the places holds them
  std::vector<std::string> looked_in;  // each place tried, in order, as "WHAT (PATH)"
};
// Where the shipped configs are (found once per process). Throws InputError when $H2SIM_CONFIGS
// is set but is not a folder.
const ShippedConfigs& shipped_configs();

// The names (file names without .yaml) of the shipped configs of `kind`, sorted; empty when the
// shipped configs were not found.
std::vector<std::string> shipped_names(ConfigKind kind);

// The path of the shipped config `name` of `kind`, "" when there is none (no error).
std::string shipped_config_path(ConfigKind kind, const std::string& name);

// `value` (a path or a shipped name) resolved to the path of a file, following the rules above.
// `flag` names where the value came from in errors (e.g. "--hw"). Throws InputError.
std::string locate_config(ConfigKind kind, const std::string& value, const std::string& flag);

}  // namespace h2sim

#pragma once
// Paths of sweep points: spec-relative values made absolute, and the config files a point reads
// when its flags leave them to the command's default (the same rules as the command's).
#include <optional>
#include <string>

#include "study/sweep_spec.hpp"

namespace h2sim {

// A value that names a file rather than a shipped name: has a '/' or a .yaml/.yml/.json extension.
bool looks_like_path(const std::string& v);
// fs::absolute without exceptions (it throws if the working folder was deleted), normalized.
std::string absolute_normal(const std::string& p);
// `p` resolved against `dir` (a spec's folder) unless absolute, normalized.
std::string absolute_path(const std::string& dir, const std::string& p);

// The hardware file a point uses: its `hw` flag (a path or a shipped name), or the commands'
// default design; resolved by config/locator.hpp as the command resolves it.
std::string point_hardware_file(const SweepPoint& p);
// The energy prices a point with energy-set overrides uses: its `energy` flag, or the shipped
// 'default' that run uses without --energy (an InputError if there is none).
std::string point_energy_file(const SweepPoint& p);

// The file's content, or nothing if there is no file. Anything else at the path (a folder, a
// FIFO, a device, a file over 64 MiB) is an InputError: reading it could block or never end.
std::optional<std::string> read_if_exists(const std::string& path);

}  // namespace h2sim

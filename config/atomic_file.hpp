#pragma once
// Atomic result files: every output of h2sim (JSON, CSV, VCD, dataflow caches, sweep points) is
// written through this one function, so an interrupted or failed run never leaves a truncated
// file that a script would read as complete.
#include <string>

namespace h2sim {

// Writes `content` to `path` through a temporary file in the same folder (`path.partial.PID`,
// unique per process, so concurrent processes writing one path cannot mix their bytes) and a
// rename. Missing folders are created. Throws InputError naming the path on failure, removing
// the temporary file.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace h2sim

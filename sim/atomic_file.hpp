#pragma once
#include <string>

namespace h2sim {

// Writes `content` to `path` through a temporary file in the same folder and a rename, so a
// reader never sees a half-written result. Throws InputError naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& content);


}  // namespace h2sim

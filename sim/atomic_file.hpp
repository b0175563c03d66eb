#pragma once
#include <string>

namespace h2sim {

// Writes `content` to `path` through a temporary file in the same folder and a rename, so a
// reader never sees a half-written result. Throws InputError naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& content);

// Checks, before any work is done, that `path` (given with command-line flag `flag`) can be
// written: not an existing folder, and its nearest existing ancestor is a writable folder (missing
// folders are created when writing). InputError naming the flag and the path otherwise, so a long
// run never ends in "cannot write" after the work is done.
void check_output_path(const std::string& path, const std::string& flag);

}  // namespace h2sim

#pragma once
// Atomic result files: every output of h2sim (JSON, CSV, VCD, dataflow caches, sweep points) is
// written through this one function, so an interrupted or failed run never leaves a truncated
// file that a script would read as complete.
#include <cstdio>
#include <string>

namespace h2sim {

// Writes `content` to `path` through a temporary file in the same folder (`path.partial.PID`,
// unique per process, so concurrent processes writing one path cannot mix their bytes) and a
// rename. Missing folders are created. Throws InputError naming the path on failure, removing
// the temporary file.
void write_file_atomically(const std::string& path, const std::string& content);

// The same for an output too large to hold in memory (command traces): bytes are appended to
// `path.partial.PID` as they come and commit() renames it to `path`. A writer destroyed without
// commit() (an error, Ctrl-C unwinding) removes its temporary file, so `path` is either the
// complete output or untouched. Errors are InputErrors naming `path`.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(const std::string& path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(const char* data, size_t n);
  void write(const std::string& s) { write(s.data(), s.size()); }
  void commit();
  const std::string& path() const { return path_; }
  int64_t bytes_written() const { return bytes_; }

 private:
  std::string path_, partial_;
  std::FILE* f_ = nullptr;
  int64_t bytes_ = 0;
};

}  // namespace h2sim

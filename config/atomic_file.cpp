#include "config/atomic_file.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "config/errors.hpp"

namespace h2sim {

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string partial = fmt::format("{}.partial.{}", path, ::getpid());
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw InputError(fmt::format("cannot write '{}': cannot create folder '{}': {}", path, parent.string(), ec.message()));
  }
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(fmt::format("cannot write '{}': folder missing or not writable", path));
    out << content;
    out.flush();
    if (!out) {
      std::remove(partial.c_str());
      throw InputError(fmt::format("cannot write '{}': write failed (disk full?)", path));
    }
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) {
    std::remove(partial.c_str());
    throw InputError(fmt::format("cannot write '{}': {}", path, ec.message()));
  }
}

AtomicFileWriter::AtomicFileWriter(const std::string& path)
    : path_(path), partial_(fmt::format("{}.partial.{}", path, ::getpid())) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw InputError(fmt::format("cannot write '{}': cannot create folder '{}': {}", path, parent.string(), ec.message()));
  }
  f_ = std::fopen(partial_.c_str(), "wb");
  if (!f_) throw InputError(fmt::format("cannot write '{}': folder missing or not writable", path));
  std::setvbuf(f_, nullptr, _IOFBF, size_t(1) << 20);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (f_) {
    std::fclose(f_);
    std::remove(partial_.c_str());
  }
}

void AtomicFileWriter::write(const char* data, size_t n) {
  if (!f_) throw InputError(fmt::format("cannot write '{}': already committed", path_));
  if (n > 0 && std::fwrite(data, 1, n, f_) != n) {
    throw InputError(fmt::format("cannot write '{}': write failed (disk full?)", path_));
  }
  bytes_ += int64_t(n);
}

void AtomicFileWriter::commit() {
  if (!f_) return;
  const bool ok = std::fflush(f_) == 0 && !std::ferror(f_);
  const bool closed = std::fclose(f_) == 0;
  f_ = nullptr;
  if (!ok || !closed) {
    std::remove(partial_.c_str());
    throw InputError(fmt::format("cannot write '{}': write failed (disk full?)", path_));
  }
  std::error_code ec;
  std::filesystem::rename(partial_, path_, ec);
  if (ec) {
    std::remove(partial_.c_str());
    throw InputError(fmt::format("cannot write '{}': {}", path_, ec.message()));
  }
}

}  // namespace h2sim

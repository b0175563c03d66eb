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

}  // namespace h2sim

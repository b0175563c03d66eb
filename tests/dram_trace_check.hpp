#pragma once
// Test helper shared by the unit and SystemC suites: every test that simulates DRAM commands
// writes them as a command trace (the same writer as --command-trace) and has the independent
// checker (verify/dram_trace_checker) replay it.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include <unistd.h>

#include "config/hardware_config.hpp"
#include "models/dram/dram_command_trace.hpp"
#include "models/dram/dram_standard.hpp"
#include "verify/dram_trace_checker.hpp"

namespace h2sim::test {

// A unique temporary path for a trace (removed by the CheckedCommandTrace that owns it).
inline std::string temp_trace_path(const std::string& tag) {
  static std::atomic<int> n{0};
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : std::string("trace");
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return ::testing::TempDir() + "h2sim-" + name + "-" + tag + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(n++) + ".csv";
}

// Owns a command trace file; observe channels with observer(), call finish_commands() on them,
// then check().
class CheckedCommandTrace {
 public:
  explicit CheckedCommandTrace(const std::string& tag = "t")
      : path_(temp_trace_path(tag)), file_(std::make_unique<DramCommandTraceFile>(path_)) {}
  ~CheckedCommandTrace() { std::remove(path_.c_str()); }
  DramCommandObserver& observer() { return *file_; }
  const std::string& path() const { return path_; }
  int64_t commands() const { return commands_; }

  // Commits the file and checks it; a violation fails the calling test with the report.
  TraceCheckResult check(const DramStandard& standard, const HardwareConfig& hw) {
    if (file_) {
      file_->commit();
      commands_ = file_->commands_written();
      file_.reset();
    }
    TraceCheckResult r = check_command_trace_file(path_, standard, hw);
    EXPECT_TRUE(r.ok) << r.report;
    EXPECT_EQ(r.summary.commands, commands_) << "the checker read a different number of commands than were written";
    return r;
  }

 private:
  std::string path_;
  std::unique_ptr<DramCommandTraceFile> file_;
  int64_t commands_ = 0;
};

}  // namespace h2sim::test

#pragma once
// Test helper shared by the hardware-config and area suites: the message of the InputError that
// loading a hardware config throws, or "" if it loads.
#include <string>
#include <vector>

#include "config/errors.hpp"
#include "config/hardware_config.hpp"

namespace h2sim::test {

inline std::string hardware_config_error(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    load_hardware_config(path, overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace h2sim::test

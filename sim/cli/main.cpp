// h2sim: the command-line front end. Each subcommand lives in its own file in sim/cli/.
// Exit codes: 0 ok, 1 internal error, 2 bad input, 3 limit reached, 130 Ctrl-C (see README.md).
#include <systemc>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>

#include "config/errors.hpp"
#include "sim/cli/arg_checks.hpp"
#include "sim/cli/commands.hpp"

namespace {

// CLI11 2.1 reads "010" as 8 and "0x10" as 16, turns "99999999999999999999" into INT64_MAX and
// "-1" into 2^64-1 for unsigned flags without a word, and takes "nan" and "inf" for numbers: every
// numeric flag of every command is checked here before conversion (whole numbers: plain decimal,
// in range, rewritten canonically; reals: finite, no hex), so nothing given on the command line is
// reinterpreted or silently clamped. Flags with a documented range add theirs (arg_checks.hpp).
std::string strict_number_error(const std::string& type, std::string& text) {
  errno = 0;
  char* end = nullptr;
  if (type == "FLOAT") {
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || text.find_first_of("xX") != std::string::npos || end == nullptr || *end != '\0') {
      return "'" + text + "' is not a number (decimal or scientific notation)";
    }
    if (errno == ERANGE && std::fabs(v) > 1) return "'" + text + "' is out of the range of a double";
    if (!std::isfinite(v)) return "must be a finite number, found '" + text + "'";
    return "";
  }
  if (h2sim::cli::plain_decimal(text).empty()) return "'" + text + "' is not a whole number in decimal digits";
  if (type == "UINT") {
    if (text[0] == '-') return "must not be negative, found '" + text + "'";
    const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (errno == ERANGE) return "'" + text + "' is out of the range of a 64-bit unsigned integer";
    text = std::to_string(v);
  } else {
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno == ERANGE) return "'" + text + "' is out of the range of a 64-bit integer";
    text = std::to_string(v);
  }
  return "";
}

void add_strict_number_checks(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) add_strict_number_checks(*sub);
  for (CLI::Option* opt : app.get_options()) {
    const std::string type = opt->get_type_name();
    if (type != "INT" && type != "UINT" && type != "FLOAT") continue;
    opt->transform(CLI::Validator([type](std::string& text) { return strict_number_error(type, text); }, "", "strict-number"));
  }
}

}  // namespace

int sc_main(int argc, char** argv) {
  CLI::App app{
      "h2sim: a cycle-level simulator of hybrid-bonding near-memory-processing accelerators for "
      "low-batch LLM inference (H2-LLM, ISCA 2025) and their baselines.\n"
      "Exit codes: 0 ok, 1 internal error, 2 bad input, 3 limit reached (--max-wall-s), 130 Ctrl-C."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");

  h2sim::cli::register_gemm_command(app);
  h2sim::cli::register_run_command(app);
  h2sim::cli::register_analyze_command(app);
  h2sim::cli::register_explore_command(app);
  h2sim::cli::register_dram_command(app);
  h2sim::cli::register_check_command(app);
  h2sim::cli::register_experiment_command(app);
  h2sim::cli::register_sweep_commands(app);
  h2sim::cli::register_verify_trace_command(app);
  h2sim::cli::register_area_command(app);
  add_strict_number_checks(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return h2sim::kExitBadInput;
  } catch (const h2sim::InputError& e) {
    std::cerr << "h2sim: error: " << e.what() << "\n";
    return h2sim::kExitBadInput;
  } catch (const h2sim::LimitReached& e) {
    std::cerr << "h2sim: stopped: " << e.what() << "\n";
    return h2sim::kExitLimitReached;
  } catch (const h2sim::Interrupted& e) {
    std::cerr << "h2sim: " << e.what() << "\n";
    return h2sim::kExitInterrupted;
  } catch (const h2sim::InternalError& e) {
    std::cerr << "h2sim: internal error (please report): " << e.what() << "\n";
    return h2sim::kExitInternalError;
  } catch (const std::exception& e) {
    std::cerr << "h2sim: internal error (please report): " << e.what() << "\n";
    return h2sim::kExitInternalError;
  }
  return h2sim::kExitOk;
}

// Our own main, so the SystemC banner can be switched off before the kernel prints it (it does
// so in sc_elab_and_sim, before sc_main runs).
int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}

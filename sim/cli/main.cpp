// h2sim: the command-line front end. Each subcommand lives in its own file in sim/cli/.
// Exit codes: 0 ok, 1 internal error, 2 bad input, 3 limit reached, 130 Ctrl-C (see README.md).
#include <systemc>

#include <cstdlib>
#include <iostream>

#include "config/errors.hpp"
#include "sim/cli/commands.hpp"

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

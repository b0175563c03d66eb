// SystemC tests run through this sc_main. SystemC allows one elaboration per process, so each
// test runs in a process of its own: ctest starts this binary once per test (gtest_discover_tests).
#include <gtest/gtest.h>
#include <systemc>

#include <cstdlib>

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);  // before the kernel prints its banner
  return sc_core::sc_elab_and_sim(argc, argv);
}

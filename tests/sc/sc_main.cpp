// SystemC tests run through this sc_main. SystemC allows one elaboration per process, so each
// test runs in a process of its own: ctest starts this binary once per test (gtest_discover_tests).
#include <gtest/gtest.h>
#include <systemc>

#include <cstdlib>

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

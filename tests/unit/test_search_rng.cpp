// The GA's lazily seeded Mersenne Twister must draw exactly what std::mt19937_64 draws: the
// search's results (and every cached searched dataflow) depend on it, byte for byte.
#include <gtest/gtest.h>

#include <random>

#include "mapping/search.hpp"

using namespace h2sim;

TEST(SearchRng, LazyMersenneTwisterMatchesTheStandardOne) {
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    const uint64_t s = seed * 0x9e3779b97f4a7c15ULL;  // spread the seeds over the whole range
    LazyMt19937_64 lazy(s);
    std::mt19937_64 ref(s);
    // Past two 312-word blocks for a few seeds, a short prefix for the rest.
    const int draws = seed % 100 == 0 ? 1000 : 40;
    for (int i = 0; i < draws; ++i) ASSERT_EQ(lazy(), ref()) << "seed " << s << " draw " << i;
  }
}

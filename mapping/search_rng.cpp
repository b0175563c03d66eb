// Role: seeding of the search's random-number streams (see mapping/search_rng.hpp).
#include "mapping/search_rng.hpp"

namespace h2sim {

namespace {
uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

SearchRng::SearchRng(uint64_t seed, uint64_t generation, uint64_t index)
    : engine_(splitmix64(splitmix64(splitmix64(seed) ^ generation) ^ index)) {}

}  // namespace h2sim

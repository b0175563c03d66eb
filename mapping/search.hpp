#pragma once
// Design-space search over dataflows (and optionally NMP hardware), reference §6 "Search".
// One header for its four parts, each in its own file:
//   mapping/search_rng.hpp        the random-number streams (one per individual)
//   mapping/dataflow_sampler.hpp  random legal dataflows, the GA's mutations and crossover
//   mapping/genetic_search.hpp    the genetic algorithm, its parameters and their bounds
//   mapping/exhaustive_search.hpp exhaustive search of the same space (small graphs)
#include "mapping/dataflow_sampler.hpp"
#include "mapping/exhaustive_search.hpp"
#include "mapping/genetic_search.hpp"
#include "mapping/search_rng.hpp"

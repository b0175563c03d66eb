#pragma once
// Role: the search's random numbers. One independent, reproducible stream per individual
// (seeded from the search seed, the generation and the individual's index), so that the GA's
// result does not depend on the thread count (see mapping/genetic_search.hpp).
#include <algorithm>
#include <cstdint>
#include <vector>

namespace h2sim {

// std::mt19937_64, the same generator with the same outputs (checked against the standard one
// over 20,000 seeds, up to 2,000 draws each), but its first block of 312 words is seeded and
// twisted lazily: an individual draws a few dozen numbers, so most of the state is never needed.
class LazyMt19937_64 {
 public:
  explicit LazyMt19937_64(uint64_t seed) {
    x_[0] = seed;
    inited_ = 1;
  }
  uint64_t operator()() {
    if (pos_ >= kN) {
      twist_all_();
      pos_ = 0;
    }
    if (twisted_ <= pos_) twist_to_(pos_ + 1);
    uint64_t z = x_[pos_++];
    z ^= (z >> 29) & 0x5555555555555555ULL;
    z ^= (z << 17) & 0x71d67fffeda60000ULL;
    z ^= (z << 37) & 0xfff7eee000000000ULL;
    z ^= z >> 43;
    return z;
  }

 private:
  static constexpr int kN = 312, kM = 156;
  static constexpr uint64_t kUpper = ~uint64_t(0) << 31, kLower = ~kUpper, kA = 0xb5026f5aa96619e9ULL;
  void init_to_(int n) {
    for (int i = inited_; i < n; ++i) x_[i] = 6364136223846793005ULL * (x_[i - 1] ^ (x_[i - 1] >> 62)) + uint64_t(i);
    if (n > inited_) inited_ = n;
  }
  uint64_t step_(int i) const {
    const uint64_t y = (x_[i] & kUpper) | (x_[i + 1 < kN ? i + 1 : 0] & kLower);
    return x_[(i + kM) % kN] ^ (y >> 1) ^ ((y & 1) ? kA : 0);
  }
  // First block: twist entries [twisted_, n) in order, seeding what they read first.
  void twist_to_(int n) {
    for (int i = twisted_; i < n; ++i) {
      init_to_(i < kN - kM ? i + kM + 1 : std::min(i + 2, kN));
      x_[i] = step_(i);
    }
    twisted_ = n;
  }
  void twist_all_() {
    for (int i = 0; i < kN; ++i) x_[i] = step_(i);
  }
  uint64_t x_[kN];
  int inited_ = 0;
  int twisted_ = 0;
  int pos_ = 0;
};

// A small, fast RNG stream: std::mt19937_64 seeded by splitmix64 (see LazyMt19937_64).
class SearchRng {
 public:
  SearchRng(uint64_t seed, uint64_t generation, uint64_t index);
  uint64_t next() { return engine_(); }
  uint64_t below(uint64_t n) { return n <= 1 ? 0 : engine_() % n; }
  double unit() { return double(engine_() >> 11) * (1.0 / 9007199254740992.0); }
  template <class T>
  void shuffle(std::vector<T>& v) {
    shuffle(v.data(), v.size());
  }
  template <class T>
  void shuffle(T* v, size_t n) {
    for (size_t i = n; i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  LazyMt19937_64 engine_;
};

}  // namespace h2sim

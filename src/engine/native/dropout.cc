// Inverted dropout in one pass: y = x * mask, the mask drawn on the fly from the same mulberry32
// stream as dropoutMask (src/engine/dropout.ts), so both engines drop the same values for a seed.
// mulberry32's state before draw i is seed + i * 0x6d2b79f5 (mod 2^32), so a thread's block can
// start its part of the stream anywhere and the split never changes the mask.
#include <cmath>
#include <cstdint>
#include "kernels.h"
#include "parallel.h"

namespace labnative {

namespace {

constexpr uint32_t kIncrement = 0x6d2b79f5u;

// keep: draw >= threshold; a threshold of 2^32 or more (rate within 2^-32 of 1) keeps nothing.
template <bool KeepNone>
void dropoutLoop(const float* x, long s, long e, uint32_t seed, uint32_t threshold, float scale, float* y) {
  uint32_t state = seed + (uint32_t)s * kIncrement;
  for (long i = s; i < e; i++) {
    state += kIncrement;
    uint32_t t = (state ^ (state >> 15)) * (state | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    const uint32_t draw = t ^ (t >> 14);
    // x * 0 (not a plain 0) for a dropped value, as x * mask gives: -0 for negative x, NaN for NaN.
    y[i] = x[i] * (!KeepNone && draw >= threshold ? scale : 0.f);
  }
}

}  // namespace

void dropout(const float* x, long n, double rate, uint32_t seed, float* y) {
  // dropoutMask keeps draw i when draw / 2^32 >= rate, i.e. draw >= ceil(rate * 2^32) (exact in double).
  const double bound = std::ceil(rate * 4294967296.0);
  const bool keepNone = bound >= 4294967296.0;
  const uint32_t threshold = keepNone ? 0u : (uint32_t)bound;
  const float scale = (float)(1.0 / (1.0 - rate));
  forRange(n, kParallelMin, [&](long s, long e) {
    if (keepNone) dropoutLoop<true>(x, s, e, seed, threshold, scale, y);
    else dropoutLoop<false>(x, s, e, seed, threshold, scale, y);
  });
}

}  // namespace labnative

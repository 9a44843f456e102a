// Splitting a flat loop over the OpenMP threads, or not.
//
// Loops are written as a body over [begin, end) and called through forRange, so the compiler sees
// an ordinary loop it can vectorise. The obvious `#pragma omp parallel for simd if (n > limit)`
// compiled (GCC 12, -O3) to a loop 4-5x slower than the same loop written plainly, whichever way
// the `if` went: a 640k-element multiply took 330 us instead of 70.
#pragma once
#include <algorithm>
#include <omp.h>

namespace labnative {

// Below this many elements a memory-bound loop runs on the calling thread alone: waking a sleeping
// worker (one idle past its bounded spin, see addon.ts) costs ~40 us, the time of a 400k-element pass.
const long kParallelMin = 1L << 20;

// body(begin, end) over [0, n): in one call when n <= minParallel, else one contiguous block per
// thread, block edges on multiples of `align` elements (keeps each block's start vector-aligned).
template <typename Body>
inline void forRange(long n, long minParallel, Body&& body, long align = 16) {
  const int nt = omp_get_max_threads();
  if (n <= minParallel || nt < 2) {
    if (n > 0) body(0L, n);
    return;
  }
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num(), tn = omp_get_num_threads();
    long b = n * t / tn / align * align, e = t == tn - 1 ? n : n * (t + 1) / tn / align * align;
    if (e > b) body(b, e);
  }
}

}  // namespace labnative

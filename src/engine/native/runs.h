// Walking NHWC tensors in runs of whole channel groups.
//
// Per-channel data (a bias, batch-norm factors, a channel sum) has a period of a few elements in
// NHWC order, and loops over 4 or 6 channels do not vectorise. Such operands are repeated to a run
// of ~kChunk elements (a multiple of the period, so element i of a run is channel i % c) and the
// work walks the tensor in runs of that length instead.
#pragma once
#include <vector>
#include "parallel.h"

namespace labnative {

const long kChunk = 512;

// The shortest multiple of a period p that is at least kChunk long.
inline long runOf(long p) { return p >= kChunk ? p : p * ((kChunk + p - 1) / p); }

// `values` (length p) repeated to runOf(p) elements.
struct Repeated {
  std::vector<float> buf;
  const float* data;
  long len;
  Repeated(const float* values, long p) : data(values), len(runOf(p)) {
    if (len == p) return;
    buf.resize(len);
    for (long i = 0; i < len; i++) buf[i] = values[i % p];
    data = buf.data();
  }
};

// body(begin, end) for each run of `run` elements of [0, n), runs shared out over the threads for
// large n; the last, partial run (n need not be a multiple of run) is passed too.
template <typename Body>
inline void forRuns(long n, long run, Body&& body) {
  const long runs = n / run;
  forRange(runs, kParallelMin / run, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) body(r * run, (r + 1) * run);
  }, 1);
  if (runs * run < n) body(runs * run, n);
}

}  // namespace labnative

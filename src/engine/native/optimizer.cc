// Optimiser updates as torch.optim defines them, each one pass over a variable, its gradient and its
// state buffers. tfjs's own updates make one full-size pass and one new array per operation (Adam:
// about ten); on the MLPs' 800x800 layers that traffic costs as much as a matrix product.
// Outputs may be their inputs (in place): element i is read before it is written.
#include <cmath>
#include "kernels.h"
#include "parallel.h"

namespace labnative {

namespace {

// In place, each output is read through its own pointer: the compiler then sees a distance-0
// dependence it can vectorise, where distinct in and out pointers that may alias would need a
// run-time overlap check (which an exact alias fails, falling back to the scalar loop).
// Momentum and Nesterov differ only in the step taken from the new buffer: one loop, Nesterov a
// template parameter, so each variant still compiles to its own branch-free loop.
template <bool InPlace, bool Nesterov>
void momentumLoop(const float* w0, const float* g, const float* buf0, long s, long e, float rate, float m, float wd,
                  float* wOut, float* bufOut) {
  const float* w = InPlace ? wOut : w0;
  const float* buf = InPlace ? bufOut : buf0;
  for (long i = s; i < e; i++) {
    const float d = g[i] + wd * w[i];
    const float b = m * buf[i] + d;
    bufOut[i] = b;
    wOut[i] = w[i] - rate * (Nesterov ? d + m * b : b);
  }
}

template <bool InPlace>
void sgdLoop(int op, const float* w0, const float* g, const float* buf, long s, long e, float rate, float m,
             float wd, float* wOut, float* bufOut) {
  if (op == SGD_PLAIN) {
    const float* w = InPlace ? wOut : w0;
    for (long i = s; i < e; i++) wOut[i] = w[i] - rate * (g[i] + wd * w[i]);
  } else if (op == SGD_NESTEROV) {
    momentumLoop<InPlace, true>(w0, g, buf, s, e, rate, m, wd, wOut, bufOut);
  } else {
    momentumLoop<InPlace, false>(w0, g, buf, s, e, rate, m, wd, wOut, bufOut);
  }
}

template <bool InPlace>
void adamLoop(const float* w0, const float* g, const float* m0, const float* v0, long s, long e, float rate, float b1,
              float b2, float eps, float wd, float bc1, float bc2, float* wOut, float* mOut, float* vOut) {
  const float* w = InPlace ? wOut : w0;
  const float* m = InPlace ? mOut : m0;
  const float* v = InPlace ? vOut : v0;
  const float c1 = 1.f - b1, c2 = 1.f - b2;
  for (long i = s; i < e; i++) {
    const float d = g[i] + wd * w[i];
    const float mi = b1 * m[i] + c1 * d;
    const float vi = b2 * v[i] + c2 * d * d;
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = w[i] - rate * (mi / bc1) / (std::sqrt(vi / bc2) + eps);
  }
}

}  // namespace

void sgdStep(int op, const float* w, const float* g, const float* buf, long n, float lr, float momentum,
             float weightDecay, float* wOut, float* bufOut) {
  const bool inPlace = wOut == w && bufOut == buf;
  forRange(n, kParallelMin, [&](long s, long e) {
    if (inPlace) sgdLoop<true>(op, w, g, buf, s, e, lr, momentum, weightDecay, wOut, bufOut);
    else sgdLoop<false>(op, w, g, buf, s, e, lr, momentum, weightDecay, wOut, bufOut);
  });
}

void adamStep(const float* w, const float* g, const float* m, const float* v, long n, float lr, float beta1,
              float beta2, float epsilon, float weightDecay, float biasCorrection1, float biasCorrection2,
              float* wOut, float* mOut, float* vOut) {
  const bool inPlace = wOut == w && mOut == m && vOut == v;
  forRange(n, kParallelMin, [&](long s, long e) {
    if (inPlace) adamLoop<true>(w, g, m, v, s, e, lr, beta1, beta2, epsilon, weightDecay, biasCorrection1, biasCorrection2, wOut, mOut, vOut);
    else adamLoop<false>(w, g, m, v, s, e, lr, beta1, beta2, epsilon, weightDecay, biasCorrection1, biasCorrection2, wOut, mOut, vOut);
  });
}

}  // namespace labnative

// Elementwise unary and broadcast binary ops, reductions and batch norm. These dominate a
// training step once convolutions are fast, so each gets a flat, vectorisable loop and both cores
// on large tensors.
#include <algorithm>
#include <cstring>
#include <cmath>
#include <limits>
#include <vector>
#include <omp.h>
#include "kernels.h"

namespace labnative {

namespace {

// Below this many elements, waking the second thread costs more than it saves: these loops are
// memory-bound (measured: 262k-element multiply 0.03 ms on one thread, 0.09 ms on two).
const long kParallelMin = 1L << 20;

template <typename F>
void unaryLoop(const float* x, long n, float* y, F f) {
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
  for (long i = 0; i < n; i++) y[i] = f(x[i]);
}

struct Add { float operator()(float a, float b) const { return a + b; } };
struct Sub { float operator()(float a, float b) const { return a - b; } };
struct Mul { float operator()(float a, float b) const { return a * b; } };
struct Div { float operator()(float a, float b) const { return a / b; } };
struct Max { float operator()(float a, float b) const { return (a != a || b != b) ? NAN : (a > b ? a : b); } };
struct Min { float operator()(float a, float b) const { return (a != a || b != b) ? NAN : (a < b ? a : b); } };
struct SqDiff { float operator()(float a, float b) const { float d = a - b; return d * d; } };

template <typename F>
void binaryLoop(F f, int rank, const int* shape, const float* a, const int* as, long aSize, const float* b,
                const int* bs, long bSize, float* y) {
  long n = 1;
  for (int d = 0; d < rank; d++) n *= shape[d];
  if (aSize == n && bSize == n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
    for (long i = 0; i < n; i++) y[i] = f(a[i], b[i]);
    return;
  }
  if (bSize == 1 && aSize == n) {
    const float s = b[0];
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
    for (long i = 0; i < n; i++) y[i] = f(a[i], s);
    return;
  }
  if (aSize == 1 && bSize == n) {
    const float s = a[0];
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
    for (long i = 0; i < n; i++) y[i] = f(s, b[i]);
    return;
  }
  // One side repeats along leading dimensions (bias-like): rows of `inner` elements.
  auto trailing = [&](const int* s, long size) {
    long inner = 1;
    int d = rank - 1;
    for (; d >= 0 && inner < size; d--) {
      if (s[d] != inner && shape[d] != 1) return false;
      inner *= shape[d];
    }
    if (inner != size) return false;
    for (; d >= 0; d--)
      if (s[d] != 0 && shape[d] != 1) return false;
    return true;
  };
  if (aSize == n && trailing(bs, bSize)) {
    const long rows = n / bSize;
#pragma omp parallel for schedule(static) if (n > kParallelMin)
    for (long r = 0; r < rows; r++) {
      const float* ar = a + r * bSize;
      float* yr = y + r * bSize;
#pragma omp simd
      for (long i = 0; i < bSize; i++) yr[i] = f(ar[i], b[i]);
    }
    return;
  }
  if (bSize == n && trailing(as, aSize)) {
    const long rows = n / aSize;
#pragma omp parallel for schedule(static) if (n > kParallelMin)
    for (long r = 0; r < rows; r++) {
      const float* br = b + r * aSize;
      float* yr = y + r * aSize;
#pragma omp simd
      for (long i = 0; i < aSize; i++) yr[i] = f(a[i], br[i]);
    }
    return;
  }
  // General case: walk all but the last dimension, strided inner loop.
  const int last = rank - 1;
  const long inner = shape[last];
  const long outer = n / std::max(1L, inner);
#pragma omp parallel for schedule(static) if (n > kParallelMin)
  for (long o = 0; o < outer; o++) {
    long rem = o, ao = 0, bo = 0;
    for (int d = last - 1; d >= 0; d--) {
      long idx = rem % shape[d];
      rem /= shape[d];
      ao += idx * as[d];
      bo += idx * bs[d];
    }
    const long sa = as[last], sb = bs[last];
    float* yr = y + o * inner;
    for (long i = 0; i < inner; i++) yr[i] = f(a[ao + i * sa], b[bo + i * sb]);
  }
}

template <typename Init, typename Step>
void reduceLoop(const float* x, long outer, long red, long inner, float* y, Init init, Step step) {
  if (inner == 1) {
#pragma omp parallel for schedule(static) if (outer * red > kParallelMin && outer > 1)
    for (long o = 0; o < outer; o++) {
      const float* xr = x + o * red;
      float acc = init;
      for (long i = 0; i < red; i++) acc = step(acc, xr[i]);
      y[o] = acc;
    }
    if (outer == 1 && red > kParallelMin) return;  // handled above serially; fine for one row
    return;
  }
  if (outer == 1 && red * inner > kParallelMin) {
    // Bias-gradient shape: many rows of a few channels. Threads take row ranges, then combine.
    int nt = omp_get_max_threads();
    std::vector<float> part((size_t)nt * inner);
#pragma omp parallel num_threads(nt)
    {
      int t = omp_get_thread_num(), tn = omp_get_num_threads();
      long r0 = red * t / tn, r1 = red * (t + 1) / tn;
      float* acc = part.data() + (size_t)t * inner;
      for (long j = 0; j < inner; j++) acc[j] = init;
      for (long r = r0; r < r1; r++) {
        const float* xr = x + r * inner;
        for (long j = 0; j < inner; j++) acc[j] = step(acc[j], xr[j]);
      }
    }
    for (long j = 0; j < inner; j++) {
      float acc = init;
      for (int t = 0; t < nt; t++) acc = step(acc, part[(size_t)t * inner + j]);
      y[j] = acc;
    }
    return;
  }
#pragma omp parallel for schedule(static) if (outer * red * inner > kParallelMin && outer > 1)
  for (long o = 0; o < outer; o++) {
    float* yo = y + o * inner;
    for (long j = 0; j < inner; j++) yo[j] = init;
    for (long r = 0; r < red; r++) {
      const float* xr = x + (o * red + r) * inner;
      for (long j = 0; j < inner; j++) yo[j] = step(yo[j], xr[j]);
    }
  }
}

}  // namespace

void unary(int op, const float* x, long n, float alpha, float* y) {
  switch (op) {
    case U_RELU: return unaryLoop(x, n, y, [](float v) { return v < 0.f ? 0.f : v; });
    case U_RELU6: return unaryLoop(x, n, y, [](float v) { return v < 0.f ? 0.f : (v > 6.f ? 6.f : v); });
    case U_STEP: {
      // Written out: a captured alpha in the lambda kept GCC from vectorising (50x slower).
      const float a = alpha;
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
      for (long i = 0; i < n; i++) {
        float v = x[i], r = v > 0.f ? 1.f : a;
        y[i] = v != v ? v : r;
      }
      return;
    }
    case U_NEG: return unaryLoop(x, n, y, [](float v) { return -v; });
    case U_EXP: return unaryLoop(x, n, y, [](float v) { return std::exp(v); });
    case U_LOG: return unaryLoop(x, n, y, [](float v) { return std::log(v); });
    case U_SQRT: return unaryLoop(x, n, y, [](float v) { return std::sqrt(v); });
    case U_RSQRT: return unaryLoop(x, n, y, [](float v) { return 1.f / std::sqrt(v); });
    case U_SQUARE: return unaryLoop(x, n, y, [](float v) { return v * v; });
    case U_SIGMOID: return unaryLoop(x, n, y, [](float v) { return 1.f / (1.f + std::exp(-v)); });
    case U_TANH: return unaryLoop(x, n, y, [](float v) { return std::tanh(v); });
    case U_ABS: return unaryLoop(x, n, y, [](float v) { return std::fabs(v); });
    case U_RECIPROCAL: return unaryLoop(x, n, y, [](float v) { return 1.f / v; });
    case U_LEAKYRELU: {
      const float a = alpha;
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
      for (long i = 0; i < n; i++) {
        float v = x[i], r = a * v;
        y[i] = v < 0.f ? r : v;
      }
      return;
    }
    case U_ELU: return unaryLoop(x, n, y, [](float v) { return v >= 0.f ? v : std::exp(v) - 1.f; });
  }
}

void binary(int op, int rank, const int* shape, const float* a, const int* as, long aSize, const float* b,
            const int* bs, long bSize, float* y) {
  switch (op) {
    case B_ADD: return binaryLoop(Add(), rank, shape, a, as, aSize, b, bs, bSize, y);
    case B_SUB: return binaryLoop(Sub(), rank, shape, a, as, aSize, b, bs, bSize, y);
    case B_MUL: return binaryLoop(Mul(), rank, shape, a, as, aSize, b, bs, bSize, y);
    case B_DIV: return binaryLoop(Div(), rank, shape, a, as, aSize, b, bs, bSize, y);
    case B_MAX: return binaryLoop(Max(), rank, shape, a, as, aSize, b, bs, bSize, y);
    case B_MIN: return binaryLoop(Min(), rank, shape, a, as, aSize, b, bs, bSize, y);
    case B_SQDIFF: return binaryLoop(SqDiff(), rank, shape, a, as, aSize, b, bs, bSize, y);
  }
}

void reduce(int op, const float* x, long outer, long red, long inner, float* y) {
  const float inf = std::numeric_limits<float>::infinity();
  switch (op) {
    case R_SUM:
    case R_MEAN:
      reduceLoop(x, outer, red, inner, y, 0.f, [](float acc, float v) { return acc + v; });
      if (op == R_MEAN) {
        const float inv = 1.f / (float)red;
        for (long i = 0; i < outer * inner; i++) y[i] *= inv;
      }
      return;
    case R_MAX:
      return reduceLoop(x, outer, red, inner, y, -inf,
                        [](float acc, float v) { return (v > acc || v != v) ? v : acc; });
    case R_MIN:
      return reduceLoop(x, outer, red, inner, y, inf, [](float acc, float v) { return (v < acc || v != v) ? v : acc; });
  }
}

void batchNorm(const float* x, long n, int c, const float* mean, int meanSize, const float* var, int varSize,
               const float* offset, int offsetSize, const float* scale, int scaleSize, float eps, float* y) {
  // Folded into y = x * k + m per channel.
  std::vector<float> k(c), m(c);
  for (int j = 0; j < c; j++) {
    float mu = mean[meanSize == 1 ? 0 : j];
    float v = var[varSize == 1 ? 0 : j];
    float s = scale ? scale[scaleSize == 1 ? 0 : j] : 1.f;
    float o = offset ? offset[offsetSize == 1 ? 0 : j] : 0.f;
    k[j] = s / std::sqrt(v + eps);
    m[j] = o - mu * k[j];
  }
  const long rows = n / c;
  const float* kp = k.data();
  const float* mp = m.data();
#pragma omp parallel for schedule(static) if (n > kParallelMin)
  for (long r = 0; r < rows; r++) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
#pragma omp simd
    for (int j = 0; j < c; j++) yr[j] = xr[j] * kp[j] + mp[j];
  }
}

namespace {
void tileRec(int d, int rank, const int* xs, const int* reps, const long* xStride, const long* yStride,
             const float* x, float* y) {
  if (d == rank - 1) {
    for (int r = 0; r < reps[d]; r++) std::memcpy(y + (long)r * xs[d], x, sizeof(float) * xs[d]);
    return;
  }
  for (int r = 0; r < reps[d]; r++)
    for (int i = 0; i < xs[d]; i++)
      tileRec(d + 1, rank, xs, reps, xStride, yStride, x + i * xStride[d], y + ((long)r * xs[d] + i) * yStride[d]);
}
}  // namespace

void tile(int rank, const int* xShape, const int* reps, const float* x, float* y) {
  long xStride[8], yStride[8];
  long xs = 1, ys = 1;
  for (int d = rank - 1; d >= 0; d--) {
    xStride[d] = xs;
    yStride[d] = ys;
    xs *= xShape[d];
    ys *= (long)xShape[d] * reps[d];
  }
  if (rank == 0 || xs == 0) return;
  tileRec(0, rank, xShape, reps, xStride, yStride, x, y);
}

void batchNormGrad(const float* x, const float* dy, long n, int c, const float* mean, const float* var,
                   const float* scale, float eps, float* dx, float* dmean, float* dvar, float* dscale,
                   float* doffset) {
  std::vector<float> inv(c), k(c);
  for (int j = 0; j < c; j++) {
    inv[j] = 1.f / std::sqrt(var[j] + eps);
    k[j] = inv[j] * (scale ? scale[j] : 1.f);
  }
  const long rows = n / c;
  const int nt = n > (1L << 18) ? omp_get_max_threads() : 1;
  // Per-thread channel sums of dy and dy * (x - mean), in double: these are long sums.
  std::vector<double> part((size_t)nt * 2 * c, 0.0);
  const float* kp = k.data();
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num(), tn = omp_get_num_threads();
    const long r0 = rows * t / tn, r1 = rows * (t + 1) / tn;
    double* sdy = part.data() + (size_t)t * 2 * c;
    double* sdyx = sdy + c;
    for (long r = r0; r < r1; r++) {
      const float* xr = x + r * c;
      const float* dr = dy + r * c;
      float* out = dx + r * c;
      for (int j = 0; j < c; j++) {
        out[j] = dr[j] * kp[j];
        sdy[j] += dr[j];
        sdyx[j] += (double)dr[j] * (xr[j] - mean[j]);
      }
    }
  }
  for (int j = 0; j < c; j++) {
    double sd = 0, sdx = 0;
    for (int t = 0; t < nt; t++) {
      sd += part[(size_t)t * 2 * c + j];
      sdx += part[(size_t)t * 2 * c + c + j];
    }
    const double s = scale ? scale[j] : 1.0, iv = inv[j];
    dmean[j] = (float)(-iv * s * sd);
    dvar[j] = (float)(-0.5 * iv * iv * iv * s * sdx);
    dscale[j] = (float)(iv * sdx);
    doffset[j] = (float)sd;
  }
}

int threads() { return omp_get_max_threads(); }
void setThreads(int n) { omp_set_num_threads(n); }

}  // namespace labnative

// Elementwise unary and broadcast binary ops, reductions and tiling. These dominate a
// training step once convolutions are fast, so each is a flat loop the compiler vectorises, on
// both cores for large tensors.
// Per-channel operands (a bias) and sums (its gradient) are walked in runs (runs.h).
#include <algorithm>
#include <cstring>
#include <cmath>
#include <limits>
#include <vector>
#include <omp.h>
#include "kernels.h"
#include "parallel.h"
#include "runs.h"

namespace labnative {

namespace {

template <typename F>
void unaryLoop(const float* x, long n, float* y, F f) {
  forRange(n, kParallelMin, [&](long b, long e) {
    // A local copy: stores to y could alias a float captured in f (alpha), which would have to be
    // re-read every element and keeps the loop scalar (measured 50x slower).
    const F g = f;
    for (long i = b; i < e; i++) y[i] = g(x[i]);
  });
}

struct Add { float operator()(float a, float b) const { return a + b; } };
struct Sub { float operator()(float a, float b) const { return a - b; } };
struct Mul { float operator()(float a, float b) const { return a * b; } };
struct Div { float operator()(float a, float b) const { return a / b; } };
struct Max { float operator()(float a, float b) const { return (a != a || b != b) ? NAN : (a > b ? a : b); } };
struct Min { float operator()(float a, float b) const { return (a != a || b != b) ? NAN : (a < b ? a : b); } };
struct SqDiff { float operator()(float a, float b) const { float d = a - b; return d * d; } };
struct ReluGrad {
  float operator()(float dy, float x) const {
    float s = x > 0.f ? 1.f : 0.f;
    return dy * (x != x ? x : s);  // NaN in, NaN out, as tfjs's step
  }
};

// How an operand of a broadcast op repeats in the output's flat order: n when it has every element,
// its size when it is a trailing block repeated along the leading dimensions (a bias, a per-channel
// factor; 1 for a scalar), 0 when it broadcasts some other way.
long periodOf(int rank, const int* shape, const int* strides, long size, long n) {
  if (size == n || size == 1) return size;
  long inner = 1;
  int d = rank - 1;
  for (; d >= 0 && inner < size; d--) {
    if (strides[d] != inner && shape[d] != 1) return 0;
    inner *= shape[d];
  }
  if (inner != size) return 0;
  for (; d >= 0; d--)
    if (strides[d] != 0 && shape[d] != 1) return 0;
  return size;
}

template <typename F>
void binaryLoop(F f, int rank, const int* shape, const float* a, const int* as, long aSize, const float* b,
                const int* bs, long bSize, float* y) {
  long n = 1;
  for (int d = 0; d < rank; d++) n *= shape[d];
  if (n == 0) return;
  const long pa = periodOf(rank, shape, as, aSize, n), pb = periodOf(rank, shape, bs, bSize, n);
  if (pa == n && pb == n) {
    forRange(n, kParallelMin, [&](long s, long e) {
      for (long i = s; i < e; i++) y[i] = f(a[i], b[i]);
    });
    return;
  }
  if (pa == n && pb == 1) {
    const float v = b[0];
    forRange(n, kParallelMin, [&](long s, long e) {
      for (long i = s; i < e; i++) y[i] = f(a[i], v);
    });
    return;
  }
  if (pb == n && pa == 1) {
    const float v = a[0];
    forRange(n, kParallelMin, [&](long s, long e) {
      for (long i = s; i < e; i++) y[i] = f(v, b[i]);
    });
    return;
  }
  if (pa == n && pb > 0) {  // e.g. x + bias
    const Repeated r(b, pb);
    const float* rb = r.data;
    forRuns(n, r.len, [&](long s, long e) {
      const float* ar = a + s;
      float* yr = y + s;
      for (long i = 0; i < e - s; i++) yr[i] = f(ar[i], rb[i]);
    });
    return;
  }
  if (pb == n && pa > 0) {
    const Repeated r(a, pa);
    const float* ra = r.data;
    forRuns(n, r.len, [&](long s, long e) {
      const float* br = b + s;
      float* yr = y + s;
      for (long i = 0; i < e - s; i++) yr[i] = f(ra[i], br[i]);
    });
    return;
  }
  if (pa > 0 && pb > 0 && (pa % pb == 0 || pb % pa == 0)) {
    // Neither side is full-size (a per-channel vector times a scalar, broadcast to an activation's
    // shape): one period of the result, then copies of it.
    const long p = std::max(pa, pb);
    for (long i = 0; i < p; i++) y[i] = f(a[i % pa], b[i % pb]);
    for (long done = p; done < n;) {
      const long c = std::min(done, n - done);
      std::memcpy(y + done, y, sizeof(float) * c);
      done += c;
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

// y[j] = step-fold of load(r * p + j) over the `rows` rows. Accumulates in lanes of a run of
// ~kChunk elements (a multiple of p, so lane i belongs to column i % p), then folds the lanes:
// the long inner loop vectorises, and each lane sums only rows / (run / p) values. `load` may
// compute each value and store it as it goes: producing a tensor and reducing it in one pass.
//
// Periods dividing 64 (1, 2, 4, ..., 64 columns: a bias gradient of 4 or 8 channels) keep 64 partial
// results in registers instead, over groups of kBlocks blocks of 64 elements, each group then folded
// into the lanes: with the lanes in memory every element cost a load and a store more (seed 002's
// bias gradient of 200,704 floats: 75 -> 45 us in a standalone test). Each lane still folds only
// n / 64 / kBlocks group results, as many as before.
template <typename Step, typename Load>
void columnReduceOf(long rows, long p, float* y, float init, Step step, Load load) {
  const long n = rows * p;
  constexpr long kBlocks = 8;
  if (64 % p == 0 && n >= 64 * kBlocks) {
    const long blocks = n / 64;
    const int nt = n > kParallelMin ? omp_get_max_threads() : 1;
    std::vector<float> lanes((size_t)nt * 64, init);
    auto accumulate = [&](float* __restrict out, long b0, long b1) {
      for (long g = b0; g < b1; g += kBlocks) {
        float acc[64];
        for (int j = 0; j < 64; j++) acc[j] = init;
        const long e = std::min(b1, g + kBlocks);
        for (long b = g; b < e; b++) {
          const long base = b * 64;
#pragma GCC unroll 64
          for (int j = 0; j < 64; j++) acc[j] = step(acc[j], load(base + j));
        }
        for (int j = 0; j < 64; j++) out[j] = step(out[j], acc[j]);
      }
    };
    if (nt == 1) {
      accumulate(lanes.data(), 0, blocks);
    } else {
#pragma omp parallel num_threads(nt)
      {
        const int t = omp_get_thread_num(), tn = omp_get_num_threads();
        accumulate(lanes.data() + (size_t)t * 64, blocks * t / tn, blocks * (t + 1) / tn);
      }
    }
    // Element i belongs to column i % p, and so does lane i % 64.
    for (long i = blocks * 64; i < n; i++) lanes[i % 64] = step(lanes[i % 64], load(i));
    for (long j = 0; j < p; j++) {
      float acc = init;
      for (int t = 0; t < nt; t++)
        for (long i = j; i < 64; i += p) acc = step(acc, lanes[(size_t)t * 64 + i]);
      y[j] = acc;
    }
    return;
  }
  const long run = n >= kChunk ? runOf(p) : p;
  const long runs = n / run;
  const int nt = n > kParallelMin ? omp_get_max_threads() : 1;
  std::vector<float> lanes((size_t)nt * run, init);
  auto accumulate = [&](float* acc, long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const long base = r * run;
      for (long i = 0; i < run; i++) acc[i] = step(acc[i], load(base + i));
    }
  };
  if (nt == 1) {
    accumulate(lanes.data(), 0, runs);
  } else {
#pragma omp parallel num_threads(nt)
    {
      const int t = omp_get_thread_num(), tn = omp_get_num_threads();
      accumulate(lanes.data() + (size_t)t * run, runs * t / tn, runs * (t + 1) / tn);
    }
  }
  for (long i = runs * run; i < n; i++) lanes[i - runs * run] = step(lanes[i - runs * run], load(i));
  for (long j = 0; j < p; j++) {
    float acc = init;
    for (int t = 0; t < nt; t++)
      for (long i = j; i < run; i += p) acc = step(acc, lanes[(size_t)t * run + i]);
    y[j] = acc;
  }
}

// The same over an array: y[j] = step-fold of x[r * p + j].
template <typename Step>
void columnReduce(const float* x, long rows, long p, float* y, float init, Step step) {
  columnReduceOf(rows, p, y, init, step, [x](long i) { return x[i]; });
}

template <typename Step>
void reduceLoop(const float* x, long outer, long red, long inner, float* y, float init, Step step) {
  if (inner == 1 && red < kChunk) {
    // Short rows (softmax over classes): one accumulator per row, rows over the threads.
#pragma omp parallel for schedule(static) if (outer * red > kParallelMin && outer > 1)
    for (long o = 0; o < outer; o++) {
      const float* xr = x + o * red;
      float acc = init;
      for (long i = 0; i < red; i++) acc = step(acc, xr[i]);
      y[o] = acc;
    }
    return;
  }
  for (long o = 0; o < outer; o++) columnReduce(x + o * red * inner, red, inner, y + o * inner, init, step);
}

}  // namespace

void unary(int op, const float* x, long n, float alpha, float* y) {
  switch (op) {
    case U_RELU: return unaryLoop(x, n, y, [](float v) { return v < 0.f ? 0.f : v; });
    case U_RELU6: return unaryLoop(x, n, y, [](float v) { return v < 0.f ? 0.f : (v > 6.f ? 6.f : v); });
    case U_STEP:
      return unaryLoop(x, n, y, [alpha](float v) {
        float r = v > 0.f ? 1.f : alpha;
        return v != v ? v : r;
      });
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
    case U_LEAKYRELU:
      return unaryLoop(x, n, y, [alpha](float v) {
        float r = alpha * v;
        return v < 0.f ? r : v;
      });
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
    case B_RELU_GRAD: return binaryLoop(ReluGrad(), rank, shape, a, as, aSize, b, bs, bSize, y);
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

void reluBiasGrad(const float* dy, const float* y, long rows, long channels, float* dz, float* dbias) {
  columnReduceOf(rows, channels, dbias, 0.f, [](float acc, float v) { return acc + v; }, [=](long i) {
    const float v = ReluGrad()(dy[i], y[i]);
    dz[i] = v;
    return v;
  });
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

int threads() { return omp_get_max_threads(); }
void setThreads(int n) { omp_set_num_threads(n); }

}  // namespace labnative

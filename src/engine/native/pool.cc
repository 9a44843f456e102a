// Max and average pooling over NHWC windows, with the gradients tfjs defines for them:
// max routes dy to the first strict maximum of each window; avg's gradient divides by the
// full window size (as tfjs's own kernel does), its forward by the valid pixels only.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>
#include "kernels.h"

namespace labnative {

namespace {

// Valid input range [lo, hi) of the window of output coordinate o.
inline void window(int o, int stride, int pad, int k, int dil, int size, int& lo, int& hi) {
  int corner = o * stride - pad;
  lo = corner;
  while (lo < 0) lo += dil;
  hi = std::min(size, corner + (k - 1) * dil + 1);
}

}  // namespace

// 2x2 windows, stride 2, inside the input (the pooling of every seed model): straight-line code over
// a whole output row, no per-window bookkeeping (which dominated with 4-16 channels).
static bool isPool2x2(const ConvGeom& g) {
  return g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.pt == 0 && g.pl == 0 && g.dh == 1 && g.dw == 1 &&
         2L * g.oh <= g.h && 2L * g.ow <= g.w;
}

// One output row of 2x2/2 max pooling: r0, r1 are the two input rows, C channels. The row
// functions take C as an int or as a std::integral_constant (withChannels below): with C a
// compile-time constant (1..16) the channel loop unrolls into straight-line vector code over whole
// windows; with a runtime C of 1-6 the compiler left a scalar loop per window (3-6x slower).
// Not inlined: inside the caller's OpenMP loop the __restrict promises were lost (20 channels:
// max-pool gradient 143 -> 300 us).
template <class Channels>
__attribute__((noinline)) static void maxRow2x2(Channels C, int ow, const float* __restrict r0,
                                                const float* __restrict r1, float* __restrict o) {
  for (int ox = 0; ox < ow; ox++, r0 += 2L * C, r1 += 2L * C, o += C)
#pragma omp simd
    for (int c = 0; c < C; c++) {
      // Same comparison order as the general loop: a NaN first pixel stays, ties keep the first.
      float m = r0[c];
      m = r0[C + c] > m ? r0[C + c] : m;
      m = r1[c] > m ? r1[c] : m;
      m = r1[C + c] > m ? r1[C + c] : m;
      o[c] = m;
    }
}

// dy of each window goes to the first of its four pixels (row-major) equal to the window's maximum
// m (tfjs's rule), 0 to the others. Written as a chain of selects on the dy still to place, which
// GCC turns into compares and blends; as && of bools it emitted a branch per pixel (6 channels:
// scalar code mispredicting on every window, 6x slower).
template <class Channels>
__attribute__((noinline)) static void maxGradRow2x2(Channels C, int ow, const float* __restrict x0,
                                                    const float* __restrict x1, const float* __restrict m,
                                                    const float* __restrict d, float* __restrict d0,
                                                    float* __restrict d1) {
  for (int ox = 0; ox < ow; ox++, x0 += 2L * C, x1 += 2L * C, d0 += 2L * C, d1 += 2L * C, m += C, d += C)
#pragma omp simd
    for (int c = 0; c < C; c++) {
      const float mx = m[c];
      float rest = d[c];  // dy while no earlier pixel took it, then 0
      const bool e0 = x0[c] == mx, e1 = x0[C + c] == mx, e2 = x1[c] == mx, e3 = x1[C + c] == mx;
      d0[c] = e0 ? rest : 0.f;
      rest = e0 ? 0.f : rest;
      d0[C + c] = e1 ? rest : 0.f;
      rest = e1 ? 0.f : rest;
      d1[c] = e2 ? rest : 0.f;
      rest = e2 ? 0.f : rest;
      d1[C + c] = e3 ? rest : 0.f;
    }
}

// A 2x2/2 gradient leaves input pixels outside every window (odd widths and heights) at 0:
// the columns right of the last window in the two input rows starting at d0 ...
static void zeroRightOfWindows2x2(const ConvGeom& g, float* d0) {
  const long rowLen = (long)g.w * g.cin, covered = 2L * g.ow * g.cin;
  if (covered >= rowLen) return;
  std::memset(d0 + covered, 0, sizeof(float) * (rowLen - covered));
  std::memset(d0 + rowLen + covered, 0, sizeof(float) * (rowLen - covered));
}

// ... and the rows below the last window row of every image.
static void zeroBelowWindows2x2(const ConvGeom& g, float* dx) {
  const long rowLen = (long)g.w * g.cin, covered = 2L * g.oh;
  if (covered >= g.h) return;
  for (int b = 0; b < g.n; b++)
    std::memset(dx + ((long)b * g.h + covered) * rowLen, 0, sizeof(float) * (g.h - covered) * rowLen);
}

// Calls f(std::integral_constant<int, C>) for C in 1..16, else f(C) with the runtime value.
template <class F>
static inline void withChannels(int C, F&& f) {
  switch (C) {
#define LABNATIVE_POOL_C(k) \
  case k: f(std::integral_constant<int, k>()); return;
    LABNATIVE_POOL_C(1) LABNATIVE_POOL_C(2) LABNATIVE_POOL_C(3) LABNATIVE_POOL_C(4) LABNATIVE_POOL_C(5)
    LABNATIVE_POOL_C(6) LABNATIVE_POOL_C(7) LABNATIVE_POOL_C(8) LABNATIVE_POOL_C(9) LABNATIVE_POOL_C(10)
    LABNATIVE_POOL_C(11) LABNATIVE_POOL_C(12) LABNATIVE_POOL_C(13) LABNATIVE_POOL_C(14) LABNATIVE_POOL_C(15)
    LABNATIVE_POOL_C(16)
#undef LABNATIVE_POOL_C
    default: f(C);
  }
}

// Serial time is ~0.15 ns per input float; waking the second OpenMP thread, once asleep, costs ~40 us,
// so only inputs well above that are split.
static bool splitPool2x2(const ConvGeom& g) { return (long)g.n * g.h * g.w * g.cin > (1L << 21); }

// body(cc, in, out) for every output row of a 2x2/2 pooling, with the channel count cc (see
// withChannels), `in` the offset of the first of the row's two input rows and `out` the offset of
// the output row; rows shared out over the threads for large inputs.
template <class Body>
static void forEachRow2x2(const ConvGeom& g, Body&& body) {
  const long rowLen = (long)g.w * g.cin, rows = (long)g.n * g.oh;
  withChannels(g.cin, [&](auto cc) {
#pragma omp parallel for schedule(static) if (splitPool2x2(g))
    for (long r = 0; r < rows; r++) body(cc, (r / g.oh * g.h + 2L * (r % g.oh)) * rowLen, r * g.ow * g.cin);
  });
}

static void maxPool2x2(const ConvGeom& g, const float* x, float* y) {
  const long rowLen = (long)g.w * g.cin;
  forEachRow2x2(g, [&](auto cc, long in, long out) { maxRow2x2(cc, g.ow, x + in, x + in + rowLen, y + out); });
}

void maxPool(const ConvGeom& g, const float* x, float* y) {
  if (isPool2x2(g)) {
    maxPool2x2(g, x, y);
    return;
  }
  const long rows = (long)g.n * g.oh;
  withChannels(g.cin, [&](auto cc) {
    const auto C = cc;  // a compile-time constant for 1..16 channels: the channel loops unroll
#pragma omp parallel for schedule(static) if (rows * g.ow * C > 32768)
    for (long r = 0; r < rows; r++) {
      int b = (int)(r / g.oh), oy = (int)(r % g.oh);
      const float* xb = x + (long)b * g.h * g.w * C;
      int y0, y1;
      window(oy, g.sh, g.pt, g.kh, g.dh, g.h, y0, y1);
      for (int ox = 0; ox < g.ow; ox++) {
        int x0, x1;
        window(ox, g.sw, g.pl, g.kw, g.dw, g.w, x0, x1);
        float* __restrict out = y + (r * g.ow + ox) * C;
        for (int c = 0; c < C; c++) out[c] = -std::numeric_limits<float>::infinity();
        for (int iy = y0; iy < y1; iy += g.dh)
          for (int ix = x0; ix < x1; ix += g.dw) {
            const float* px = xb + ((long)iy * g.w + ix) * C;
            for (int c = 0; c < C; c++) out[c] = px[c] > out[c] ? px[c] : out[c];
          }
      }
    }
  });
}

// Windows that tile the input (size == stride, no padding, e.g. 2x2 / 2): each input pixel is in
// at most one window, so dx is written once, with dy at the first pixel equal to the window's
// max (the forward output) and 0 elsewhere. Vectorises over channels; 4x faster than searching.
static void maxPoolGradTiled(const ConvGeom& g, const float* x, const float* y, const float* dy, float* dx) {
  const int C = g.cin;
  const long rowLen = (long)g.w * C;
  const long rows = (long)g.n * g.oh;
#pragma omp parallel if (rows * g.ow * C > (1L << 19))
  {
    std::vector<float> found(C);
#pragma omp for schedule(static)
    for (long r = 0; r < rows; r++) {
      int b = (int)(r / g.oh), oy = (int)(r % g.oh);
      const float* xb = x + (long)b * g.h * rowLen;
      float* dxb = dx + (long)b * g.h * rowLen;
      for (int ox = 0; ox < g.ow; ox++) {
        const float* m = y + (r * g.ow + ox) * C;
        const float* d = dy + (r * g.ow + ox) * C;
        float* f = found.data();
        for (int c = 0; c < C; c++) f[c] = 0.f;
        for (int ky = 0; ky < g.kh; ky++)
          for (int kx = 0; kx < g.kw; kx++) {
            long off = (long)(oy * g.sh + ky) * rowLen + (long)(ox * g.sw + kx) * C;
            const float* px = xb + off;
            float* pd = dxb + off;
            for (int c = 0; c < C; c++) {
              bool hit = f[c] == 0.f && px[c] == m[c];
              pd[c] = hit ? d[c] : 0.f;
              f[c] = hit ? 1.f : f[c];
            }
          }
      }
      // Pixels right of the last window in this window row.
      for (int ky = 0; ky < g.kh; ky++) {
        float* row = dxb + (long)(oy * g.sh + ky) * rowLen;
        std::memset(row + (long)g.ow * g.sw * C, 0, sizeof(float) * (rowLen - (long)g.ow * g.sw * C));
      }
    }
  }
  // Rows below the last window row.
  for (int b = 0; b < g.n; b++) {
    float* dxb = dx + (long)b * g.h * rowLen;
    long covered = (long)g.oh * g.sh;
    std::memset(dxb + covered * rowLen, 0, sizeof(float) * (g.h - covered) * rowLen);
  }
}

static void maxPoolGrad2x2(const ConvGeom& g, const float* x, const float* y, const float* dy, float* dx) {
  const long rowLen = (long)g.w * g.cin;
  forEachRow2x2(g, [&](auto cc, long in, long out) {
    maxGradRow2x2(cc, g.ow, x + in, x + in + rowLen, y + out, dy + out, dx + in, dx + in + rowLen);
    zeroRightOfWindows2x2(g, dx + in);
  });
  zeroBelowWindows2x2(g, dx);
}

void maxPoolGrad(const ConvGeom& g, const float* x, const float* y, const float* dy, float* dx) {
  const int C = g.cin;
  if (y && isPool2x2(g)) {
    maxPoolGrad2x2(g, x, y, dy, dx);
    return;
  }
  const bool tiles = g.kh == g.sh && g.kw == g.sw && g.pt == 0 && g.pl == 0 && g.dh == 1 && g.dw == 1 &&
                     (long)g.oh * g.sh <= g.h && (long)g.ow * g.sw <= g.w;  // no window reaches padding
  if (y && tiles) {
    maxPoolGradTiled(g, x, y, dy, dx);
    return;
  }
  std::memset(dx, 0, sizeof(float) * (size_t)g.n * g.h * g.w * C);
  // Images write disjoint parts of dx, so they run in parallel.
#pragma omp parallel if ((long)g.n * g.oh * g.ow * C > 32768)
  {
    std::vector<float> best(C);
    std::vector<long> at(C);
#pragma omp for schedule(static)
    for (int b = 0; b < g.n; b++) {
      const float* xb = x + (long)b * g.h * g.w * C;
      float* dxb = dx + (long)b * g.h * g.w * C;
      for (int oy = 0; oy < g.oh; oy++) {
        int y0, y1;
        window(oy, g.sh, g.pt, g.kh, g.dh, g.h, y0, y1);
        for (int ox = 0; ox < g.ow; ox++) {
          int x0, x1;
          window(ox, g.sw, g.pl, g.kw, g.dw, g.w, x0, x1);
          for (int c = 0; c < C; c++) {
            best[c] = -std::numeric_limits<float>::infinity();
            at[c] = -1;
          }
          for (int iy = y0; iy < y1; iy += g.dh)
            for (int ix = x0; ix < x1; ix += g.dw) {
              long off = ((long)iy * g.w + ix) * C;
              const float* px = xb + off;
              for (int c = 0; c < C; c++)
                if (px[c] > best[c]) {
                  best[c] = px[c];
                  at[c] = off + c;
                }
            }
          const float* d = dy + (((long)b * g.oh + oy) * g.ow + ox) * C;
          for (int c = 0; c < C; c++)
            if (at[c] >= 0) dxb[at[c]] += d[c];
        }
      }
    }
  }
}

// 2x2/2 average pooling, one output row. Sums in the general loop's order, starting from 0.f
// (0.f + -0.f is +0.f), so the results are bit-identical to it.
template <class Channels>
__attribute__((noinline)) static void avgRow2x2(Channels C, int ow, const float* __restrict r0,
                                                const float* __restrict r1, float* __restrict o) {
  for (int ox = 0; ox < ow; ox++, r0 += 2L * C, r1 += 2L * C, o += C)
#pragma omp simd
    for (int c = 0; c < C; c++) o[c] = ((((0.f + r0[c]) + r0[C + c]) + r1[c]) + r1[C + c]) * 0.25f;
}

// Its gradient: each input pixel is in exactly one window and gets 0.f + dy / 4, as when the
// general loop adds into a zeroed dx.
template <class Channels>
__attribute__((noinline)) static void avgGradRow2x2(Channels C, int ow, const float* __restrict d,
                                                    float* __restrict d0, float* __restrict d1) {
  for (int ox = 0; ox < ow; ox++, d0 += 2L * C, d1 += 2L * C, d += C)
#pragma omp simd
    for (int c = 0; c < C; c++) {
      const float v = 0.f + d[c] * 0.25f;
      d0[c] = v;
      d0[C + c] = v;
      d1[c] = v;
      d1[C + c] = v;
    }
}

static void avgPool2x2(const ConvGeom& g, const float* x, float* y) {
  const long rowLen = (long)g.w * g.cin;
  forEachRow2x2(g, [&](auto cc, long in, long out) { avgRow2x2(cc, g.ow, x + in, x + in + rowLen, y + out); });
}

static void avgPoolGrad2x2(const ConvGeom& g, const float* dy, float* dx) {
  const long rowLen = (long)g.w * g.cin;
  forEachRow2x2(g, [&](auto cc, long in, long out) {
    avgGradRow2x2(cc, g.ow, dy + out, dx + in, dx + in + rowLen);
    zeroRightOfWindows2x2(g, dx + in);
  });
  zeroBelowWindows2x2(g, dx);
}

void avgPool(const ConvGeom& g, const float* x, float* y) {
  if (isPool2x2(g)) {
    avgPool2x2(g, x, y);
    return;
  }
  const long rows = (long)g.n * g.oh;
  withChannels(g.cin, [&](auto cc) {
    const auto C = cc;
#pragma omp parallel for schedule(static) if (rows * g.ow * C > 32768)
    for (long r = 0; r < rows; r++) {
      int b = (int)(r / g.oh), oy = (int)(r % g.oh);
      const float* xb = x + (long)b * g.h * g.w * C;
      int y0, y1;
      window(oy, g.sh, g.pt, g.kh, g.dh, g.h, y0, y1);
      for (int ox = 0; ox < g.ow; ox++) {
        int x0, x1;
        window(ox, g.sw, g.pl, g.kw, g.dw, g.w, x0, x1);
        float* __restrict out = y + (r * g.ow + ox) * C;
        for (int c = 0; c < C; c++) out[c] = 0.f;
        int count = 0;
        for (int iy = y0; iy < y1; iy += g.dh)
          for (int ix = x0; ix < x1; ix += g.dw) {
            const float* px = xb + ((long)iy * g.w + ix) * C;
            for (int c = 0; c < C; c++) out[c] += px[c];
            count++;
          }
        float inv = 1.f / (float)count;
        for (int c = 0; c < C; c++) out[c] *= inv;
      }
    }
  });
}

void avgPoolGrad(const ConvGeom& g, const float* dy, float* dx) {
  if (isPool2x2(g)) {
    avgPoolGrad2x2(g, dy, dx);
    return;
  }
  // Kept on a runtime C: with C a constant GCC vectorised across window pixels with permutes
  // (2.5x slower for 16 channels), and this sum of products must round as before.
  const int C = g.cin;
  const float mult = 1.f / (float)(g.kh * g.kw);
  std::memset(dx, 0, sizeof(float) * (size_t)g.n * g.h * g.w * C);
#pragma omp parallel for schedule(static) if ((long)g.n * g.oh * g.ow * C > 32768)
  for (int b = 0; b < g.n; b++) {
    float* dxb = dx + (long)b * g.h * g.w * C;
    for (int oy = 0; oy < g.oh; oy++) {
      int y0, y1;
      window(oy, g.sh, g.pt, g.kh, g.dh, g.h, y0, y1);
      for (int ox = 0; ox < g.ow; ox++) {
        int x0, x1;
        window(ox, g.sw, g.pl, g.kw, g.dw, g.w, x0, x1);
        const float* d = dy + (((long)b * g.oh + oy) * g.ow + ox) * C;
        for (int iy = y0; iy < y1; iy += g.dh)
          for (int ix = x0; ix < x1; ix += g.dw) {
            float* px = dxb + ((long)iy * g.w + ix) * C;
            for (int c = 0; c < C; c++) px[c] += d[c] * mult;
          }
      }
    }
  }
}

}  // namespace labnative

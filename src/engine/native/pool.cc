// Max and average pooling over NHWC windows, with the gradients tfjs defines for them:
// max routes dy to the first strict maximum of each window; avg's gradient divides by the
// full window size (as tfjs's own kernel does), its forward by the valid pixels only.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
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

static void maxPool2x2(const ConvGeom& g, const float* x, float* y) {
  const int C = g.cin;
  const long rowLen = (long)g.w * C;
  const long rows = (long)g.n * g.oh;
#pragma omp parallel for schedule(static) if (rows * g.ow * C > (1L << 19))
  for (long r = 0; r < rows; r++) {
    const int b = (int)(r / g.oh), oy = (int)(r % g.oh);
    const float* r0 = x + ((long)b * g.h + 2L * oy) * rowLen;
    const float* r1 = r0 + rowLen;
    float* out = y + r * g.ow * C;
    for (int ox = 0; ox < g.ow; ox++) {
      const float* a = r0 + 2L * ox * C;
      const float* c2 = r1 + 2L * ox * C;
      float* o = out + (long)ox * C;
#pragma omp simd
      for (int c = 0; c < C; c++) {
        float m = a[c];
        m = a[C + c] > m ? a[C + c] : m;
        m = c2[c] > m ? c2[c] : m;
        m = c2[C + c] > m ? c2[C + c] : m;
        o[c] = m;
      }
    }
  }
}

void maxPool(const ConvGeom& g, const float* x, float* y) {
  const int C = g.cin;
  if (isPool2x2(g)) {
    maxPool2x2(g, x, y);
    return;
  }
  const long rows = (long)g.n * g.oh;
#pragma omp parallel for schedule(static) if (rows * g.ow * C > 32768)
  for (long r = 0; r < rows; r++) {
    int b = (int)(r / g.oh), oy = (int)(r % g.oh);
    const float* xb = x + (long)b * g.h * g.w * C;
    int y0, y1;
    window(oy, g.sh, g.pt, g.kh, g.dh, g.h, y0, y1);
    for (int ox = 0; ox < g.ow; ox++) {
      int x0, x1;
      window(ox, g.sw, g.pl, g.kw, g.dw, g.w, x0, x1);
      float* out = y + (r * g.ow + ox) * C;
      for (int c = 0; c < C; c++) out[c] = -std::numeric_limits<float>::infinity();
      for (int iy = y0; iy < y1; iy += g.dh)
        for (int ix = x0; ix < x1; ix += g.dw) {
          const float* px = xb + ((long)iy * g.w + ix) * C;
          for (int c = 0; c < C; c++) out[c] = px[c] > out[c] ? px[c] : out[c];
        }
    }
  }
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

// dy goes to the first of the four pixels equal to the window's maximum y (tfjs's rule).
static void maxPoolGrad2x2(const ConvGeom& g, const float* x, const float* y, const float* dy, float* dx) {
  const int C = g.cin;
  const long rowLen = (long)g.w * C;
  const long rows = (long)g.n * g.oh;
#pragma omp parallel for schedule(static) if (rows * g.ow * C > (1L << 19))
  for (long r = 0; r < rows; r++) {
    const int b = (int)(r / g.oh), oy = (int)(r % g.oh);
    const long base = ((long)b * g.h + 2L * oy) * rowLen;
    const float* x0 = x + base;
    const float* x1 = x0 + rowLen;
    float* d0 = dx + base;
    float* d1 = d0 + rowLen;
    const float* m = y + r * g.ow * C;
    const float* d = dy + r * g.ow * C;
    for (int ox = 0; ox < g.ow; ox++) {
      const long o = 2L * ox * C, w = (long)ox * C;
#pragma omp simd
      for (int c = 0; c < C; c++) {
        const float mx = m[w + c], g0 = d[w + c];
        const bool h0 = x0[o + c] == mx;
        const bool h1 = !h0 && x0[o + C + c] == mx;
        const bool h2 = !h0 && !h1 && x1[o + c] == mx;
        const bool h3 = !h0 && !h1 && !h2 && x1[o + C + c] == mx;
        d0[o + c] = h0 ? g0 : 0.f;
        d0[o + C + c] = h1 ? g0 : 0.f;
        d1[o + c] = h2 ? g0 : 0.f;
        d1[o + C + c] = h3 ? g0 : 0.f;
      }
    }
    // Pixels right of the last window.
    const long covered = 2L * g.ow * C;
    std::memset(d0 + covered, 0, sizeof(float) * (rowLen - covered));
    std::memset(d1 + covered, 0, sizeof(float) * (rowLen - covered));
  }
  // Rows below the last window row.
  for (int b = 0; b < g.n; b++) {
    const long covered = 2L * g.oh;
    std::memset(dx + ((long)b * g.h + covered) * rowLen, 0, sizeof(float) * (g.h - covered) * rowLen);
  }
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

void avgPool(const ConvGeom& g, const float* x, float* y) {
  const int C = g.cin;
  const long rows = (long)g.n * g.oh;
#pragma omp parallel for schedule(static) if (rows * g.ow * C > 32768)
  for (long r = 0; r < rows; r++) {
    int b = (int)(r / g.oh), oy = (int)(r % g.oh);
    const float* xb = x + (long)b * g.h * g.w * C;
    int y0, y1;
    window(oy, g.sh, g.pt, g.kh, g.dh, g.h, y0, y1);
    for (int ox = 0; ox < g.ow; ox++) {
      int x0, x1;
      window(ox, g.sw, g.pl, g.kw, g.dw, g.w, x0, x1);
      float* out = y + (r * g.ow + ox) * C;
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
}

void avgPoolGrad(const ConvGeom& g, const float* dy, float* dx) {
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

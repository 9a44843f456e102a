// Direct convolutions for few input channels (cin <= 3: the first layer of image models; with
// AVX-512 also 4 or 8 at stride 1, as seed 002's second layer), forward with the bias + activation
// epilogue, the filter gradient (cin <= 3), and at stride 1 the input gradient of a layer with 4 or
// 8 output channels (as a forward over dy). There the product is too thin for oneDNN or im2col +
// sgemm (K = kh*kw*cin is 9..75, N = cout is 4..20): both ran at ~10-45 GFLOP/s.
//
// Layout: each image's zero-padded input is split into polyphase planes, one per (channel, row
// phase a, column phase b): plane[r][q] = x[r*sh + a - pt][q*sw + b - pl]. On those, tap (ky, kx)
// of a strided convolution reads plane (ky%sh, kx%sw) at the constant offset (ky/sh)*wq + kx/sw
// from the flat output position p = oy*wq + ox. So the whole image is one 1-D convolution over p,
// vectorised 8 pixels at a time (16 in forwardGroup16) with no edge cases; the columns ox in
// [ow, wq) it also computes are thrown away (forward) or meet zeros in dy (gradient).
#include "direct_conv.h"

#include <cstdlib>
#include <cstring>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#include <omp.h>
#include <algorithm>
#include <vector>
#include "epilogue.h"

namespace labnative {

namespace {

// Serial below this many flops (as dnnl_conv.cc): waking the second thread (once asleep, addon.ts)
// costs ~40 us, and far more when the other core is busy (measured: 5x5 1 -> 6 on 64 images,
// 212 us on one thread, 336 us on two with the machine loaded).
const double kParallelFlops = 3e7;
#ifdef __AVX512VL__
const int kVectorRegs = 32;
#else
const int kVectorRegs = 16;
#endif
// Zeroed floats after each plane: the last vector block reads up to 8 * 16 (+ kw - 1) past the image.
const int kSlack = 160;

// LABNATIVE_CONV=im2col|dnnl (anything but "direct") selects the other paths, for benchmarks;
// LABNATIVE_CONV=direct uses these kernels wherever they apply, for tests.
const char* convEnv() {
  static const char* e = std::getenv("LABNATIVE_CONV");
  return e;
}
bool enabled() { return !convEnv() || std::strcmp(convEnv(), "direct") == 0; }
bool forced() { return convEnv() && std::strcmp(convEnv(), "direct") == 0; }
// LABNATIVE_DIRECT16=0 keeps the forward off forwardGroup16 (AVX-512), for benchmarks.
bool sixteenEnabled() {
  static const bool on = !std::getenv("LABNATIVE_DIRECT16") || std::strcmp(std::getenv("LABNATIVE_DIRECT16"), "0") != 0;
  return on;
}

// Up to maxCin input channels (3 for the filter gradient and the 8-lane forward, 8 for the 16-lane
// forward).
bool applies(const ConvGeom& g, int maxCin = 3) {
  return enabled() && g.cin >= 1 && g.cin <= maxCin && g.cout >= 1 && g.cout <= 32 && g.dh == 1 && g.dw == 1 &&
         g.sh >= 1 && g.sh <= 2 && g.sw >= 1 && g.sw <= 2 && g.pt >= 0 && g.pl >= 0 && g.n >= 1 && g.oh >= 1 &&
         g.ow >= 1 && g.kh >= 1 && g.kw >= 1;
}

struct Planes {
  int hq, wq;  // rows, columns of each plane
  long ps;     // floats per plane, slack included (a multiple of 8)
  int taps;    // kh * kw * cin, in the filter's order (ky, kx, ci)
  long flat;   // oh * wq output positions
  long size;   // floats of all cin * sh * sw planes
};

Planes planesOf(const ConvGeom& g) {
  Planes p;
  p.hq = g.oh + (g.kh - 1) / g.sh;
  p.wq = g.ow + (g.kw - 1) / g.sw;
  p.ps = ((long)p.hq * p.wq + kSlack + 7) & ~7L;
  p.taps = g.kh * g.kw * g.cin;
  p.flat = (long)g.oh * p.wq;
  p.size = (long)g.cin * g.sh * g.sw * p.ps;
  return p;
}

// 32-byte aligned per-thread scratch (aligned loads of the dy planes).
float* scratch(size_t n) {
  thread_local std::vector<float> buf;
  if (buf.size() < n + 8) buf.resize(n + 8);
  return (float*)(((uintptr_t)buf.data() + 31) & ~(uintptr_t)31);
}

// Four 8-lane vectors as a 4 x 8 matrix, transposed to 8 x 4 (either way round: the same network
// transposes the 4 x 4 blocks of both 128-bit halves). Output k holds rows k (low) and k+4 (high).
inline void transpose4(__m256& a0, __m256& a1, __m256& a2, __m256& a3) {
  __m256 t0 = _mm256_unpacklo_ps(a0, a1), t1 = _mm256_unpackhi_ps(a0, a1);
  __m256 t2 = _mm256_unpacklo_ps(a2, a3), t3 = _mm256_unpackhi_ps(a2, a3);
  a0 = _mm256_shuffle_ps(t0, t2, 0x44);
  a1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  a2 = _mm256_shuffle_ps(t1, t3, 0x44);
  a3 = _mm256_shuffle_ps(t1, t3, 0xEE);
}

// Eight 8-lane vectors as an 8 x 8 matrix, transposed.
inline void transpose8(__m256* r) {
  __m256 t[8], u[8];
  for (int k = 0; k < 8; k += 2) {
    t[k] = _mm256_unpacklo_ps(r[k], r[k + 1]);
    t[k + 1] = _mm256_unpackhi_ps(r[k], r[k + 1]);
  }
  for (int k = 0; k < 8; k += 4) {
    u[k] = _mm256_shuffle_ps(t[k], t[k + 2], 0x44);
    u[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], 0xEE);
    u[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0x44);
    u[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0xEE);
  }
  for (int k = 0; k < 4; k++) {
    r[k] = _mm256_permute2f128_ps(u[k], u[k + 4], 0x20);
    r[k + 4] = _mm256_permute2f128_ps(u[k], u[k + 4], 0x31);
  }
}

// buildPlanes for stride 1 and 4 or 8 input channels: each row's pixels de-interleaved 8 at a
// time with a transpose (the strided scalar copy took 30% of seed 002's 4 -> 8 forward). The zeros
// around the image are the same for every image of a call: written only when `borders` (the first
// image in this scratch buffer), which saves a dozen small memsets per image.
bool buildPlanesTransposed(const ConvGeom& g, const Planes& P, const float* xi, float* planes, bool borders) {
  const int cin = g.cin;
  if (g.sh != 1 || g.sw != 1 || (cin != 4 && cin != 8)) return false;
  const int q0 = std::min(P.wq, std::max(0, g.pl)), q1 = std::min(P.wq, g.w + g.pl);
  for (int r = 0; r < P.hq; r++) {
    const int iy = r - g.pt;
    for (int ci = 0; ci < cin && borders; ci++) {
      float* row = planes + ci * P.ps + (long)r * P.wq;
      if (iy < 0 || iy >= g.h || q0 >= q1) {
        std::memset(row, 0, sizeof(float) * P.wq);
      } else {
        for (int q = 0; q < q0; q++) row[q] = 0.f;
        for (int q = q1; q < P.wq; q++) row[q] = 0.f;
      }
    }
    if (iy < 0 || iy >= g.h || q0 >= q1) continue;
    const float* src = xi + ((long)iy * g.w + (q0 - g.pl)) * cin;
    float* dst = planes + (long)r * P.wq;
    int q = q0;
    for (; q + 8 <= q1; q += 8, src += 8 * cin) {
      __m256 v[8];
      if (cin == 8) {
        for (int k = 0; k < 8; k++) v[k] = _mm256_loadu_ps(src + 8 * k);
        transpose8(v);
      } else {
        for (int k = 0; k < 4; k++)
          v[k] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(src + 4 * k)), _mm_loadu_ps(src + 4 * (k + 4)), 1);
        transpose4(v[0], v[1], v[2], v[3]);
      }
      for (int ci = 0; ci < cin; ci++) _mm256_storeu_ps(dst + ci * P.ps + q, v[ci]);
    }
    for (; q < q1; q++, src += cin)
      for (int ci = 0; ci < cin; ci++) dst[ci * P.ps + q] = src[ci];
  }
  for (int ci = 0; ci < cin && borders; ci++)
    std::memset(planes + ci * P.ps + (long)P.hq * P.wq, 0, sizeof(float) * (P.ps - (long)P.hq * P.wq));
  return true;
}

// `borders`: false when `planes` holds an earlier image of the same geometry, its zeros in place.
void buildPlanes(const ConvGeom& g, const Planes& P, const float* xi, float* planes, bool borders = true) {
  if (buildPlanesTransposed(g, P, xi, planes, borders)) return;
  const int step = g.sw * g.cin;
  for (int ci = 0; ci < g.cin; ci++)
    for (int a = 0; a < g.sh; a++)
      for (int b = 0; b < g.sw; b++) {
        float* pl = planes + ((long)(ci * g.sh + a) * g.sw + b) * P.ps;
        // Columns q0..q1 hold input columns q*sw + b - pl inside [0, w).
        int q0 = 0;
        while (q0 < P.wq && q0 * g.sw + b - g.pl < 0) q0++;
        int q1 = q0;
        while (q1 < P.wq && q1 * g.sw + b - g.pl < g.w) q1++;
        for (int r = 0; r < P.hq; r++) {
          float* row = pl + (long)r * P.wq;
          int iy = r * g.sh + a - g.pt;
          if (iy < 0 || iy >= g.h || q0 == q1) {
            std::memset(row, 0, sizeof(float) * P.wq);
            continue;
          }
          for (int q = 0; q < q0; q++) row[q] = 0.f;
          const float* src = xi + ((long)iy * g.w + (q0 * g.sw + b - g.pl)) * g.cin + ci;
          if (step == 1) {
            // Not memcpy: a call per row of ~28 floats cost more than the copy.
            int q = q0;
            for (; q + 8 <= q1; q += 8) _mm256_storeu_ps(row + q, _mm256_loadu_ps(src + (q - q0)));
            for (; q < q1; q++) row[q] = src[q - q0];
          } else {
            for (int q = q0; q < q1; q++) row[q] = src[(long)(q - q0) * step];
          }
          for (int q = q1; q < P.wq; q++) row[q] = 0.f;
        }
        std::memset(pl + (long)P.hq * P.wq, 0, sizeof(float) * (P.ps - (long)P.hq * P.wq));
      }
}

// Where each tap reads, relative to the flat output position.
void tapPointers(const ConvGeom& g, const Planes& P, const float* planes, const float** tp) {
  int t = 0;
  for (int ky = 0; ky < g.kh; ky++)
    for (int kx = 0; kx < g.kw; kx++)
      for (int ci = 0; ci < g.cin; ci++)
        tp[t++] = planes + ((long)(ci * g.sh + ky % g.sh) * g.sw + kx % g.sw) * P.ps + (long)(ky / g.sh) * P.wq +
                  kx / g.sw;
}

inline __m256 activateV(__m256 v, int act, __m256 alpha) {
  const __m256 zero = _mm256_setzero_ps();
  switch (act) {
    // max/min return their second operand on NaN: NaN passes through, as in activate().
    case ACT_RELU: return _mm256_max_ps(zero, v);
    case ACT_RELU6: return _mm256_min_ps(_mm256_set1_ps(6.f), _mm256_max_ps(zero, v));
    case ACT_LEAKYRELU: return _mm256_blendv_ps(v, _mm256_mul_ps(v, alpha), _mm256_cmp_ps(v, zero, _CMP_LT_OQ));
    default: return v;  // sigmoid: a scalar pass afterwards
  }
}

// Output channels c0 .. c0+CG-1 of one image, NV vectors of 8 flat positions at a time. Stores are
// 4 floats per pixel; for CG < 4 the extra lanes spill into the next pixel's first channels, which
// are written later (pixels go in order; callers run a partial group before the full ones). Only
// the image's last pixel is stored exactly.
template <int CG, int NV>
void forwardGroup(const ConvGeom& g, const Planes& P, const float* const* tp, const float* f, int c0,
                  const float* bias, int act, float alpha, float* yi) {
  const int cout = g.cout, T = P.taps;
  const float* yEnd = yi + (long)g.oh * g.ow * cout;
  const __m256 alphaV = _mm256_set1_ps(alpha);
  __m256 bv[4];
  for (int c = 0; c < 4; c++) bv[c] = _mm256_set1_ps(bias && c < CG ? bias[c0 + c] : 0.f);
  for (long p0 = 0; p0 < P.flat; p0 += 8 * NV) {
    __m256 acc[NV][CG];
    for (int v = 0; v < NV; v++)
      for (int c = 0; c < CG; c++) acc[v][c] = _mm256_setzero_ps();
    const float* fc = f + c0;
    for (int t = 0; t < T; t++, fc += cout) {
      const float* s = tp[t] + p0;
      // With AVX2's 16 registers the 12 accumulators leave room for the NV inputs or the CG
      // weights, not both: keep the fewer (with AVX-512VL's 32, inputs first measured faster).
      if constexpr (CG < NV && kVectorRegs == 16) {
        __m256 w[CG];
        for (int c = 0; c < CG; c++) w[c] = _mm256_broadcast_ss(fc + c);
        for (int v = 0; v < NV; v++) {
          __m256 xv = _mm256_loadu_ps(s + 8 * v);
          for (int c = 0; c < CG; c++) acc[v][c] = _mm256_fmadd_ps(xv, w[c], acc[v][c]);
        }
      } else {
        __m256 xv[NV];
        for (int v = 0; v < NV; v++) xv[v] = _mm256_loadu_ps(s + 8 * v);
        for (int c = 0; c < CG; c++) {
          __m256 w = _mm256_broadcast_ss(fc + c);
          for (int v = 0; v < NV; v++) acc[v][c] = _mm256_fmadd_ps(xv[v], w, acc[v][c]);
        }
      }
    }
    // Through memory: indexing acc in the loop below would keep it on the stack in the tap loop.
    alignas(32) float sums[NV][CG][8];
    for (int v = 0; v < NV; v++)
      for (int c = 0; c < CG; c++) _mm256_store_ps(sums[v][c], acc[v][c]);
    int oy = (int)(p0 / P.wq), ox = (int)(p0 % P.wq);
    for (int v = 0; v < NV; v++) {
      if (oy >= g.oh) break;
      __m256 r[4];
      for (int c = 0; c < 4; c++)
        r[c] = c < CG ? activateV(_mm256_add_ps(_mm256_load_ps(sums[v][c]), bv[c]), act, alphaV) : _mm256_setzero_ps();
      transpose4(r[0], r[1], r[2], r[3]);
      for (int k = 0; k < 8; k++) {
        if (oy >= g.oh) break;
        if (ox < g.ow) {
          __m256 h = r[k & 3];
          __m128 px = k < 4 ? _mm256_castps256_ps128(h) : _mm256_extractf128_ps(h, 1);
          float* dst = yi + ((long)oy * g.ow + ox) * cout + c0;
          if (CG == 4 || dst + 4 <= yEnd) {
            _mm_storeu_ps(dst, px);
          } else {
            alignas(16) float tmp[4];
            _mm_store_ps(tmp, px);
            for (int c = 0; c < CG; c++) dst[c] = tmp[c];
          }
        }
        if (++ox == P.wq) ox = 0, oy++;
      }
    }
  }
}

// Many output channels (cout >= 8): vectorise over them instead, R pixels of a row at a time, no
// transposes. The filter comes padded to ldc channels (zeros); the last vector of a pixel spills
// into the next pixel's first channels, written later, except for the image's last pixel.
template <int R, int CV>
void forwardChannels(const ConvGeom& g, const Planes& P, const float* const* tp, const float* fpad, long ldc,
                     const float* bpad, int act, float alpha, float* yi) {
  const int cout = g.cout, T = P.taps;
  const float* yEnd = yi + (long)g.oh * g.ow * cout;
  const __m256 alphaV = _mm256_set1_ps(alpha);
  for (int oy = 0; oy < g.oh; oy++)
    for (int ox0 = 0; ox0 < g.ow; ox0 += R) {
      const long p = (long)oy * P.wq + ox0;
      __m256 acc[R][CV];
      for (int r = 0; r < R; r++)
        for (int v = 0; v < CV; v++) acc[r][v] = _mm256_setzero_ps();
      const float* fc = fpad;
      for (int t = 0; t < T; t++, fc += ldc) {
        __m256 fv[CV];
        for (int v = 0; v < CV; v++) fv[v] = _mm256_loadu_ps(fc + 8 * v);
        const float* s = tp[t] + p;
        for (int r = 0; r < R; r++) {
          __m256 xb = _mm256_broadcast_ss(s + r);
          for (int v = 0; v < CV; v++) acc[r][v] = _mm256_fmadd_ps(xb, fv[v], acc[r][v]);
        }
      }
      alignas(32) float sums[R][CV][8];
      for (int r = 0; r < R; r++)
        for (int v = 0; v < CV; v++) _mm256_store_ps(sums[r][v], acc[r][v]);
      const int rn = std::min(R, g.ow - ox0);
      for (int r = 0; r < rn; r++) {
        float* dst = yi + ((long)oy * g.ow + ox0 + r) * cout;
        for (int v = 0; v < CV; v++) {
          __m256 o = activateV(_mm256_add_ps(_mm256_load_ps(sums[r][v]), _mm256_loadu_ps(bpad + 8 * v)), act, alphaV);
          if (8 * v + 8 <= cout || dst + 8 * v + 8 <= yEnd) {
            _mm256_storeu_ps(dst + 8 * v, o);
          } else {
            alignas(32) float tmp[8];
            _mm256_store_ps(tmp, o);
            for (int c = 8 * v; c < cout; c++) dst[c] = tmp[c - 8 * v];
          }
        }
      }
    }
}

using ForwardChannelsFn = void (*)(const ConvGeom&, const Planes&, const float* const*, const float*, long,
                                   const float*, int, float, float*);
ForwardChannelsFn forwardChannelsFn(int cv) {
  switch (cv) {
    case 1: return forwardChannels<8, 1>;
    case 2: return forwardChannels<6, 2>;
    case 3: return forwardChannels<4, 3>;
    default: return forwardChannels<3, 4>;
  }
}

void forwardImage(const ConvGeom& g, const Planes& P, const float* const* tp, const float* f, const float* bias,
                  int act, float alpha, float* yi) {
  auto group = [&](int cg, int c0) {
    switch (cg) {
      case 1: forwardGroup<1, 8>(g, P, tp, f, c0, bias, act, alpha, yi); break;
      case 2: forwardGroup<2, 6>(g, P, tp, f, c0, bias, act, alpha, yi); break;
      case 3: forwardGroup<3, 4>(g, P, tp, f, c0, bias, act, alpha, yi); break;
      default: forwardGroup<4, 3>(g, P, tp, f, c0, bias, act, alpha, yi); break;
    }
  };
  int rem = g.cout % 4;
  if (rem) group(rem, g.cout - rem);  // first: its spill lands on channels the full groups rewrite
  for (int c0 = 0; c0 + 4 <= g.cout; c0 += 4) group(4, c0);
  if (act == ACT_SIGMOID) {
    long n = (long)g.oh * g.ow * g.cout;
    for (long i = 0; i < n; i++) yi[i] = activate(yi[i], act, alpha);
  }
}

int threadsFor(const ConvGeom& g) {
  double flops = 2.0 * g.n * g.oh * g.ow * g.cout * g.kh * g.kw * g.cin;
  if (flops < kParallelFlops) return 1;
  return std::max(1, std::min(omp_get_max_threads(), g.n));
}

// Runs body(thread, threads) on nt threads (no parallel region for one).
template <typename Body>
void run(int nt, Body body) {
  if (nt == 1) {
    body(0, 1);
    return;
  }
#pragma omp parallel num_threads(nt)
  body(omp_get_thread_num(), omp_get_num_threads());
}

// dy of one image, NHWC, as cout planes of the flat grid (row stride wq, zeros in the extra
// columns and after the last row), each dps >= flat + 8 floats, 32-byte aligned.
void buildDyPlanes(const ConvGeom& g, const Planes& P, long dps, const float* dyi, const float* dyEnd, float* dyp) {
  const int cout = g.cout;
  const __m256 zero = _mm256_setzero_ps();
  // The extra columns are zeroed with one vector store per row, spilling onto the start of the
  // next row (written after) or of the zeros after the last one.
  const bool zeroByVector = P.wq - g.ow <= 8;
  // Channels per pass: 8 (one 8 x 8 transpose per 8 pixels) or 4 (two 4 x 4 per 8 pixels). Lanes
  // past cout hold the next pixel's channels and are dropped; loads stop short of dy's end. A
  // row's last block may run past ow: those columns are zeroed after, and what lands on the next
  // row is rewritten with it (or, after the last row, zeroed at the end).
  const int step = cout > 4 ? 8 : 4;
  for (int c0 = 0; c0 < cout; c0 += step) {
    const int cg = std::min(step, cout - c0);
    for (int oy = 0; oy < g.oh; oy++) {
      const float* src = dyi + (long)oy * g.ow * cout + c0;
      float* dst = dyp + (long)c0 * dps + (long)oy * P.wq;
      int ox = 0;
      if (step == 8) {
        for (; ox < g.ow && src + (long)(ox + 7) * cout + 8 <= dyEnd; ox += 8) {
          const float* s = src + (long)ox * cout;
          __m256 r[8];
          for (int k = 0; k < 8; k++) r[k] = _mm256_loadu_ps(s + (long)k * cout);
          transpose8(r);
          for (int c = 0; c < cg; c++) _mm256_storeu_ps(dst + c * dps + ox, r[c]);
        }
      } else {
        for (; ox < g.ow && src + (long)(ox + 7) * cout + 4 <= dyEnd; ox += 8) {
          const float* s = src + (long)ox * cout;
          __m256 r[4];
          for (int k = 0; k < 4; k++)
            r[k] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s + (long)k * cout)),
                                        _mm_loadu_ps(s + (long)(k + 4) * cout), 1);
          transpose4(r[0], r[1], r[2], r[3]);
          for (int c = 0; c < cg; c++) _mm256_storeu_ps(dst + c * dps + ox, r[c]);
        }
      }
      for (; ox < g.ow; ox++)
        for (int c = 0; c < cg; c++) dst[c * dps + ox] = src[(long)ox * cout + c];
      for (int c = 0; c < cg; c++) {
        if (zeroByVector) {
          _mm256_storeu_ps(dst + c * dps + g.ow, zero);
        } else {
          for (int q = g.ow; q < P.wq; q++) dst[c * dps + q] = 0.f;
        }
      }
    }
  }
  for (int co = 0; co < cout; co++) std::memset(dyp + co * dps + P.flat, 0, sizeof(float) * (dps - P.flat));
}

// acc[t][c] (8 lanes each, row stride ldt floats per tap) += sum over p of tap t's input * dy
// plane c, for TB taps and CB output channels held in registers over the whole image. The flat
// positions are n floats from 0, or, when ow is a multiple of 8, only the rows' first ow (rows x
// rowVecs vectors, row stride wq), skipping the extra columns.
template <int TB, int CB>
void gradBlock(const float* const* tp, const float* dp, long dps, long n, int rows, int rowVecs, long wq, float* acc,
               long ldt) {
  __m256 a[TB][CB];
  for (int t = 0; t < TB; t++)
    for (int c = 0; c < CB; c++) a[t][c] = _mm256_setzero_ps();
  auto step = [&](long i) __attribute__((always_inline)) {
    __m256 d[CB];
    for (int c = 0; c < CB; c++) {
      d[c] = _mm256_loadu_ps(dp + c * dps + i);
      // Keeps d in a register: GCC would fold it into each FMA as a memory operand, and the loads
      // (not the FMAs) would then bound the loop.
      __asm__("" : "+x"(d[c]));
    }
    for (int t = 0; t < TB; t++) {
      __m256 xv = _mm256_loadu_ps(tp[t] + i);
      __asm__("" : "+x"(xv));
      for (int c = 0; c < CB; c++) a[t][c] = _mm256_fmadd_ps(xv, d[c], a[t][c]);
    }
  };
  if (rowVecs > 0) {
    for (int r = 0; r < rows; r++)
      for (int v = 0; v < rowVecs; v++) step(r * wq + 8 * v);
  } else {
    for (long i = 0; i < n; i += 8) step(i);
  }
  for (int t = 0; t < TB; t++)
    for (int c = 0; c < CB; c++) {
      float* m = acc + t * ldt + c * 8;
      _mm256_store_ps(m, _mm256_add_ps(_mm256_load_ps(m), a[t][c]));
    }
}

using GradFn = void (*)(const float* const*, const float*, long, long, int, int, long, float*, long);
template <int TB>
GradFn gradFn(int cb) {
  switch (cb) {
    case 1: return gradBlock<TB, 1>;
    case 2: return gradBlock<TB, 2>;
    case 3: return gradBlock<TB, 3>;
    default: return gradBlock<TB, 4>;
  }
}
GradFn gradFn(int tb, int cb) {
  switch (tb) {
    case 1: return gradFn<1>(cb);
    case 2: return gradFn<2>(cb);
    case 3: return gradFn<3>(cb);
    case 4: return gradFn<4>(cb);
    default: return gradFn<5>(cb);
  }
}

#ifdef __AVX512F__
// The forward by pixels with 16-pixel vectors (bySixteenPixels: 1-3 input channels, or 4 and 8 as
// seed 002's 3x3 4 -> 8): each tap's input vectors are loaded once for CG = 8 (or 4, or the last
// 1-3) output channels, and a 16-lane FMA does twice the work of forwardGroup's 8-lane one. Sums go
// through memory and come out per 8 pixels: transposed to pixel-major (8 channels: one 8 x 8
// transpose; 4: two 4 x 4; fewer: one float at a time) and stored exactly CG floats per pixel, so
// no spill to order.
template <int CG, int NV>
void forwardGroup16(const ConvGeom& g, const Planes& P, const float* const* tp, const float* f, int c0,
                    const float* bias, int act, float alpha, float* yi) {
  static_assert(CG >= 1 && CG <= 8 && (CG <= 4 || CG == 8), "groups of 1-4 or 8 output channels");
  const int cout = g.cout, T = P.taps;
  const __m256 alphaV = _mm256_set1_ps(alpha);
  __m256 bv[CG];
  for (int c = 0; c < CG; c++) bv[c] = _mm256_set1_ps(bias ? bias[c0 + c] : 0.f);
  for (long p0 = 0; p0 < P.flat; p0 += 16 * NV) {
    __m512 acc[NV][CG];
    for (int v = 0; v < NV; v++)
      for (int c = 0; c < CG; c++) acc[v][c] = _mm512_setzero_ps();
    const float* fc = f + c0;
    for (int t = 0; t < T; t++, fc += cout) {
      const float* s = tp[t] + p0;
      __m512 xv[NV];
      for (int v = 0; v < NV; v++) xv[v] = _mm512_loadu_ps(s + 16 * v);
      for (int c = 0; c < CG; c++) {
        const __m512 w = _mm512_set1_ps(fc[c]);
        for (int v = 0; v < NV; v++) acc[v][c] = _mm512_fmadd_ps(xv[v], w, acc[v][c]);
      }
    }
    alignas(64) float sums[NV][CG][16];
    for (int v = 0; v < NV; v++)
      for (int c = 0; c < CG; c++) _mm512_store_ps(sums[v][c], acc[v][c]);
    int oy = (int)(p0 / P.wq), ox = (int)(p0 % P.wq);
    for (int h = 0; h < 2 * NV && oy < g.oh; h++) {
      __m256 r[8];
      for (int c = 0; c < CG; c++)
        r[c] = activateV(_mm256_add_ps(_mm256_load_ps(&sums[h / 2][c][8 * (h % 2)]), bv[c]), act, alphaV);
      // The last 1-3 channels of a count that is not a multiple of 4 go out one float at a time.
      alignas(32) float rest[CG < 4 ? CG : 1][8];
      if constexpr (CG == 8) {
        transpose8(r);  // r[k]: pixel k's 8 channels
      } else if constexpr (CG == 4) {
        transpose4(r[0], r[1], r[2], r[3]);  // r[k & 3]: pixel k's 4 channels, low half for k < 4
      } else {
        for (int c = 0; c < CG; c++) _mm256_store_ps(rest[c], r[c]);
      }
      for (int k = 0; k < 8 && oy < g.oh; k++) {
        if (ox < g.ow) {
          float* dst = yi + ((long)oy * g.ow + ox) * cout + c0;
          if constexpr (CG == 8) {
            _mm256_storeu_ps(dst, r[k]);
          } else if constexpr (CG == 4) {
            const __m256 q = r[k & 3];
            _mm_storeu_ps(dst, k < 4 ? _mm256_castps256_ps128(q) : _mm256_extractf128_ps(q, 1));
          } else {
            for (int c = 0; c < CG; c++) dst[c] = rest[c][k];
          }
        }
        if (++ox == P.wq) ox = 0, oy++;
      }
    }
  }
}

// Whether forwardGroup16 takes the shape. 1-3 input channels: up to 32 outputs (on one thread, seed
// 003's 5x5 1 -> 20: 0.50 -> 0.41 ms; seed 000's 5x5 1 -> 6: 0.21 -> 0.17). 4 or 8 (rows de-interleaved
// by transposes, stride 1): up to 16 outputs in groups of 4 (4 -> 8: 0.164 -> 0.077 ms; 6 -> 16,
// whose rows are copied by a strided loop, lost to oneDNN: 0.16 -> 0.22 ms).
bool bySixteenPixels(const ConvGeom& g) {
  if (g.cin >= 1 && g.cin <= 3) return g.cout <= 32;
  return (g.cin == 4 || g.cin == 8) && g.cout % 4 == 0 && g.cout <= 16 && g.sh == 1 && g.sw == 1;
}

void forwardImage16(const ConvGeom& g, const Planes& P, const float* const* tp, const float* f, const float* bias,
                    int act, float alpha, float* yi) {
  int c0 = 0;
  for (; c0 + 8 <= g.cout; c0 += 8) forwardGroup16<8, 3>(g, P, tp, f, c0, bias, act, alpha, yi);
  if (c0 + 4 <= g.cout) forwardGroup16<4, 6>(g, P, tp, f, c0, bias, act, alpha, yi), c0 += 4;
  switch (g.cout - c0) {
    case 1: forwardGroup16<1, 8>(g, P, tp, f, c0, bias, act, alpha, yi); break;
    case 2: forwardGroup16<2, 8>(g, P, tp, f, c0, bias, act, alpha, yi); break;
    case 3: forwardGroup16<3, 6>(g, P, tp, f, c0, bias, act, alpha, yi); break;
  }
  if (act == ACT_SIGMOID) {
    long n = (long)g.oh * g.ow * g.cout;
    for (long i = 0; i < n; i++) yi[i] = activate(yi[i], act, alpha);
  }
}
#else
bool bySixteenPixels(const ConvGeom&) { return false; }
void forwardImage16(const ConvGeom&, const Planes&, const float* const*, const float*, const float*, int, float,
                    float*) {}
#endif

// Whether to vectorise over output channels rather than pixels.
bool byChannels(const ConvGeom& g) { return g.cout >= 8; }

// Where these kernels beat oneDNN (measured on one thread, 28x28 inputs, batch 64): the forward
// for 1 input channel (1.0-4.5x; 3x3 -> 32: even) and for 2-3 channels at stride 1 with few
// outputs (5x5x3 -> 8: 1.7x; 3 -> 16 at stride 2 is 0.6x); the filter gradient for 1 input channel
// and cout < 8 (1.6x) and 5x5 filters up to 8 outputs (1.3x); with 3x3 filters and 16 outputs
// transposing dy costs more than the products and oneDNN is 2x faster.
bool forwardWins(const ConvGeom& g, bool sixteen) {
  if (g.cin > 3) return sixteen && g.sh == 1 && g.sw == 1;
  return g.cin == 1 || (g.sh == 1 && g.sw == 1 && g.cout <= 8);
}
bool gradientWins(const ConvGeom& g) {
  return (g.cin == 1 && g.cout < 8) || (g.sh == 1 && g.sw == 1 && g.kh * g.kw >= 25 && g.cout <= 8);
}

}  // namespace

bool directConv2d(const ConvGeom& g, const float* x, const float* f, const float* bias, int act, float alpha, float* y) {
  const bool sixteen = bySixteenPixels(g) && sixteenEnabled();
  if (!applies(g, sixteen ? 8 : 3) || !(forced() || forwardWins(g, sixteen))) return false;
  const Planes P = planesOf(g);
  const int nt = threadsFor(g);
  const bool channels = !sixteen && byChannels(g);
  // By channels: filter and bias padded with zeros to whole vectors.
  const long ldc = (g.cout + 7) & ~7L;
  std::vector<float> fpad, bpad;
  if (channels) {
    fpad.assign((size_t)P.taps * ldc, 0.f);
    bpad.assign((size_t)ldc, 0.f);
    for (int t = 0; t < P.taps; t++) std::memcpy(&fpad[t * ldc], f + (long)t * g.cout, sizeof(float) * g.cout);
    if (bias) std::memcpy(bpad.data(), bias, sizeof(float) * g.cout);
  }
  run(nt, [&](int tid, int tn) {
    float* planes = scratch(P.size);
    std::vector<const float*> tp(P.taps);
    tapPointers(g, P, planes, tp.data());
    int n0 = (int)((long)g.n * tid / tn), n1 = (int)((long)g.n * (tid + 1) / tn);
    for (int n = n0; n < n1; n++) {
      buildPlanes(g, P, x + (long)n * g.h * g.w * g.cin, planes, n == n0);
      float* yi = y + (long)n * g.oh * g.ow * g.cout;
      if (channels) {
        forwardChannelsFn((int)(ldc / 8))(g, P, tp.data(), fpad.data(), ldc, bpad.data(), act, alpha, yi);
        if (act == ACT_SIGMOID) {
          long m = (long)g.oh * g.ow * g.cout;
          for (long i = 0; i < m; i++) yi[i] = activate(yi[i], act, alpha);
        }
      } else if (sixteen) {
        forwardImage16(g, P, tp.data(), f, bias, act, alpha, yi);
      } else {
        forwardImage(g, P, tp.data(), f, bias, act, alpha, yi);
      }
    }
  });
  return true;
}

// At stride 1 the input gradient is a forward convolution of dy (cout channels, padded by
// kh-1-pt, kw-1-pl) with the filter flipped in both directions and its channel axes swapped:
// dx[y][x][i] = sum over taps and o of dy[y - (kh-1-pt) + ky'][x - (kw-1-pl) + kx'][o] *
// f[kh-1-ky'][kw-1-kx'][i][o]. Taken where that forward is forwardGroup16's (seed 002's 8 -> 4 input
// gradient: oneDNN 0.150 ms, this 0.096).
bool directConvBackpropInput(const ConvGeom& g, const float* dy, const float* f, float* dx) {
  if (g.sh != 1 || g.sw != 1 || g.dh != 1 || g.dw != 1 || g.pt > g.kh - 1 || g.pl > g.kw - 1) return false;
  ConvGeom t = g;
  t.h = g.oh, t.w = g.ow, t.cin = g.cout, t.cout = g.cin, t.oh = g.h, t.ow = g.w;
  t.pt = g.kh - 1 - g.pt, t.pl = g.kw - 1 - g.pl;
  // Up to 8 input channels (outputs here): 16 -> 4's gradient (seed 001) stays with oneDNN (0.086 ms
  // against 0.133).
  if (!applies(t, 8) || !bySixteenPixels(t) || !sixteenEnabled() || !(forced() || (t.cin >= 4 && t.cout <= 8))) return false;
  std::vector<float> flipped((size_t)g.kh * g.kw * g.cin * g.cout);
  for (int ky = 0; ky < g.kh; ky++)
    for (int kx = 0; kx < g.kw; kx++) {
      const float* src = f + ((long)(g.kh - 1 - ky) * g.kw + (g.kw - 1 - kx)) * g.cin * g.cout;
      float* dst = flipped.data() + ((long)ky * g.kw + kx) * g.cout * g.cin;
      for (int i = 0; i < g.cin; i++)
        for (int o = 0; o < g.cout; o++) dst[(long)o * g.cin + i] = src[(long)i * g.cout + o];
    }
  return directConv2d(t, dy, flipped.data(), nullptr, ACT_LINEAR, 0.f, dx);
}

bool directConvBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* df) {
  if (!applies(g) || !(forced() || gradientWins(g))) return false;
  const Planes P = planesOf(g);
  const int nt = threadsFor(g);
  const int T = P.taps, cout = g.cout;
  const long dps = (P.flat + 8 + 7) & ~7L, nflat = (P.flat + 7) & ~7L;
  const int rowVecs = g.ow % 8 == 0 && P.wq > g.ow ? g.ow / 8 : 0;
  const long accSize = (long)T * cout * 8;  // per thread: 8 partial sums per filter entry
  std::vector<float> accAll(accSize * nt + 8, 0.f);
  float* acc0 = (float*)(((uintptr_t)accAll.data() + 31) & ~(uintptr_t)31);
  const float* dyEnd = dy + (long)g.n * g.oh * g.ow * cout;
  // Register blocks of TB taps x CB channels, as many as the registers hold (with CB dy vectors
  // and one input vector): 16 ymm registers with AVX2, 32 with AVX-512VL.
  const int regs = kVectorRegs;
  const int CB = cout % 4 == 0 ? 4 : cout % 3 == 0 ? 3 : std::min(cout, 3);
  const int TB = std::max(1, std::min(5, (regs - 1 - CB) / CB));
  run(nt, [&](int tid, int tn) {
    float* planes = scratch(P.size + cout * dps);
    float* dyp = planes + P.size;
    float* acc = acc0 + accSize * tid;
    std::vector<const float*> tp(T);
    tapPointers(g, P, planes, tp.data());
    int n0 = (int)((long)g.n * tid / tn), n1 = (int)((long)g.n * (tid + 1) / tn);
    for (int n = n0; n < n1; n++) {
      buildPlanes(g, P, x + (long)n * g.h * g.w * g.cin, planes);
      buildDyPlanes(g, P, dps, dy + (long)n * g.oh * g.ow * cout, dyEnd, dyp);
      for (int t0 = 0; t0 < T; t0 += TB) {
        int tb = std::min(TB, T - t0);
        for (int c0 = 0; c0 < cout; c0 += CB) {
          int cb = std::min(CB, cout - c0);
          gradFn(tb, cb)(tp.data() + t0, dyp + c0 * dps, dps, nflat, g.oh, rowVecs, P.wq,
                         acc + ((long)t0 * cout + c0) * 8, (long)cout * 8);
        }
      }
    }
  });
  for (long i = 0; i < (long)T * cout; i++) {
    float s = 0.f;
    for (int t = 0; t < nt; t++) {
      const float* a = acc0 + accSize * t + i * 8;
      for (int l = 0; l < 8; l++) s += a[l];
    }
    df[i] = s;
  }
  return true;
}

}  // namespace labnative

#else  // no AVX2 + FMA: the other paths

namespace labnative {
bool directConv2d(const ConvGeom&, const float*, const float*, const float*, int, float, float*) { return false; }
bool directConvBackpropInput(const ConvGeom&, const float*, const float*, float*) { return false; }
bool directConvBackpropFilter(const ConvGeom&, const float*, const float*, float*) { return false; }
}  // namespace labnative

#endif

// Batch normalisation over the last (channel) axis of NHWC tensors.
// - batchNorm / batchNormGrad: tfjs's FusedBatchNorm with given mean and variance, and its
//   gradients in one pass (tfjs's own gradient runs ~25 full-size kernels).
// - batchNormTrain / batchNormTrainGrad: training mode, batch statistics included: the moments,
//   the normalisation and every gradient through them, in two passes each way (both moments in one,
//   around a near-mean shift; the normalisation centred), where tfjs runs the
//   moments (~6 kernels), the normalisation and ~15 gradient kernels.
// Channel sums walk the tensor in runs (runs.h): float lanes folded into double every kFold runs.
#include <algorithm>
#include <cmath>
#include <vector>
#include <omp.h>
#include "kernels.h"
#include "parallel.h"
#include "runs.h"

namespace labnative {

namespace {

const long kFold = 64;

// Per-channel sums (channel = element % c) of K terms per element, in double: sums[k * c + j].
// visit(s, len, lanes) adds element s + i's K terms to lanes[k * run + i] for i < len.
template <int K, typename Visit>
void channelSums(long n, int c, Visit visit, double* sums) {
  const long run = runOf(c), runs = (n + run - 1) / run;
  const int nt = n > (1L << 18) ? omp_get_max_threads() : 1;
  std::vector<double> part((size_t)nt * K * c, 0.0);
  auto work = [&](int t, long r0, long r1) {
    std::vector<float> lanes((size_t)K * run, 0.f);
    double* mine = part.data() + (size_t)t * K * c;
    // Channel j of a run is at j, j + c, ...: walked by channel group, since a `% c` per element
    // (a division: c is only known at run time) made the fold cost as much as the pass it folds.
    auto fold = [&]() {
      for (int k = 0; k < K; k++) {
        float* lane = lanes.data() + k * run;
        double* sum = mine + k * c;
        for (long b = 0; b < run; b += c)
          for (int j = 0; j < c; j++) sum[j] += lane[b + j];
        std::fill(lane, lane + run, 0.f);
      }
    };
    long pending = 0;
    for (long r = r0; r < r1; r++) {
      const long s = r * run;
      visit(s, std::min(run, n - s), lanes.data());
      if (++pending == kFold) {
        fold();
        pending = 0;
      }
    }
    fold();
  };
  if (nt == 1) {
    work(0, 0, runs);
  } else {
#pragma omp parallel num_threads(nt)
    {
      const int t = omp_get_thread_num(), tn = omp_get_num_threads();
      work(t, runs * t / tn, runs * (t + 1) / tn);
    }
  }
  for (int i = 0; i < K * c; i++) {
    double total = 0;
    for (int t = 0; t < nt; t++) total += part[(size_t)t * K * c + i];
    sums[i] = total;
  }
}

// y = (x - mean) * k + offset per channel. Centred first: the folded x * k + (offset - mean * k)
// cancels when |mean| >> std (a mean of 1000 and a std of 0.03 left 3 of 7 digits of y).
// With `relu`, max(0, y) in the same pass (a batch norm followed by a ReLU layer).
void normalize(const float* x, long n, int c, const float* mean, const float* k, const float* offset, float* y,
               bool relu = false) {
  const Repeated mr(mean, c), kr(k, c), orr(offset, c);
  const float* mp = mr.data;
  const float* kp = kr.data;
  const float* op = orr.data;
  forRuns(n, kr.len, [&](long s, long e) {
    const float* xr = x + s;
    float* yr = y + s;
    if (relu) {
      // As tfjs's relu: negatives to 0, NaN kept.
      for (long i = 0; i < e - s; i++) {
        const float v = (xr[i] - mp[i]) * kp[i] + op[i];
        yr[i] = v < 0.f ? 0.f : v;
      }
    } else {
      for (long i = 0; i < e - s; i++) yr[i] = (xr[i] - mp[i]) * kp[i] + op[i];
    }
  });
}

}  // namespace

void batchNorm(const float* x, long n, int c, const float* mean, int meanSize, const float* var, int varSize,
               const float* offset, int offsetSize, const float* scale, int scaleSize, float eps, float* y) {
  std::vector<float> mu(c), k(c), o(c);
  for (int j = 0; j < c; j++) {
    mu[j] = mean[meanSize == 1 ? 0 : j];
    float v = var[varSize == 1 ? 0 : j];
    float s = scale ? scale[scaleSize == 1 ? 0 : j] : 1.f;
    o[j] = offset ? offset[offsetSize == 1 ? 0 : j] : 0.f;
    k[j] = s / std::sqrt(v + eps);
  }
  normalize(x, n, c, mu.data(), k.data(), o.data(), y);
}

void batchNormGrad(const float* x, const float* dy, long n, int c, const float* mean, const float* var,
                   const float* scale, float eps, float* dx, float* dmean, float* dvar, float* dscale,
                   float* doffset) {
  std::vector<float> inv(c), k(c);
  for (int j = 0; j < c; j++) {
    inv[j] = 1.f / std::sqrt(var[j] + eps);
    k[j] = inv[j] * (scale ? scale[j] : 1.f);
  }
  // dx = dy * k, written in the same pass that sums dy and dy * (x - mean) per channel.
  const Repeated kr(k.data(), c), mr(mean, c);
  const float* kp = kr.data;
  const float* mp = mr.data;
  const long run = kr.len;
  std::vector<double> sums(2 * c);
  channelSums<2>(n, c, [&](long s, long len, float* lanes) {
    const float* xr = x + s;
    const float* dr = dy + s;
    float* out = dx + s;
    float* sdy = lanes;
    float* sdyx = lanes + run;
    for (long i = 0; i < len; i++) {
      const float d = dr[i];
      out[i] = d * kp[i];
      sdy[i] += d;
      sdyx[i] += d * (xr[i] - mp[i]);
    }
  }, sums.data());
  for (int j = 0; j < c; j++) {
    const double sd = sums[j], sdx = sums[c + j];
    const double s = scale ? scale[j] : 1.0, iv = inv[j];
    dmean[j] = (float)(-iv * s * sd);
    dvar[j] = (float)(-0.5 * iv * iv * iv * s * sdx);
    dscale[j] = (float)(iv * sdx);
    doffset[j] = (float)sd;
  }
}

void batchNormTrain(const float* x, long n, int c, const float* scale, const float* offset, float eps, float* y,
                    float* mean, float* var, bool relu) {
  const long count = n / c;
  // Both moments in one pass, summed around a shift per channel near its mean (the mean of the first
  // pixels): sum(x^2) - n mean^2 cancels badly when |mean| >> std; around a near-mean shift it does
  // not, and the pass a centred second moment needs is saved.
  std::vector<float> shift(c, 0.f);
  const long firstPixels = std::min<long>(count, 256);
  for (long p = 0; p < firstPixels; p++)
    for (int j = 0; j < c; j++) shift[j] += x[p * c + j];
  for (int j = 0; j < c; j++) shift[j] /= (float)std::max<long>(firstPixels, 1);
  const Repeated sr(shift.data(), c);
  const float* sp = sr.data;
  const long run = sr.len;
  std::vector<double> sums(2 * c);
  channelSums<2>(n, c, [&](long s, long len, float* lanes) {
    const float* xr = x + s;
    float* s1 = lanes;
    float* s2 = lanes + run;
    for (long i = 0; i < len; i++) {
      const float d = xr[i] - sp[i];
      s1[i] += d;
      s2[i] += d * d;
    }
  }, sums.data());
  std::vector<float> k(c), o(c);
  for (int j = 0; j < c; j++) {
    const double m1 = sums[j] / (double)count, m2 = sums[c + j] / (double)count;
    mean[j] = (float)(shift[j] + m1);
    const double v = m2 - m1 * m1;
    var[j] = (float)(v < 0.0 ? 0.0 : v);  // rounding can go below 0; NaN stays NaN
    k[j] = (scale ? scale[j] : 1.f) / std::sqrt(var[j] + eps);
    o[j] = offset ? offset[j] : 0.f;
  }
  normalize(x, n, c, mean, k.data(), o.data(), y, relu);
}

namespace {

// batchNormTrainGrad with the gradient reaching the normalisation's output given element by
// element: dyAt(i) (dy, or dy masked by a folded ReLU).
template <typename Dy>
void trainGradOf(const float* x, long n, int c, const float* mean, const float* var, const float* scale, float eps,
                 const float* dmeanIn, const float* dvarIn, float* dx, float* dscale, float* doffset, Dy dyAt) {
  const long count = n / c;
  const Repeated mr(mean, c);
  const float* mp = mr.data;
  const long run = mr.len;
  std::vector<double> sums(2 * c);
  channelSums<2>(n, c, [&](long s, long len, float* lanes) {
    const float* xr = x + s;
    float* sdy = lanes;
    float* sdyx = lanes + run;
    for (long i = 0; i < len; i++) {
      const float d = dyAt(s + i);
      sdy[i] += d;
      sdyx[i] += d * (xr[i] - mp[i]);
    }
  }, sums.data());
  // dx = A dy + B (x - mean) + C per channel: through the normalisation, the batch mean (1/N each)
  // and the biased variance (2 (x - mean) / N each), plus any gradient arriving at mean or variance.
  std::vector<float> A(c), B(c), C(c);
  for (int j = 0; j < c; j++) {
    const double g = scale ? scale[j] : 1.0, iv = 1.0 / std::sqrt((double)var[j] + eps), N = (double)count;
    const double s1 = sums[j], s2 = sums[c + j];
    A[j] = (float)(g * iv);
    B[j] = (float)(-g * iv * iv * iv * s2 / N + (dvarIn ? 2.0 * dvarIn[j] / N : 0.0));
    C[j] = (float)(-g * iv * s1 / N + (dmeanIn ? dmeanIn[j] / N : 0.0));
    dscale[j] = (float)(iv * s2);
    doffset[j] = (float)s1;
  }
  const Repeated ar(A.data(), c), br(B.data(), c), cr(C.data(), c);
  const float* ap = ar.data;
  const float* bp = br.data;
  const float* cp = cr.data;
  forRuns(n, run, [&](long s, long e) {
    const float* xr = x + s;
    float* out = dx + s;
    for (long i = 0; i < e - s; i++) out[i] = ap[i] * dyAt(s + i) + bp[i] * (xr[i] - mp[i]) + cp[i];
  });
}

}  // namespace

void batchNormTrainGrad(const float* x, const float* dy, long n, int c, const float* mean, const float* var,
                        const float* scale, float eps, const float* dmeanIn, const float* dvarIn, float* dx,
                        float* dscale, float* doffset, const float* reluOut) {
  // Below a folded ReLU, the gradient reaching the normalisation is dy * step(y), as tfjs's relu
  // gradient computes it (a product, not a select: GCC made the select a branch per element,
  // mispredicted half the time; and NaN * 0 stays NaN, as there; NaN outputs get 0 here).
  if (reluOut) {
    trainGradOf(x, n, c, mean, var, scale, eps, dmeanIn, dvarIn, dx, dscale, doffset,
                [=](long i) { return dy[i] * (reluOut[i] > 0.f ? 1.f : 0.f); });
  } else {
    trainGradOf(x, n, c, mean, var, scale, eps, dmeanIn, dvarIn, dx, dscale, doffset, [=](long i) { return dy[i]; });
  }
}

}  // namespace labnative

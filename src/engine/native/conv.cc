// 2-D convolution as im2col + OpenBLAS sgemm, NHWC. The batch is cut into chunks so the
// column buffer stays cache- and memory-friendly (a few MB), not batch-sized.
#include <algorithm>
#include <cstring>
#include <vector>
#include <cblas.h>
#include "kernels.h"
#include "epilogue.h"
#include "smallgemm.h"
#include "dnnl_conv.h"
#include "direct_conv.h"
#include <cstdlib>

namespace labnative {

namespace {

const long kColBudget = 2L << 20;  // floats per column chunk (8 MB)

// Scratch reused across calls: allocating (and page-faulting) MBs per op costs more than the op.
float* scratch(size_t n) {
  thread_local std::vector<float> buf;
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

long colWidth(const ConvGeom& g) { return (long)g.kh * g.kw * g.cin; }

// The input itself is the column matrix for 1x1 stride-1 unpadded convolutions.
bool isPointwise(const ConvGeom& g) {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.oh == g.h && g.ow == g.w;
}

int imagesPerChunk(const ConvGeom& g) {
  long perImage = (long)g.oh * g.ow * colWidth(g);
  long c = std::max(1L, kColBudget / std::max(1L, perImage));
  return (int)std::min<long>(c, g.n);
}

// Rows (image n0.., output pixel) of the column matrix: [kh][kw][cin] per row, zeros where padded.
void im2col(const ConvGeom& g, const float* x, int n0, int nimg, float* col) {
  const long K = colWidth(g);
  const long rows = (long)nimg * g.oh * g.ow;
  const long cinBytes = (long)g.cin * sizeof(float);
#pragma omp parallel for schedule(static) if (rows * K > 32768)
  for (long r = 0; r < rows; r++) {
    long img = r / ((long)g.oh * g.ow);
    long pix = r % ((long)g.oh * g.ow);
    int oy = (int)(pix / g.ow), ox = (int)(pix % g.ow);
    const float* xi = x + (long)(n0 + img) * g.h * g.w * g.cin;
    float* dst = col + r * K;
    for (int ky = 0; ky < g.kh; ky++) {
      int iy = oy * g.sh - g.pt + ky * g.dh;
      for (int kx = 0; kx < g.kw; kx++) {
        int ix = ox * g.sw - g.pl + kx * g.dw;
        if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) {
          std::memset(dst, 0, cinBytes);
        } else if (g.cin == 1) {
          *dst = xi[(long)iy * g.w + ix];
        } else {
          std::memcpy(dst, xi + ((long)iy * g.w + ix) * g.cin, cinBytes);
        }
        dst += g.cin;
      }
    }
  }
}

// Adds the column-matrix gradient back onto dx (which starts zeroed); images are independent.
void col2im(const ConvGeom& g, const float* col, int n0, int nimg, float* dx) {
  const long K = colWidth(g);
  const long perImage = (long)g.oh * g.ow;
#pragma omp parallel for schedule(static) if (nimg > 1 && nimg * perImage * K > 32768)
  for (int img = 0; img < nimg; img++) {
    float* xi = dx + (long)(n0 + img) * g.h * g.w * g.cin;
    const float* src = col + (long)img * perImage * K;
    for (int oy = 0; oy < g.oh; oy++) {
      for (int ox = 0; ox < g.ow; ox++) {
        for (int ky = 0; ky < g.kh; ky++) {
          int iy = oy * g.sh - g.pt + ky * g.dh;
          for (int kx = 0; kx < g.kw; kx++) {
            int ix = ox * g.sw - g.pl + kx * g.dw;
            if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) {
              float* d = xi + ((long)iy * g.w + ix) * g.cin;
              for (int c = 0; c < g.cin; c++) d[c] += src[c];
            }
            src += g.cin;
          }
        }
      }
    }
  }
}

// Which product to use: LABNATIVE_GEMM=blas|small forces one (for benchmarking), else by shape.
int gemmMode() {
  static int mode = [] {
    const char* e = std::getenv("LABNATIVE_GEMM");
    if (e && std::strcmp(e, "blas") == 0) return 1;
    if (e && std::strcmp(e, "small") == 0) return 2;
    return 0;
  }();
  return mode;
}
bool useSmall(long n, long k) {
  int m = gemmMode();
  if (m) return m == 2;
  return n <= 32 || k <= 32;
}

// C[M x N] = A[M x K] * B[K x N], all row-major and dense.
void gemmNN(long M, int N, int K, const float* A, const float* B, float* C) {
  if (useSmall(N, K)) {
    smallGemm((int)M, N, K, A, K, B, N, C, N);
  } else {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, N, K, 1.f, A, K, B, N, 0.f, C, N);
  }
}

// C[K x N] (+)= A[M x K]^T * D[M x N].
void gemmTN(long M, int K, int N, const float* A, const float* D, float* C, bool accumulate) {
  if (useSmall(N, K)) {
    labnative::gemmTN((int)M, K, N, A, K, D, N, C, accumulate);
  } else {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, N, (int)M, 1.f, A, K, D, N, accumulate ? 1.f : 0.f, C, N);
  }
}

// C[M x K] = D[M x N] * F[K x N]^T.
void gemmNT(long M, int K, int N, const float* D, const float* F, float* C) {
  if (useSmall(K, N)) {
    thread_local std::vector<float> ft;
    ft.resize((size_t)K * N);
    for (int k = 0; k < K; k++)
      for (int n = 0; n < N; n++) ft[(size_t)n * K + k] = F[(size_t)k * N + n];
    smallGemm((int)M, K, N, D, N, ft.data(), K, C, K);
  } else {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, K, N, 1.f, D, N, F, N, 0.f, C, K);
  }
}

}  // namespace

void conv2d(const ConvGeom& g, const float* x, const float* f, const float* bias, int act, float alpha, float* y) {
  const long K = colWidth(g);
  const long perImage = (long)g.oh * g.ow;
  // Few input channels: a direct kernel with the epilogue fused (see direct_conv.cc).
  if (directConv2d(g, x, f, bias, act, alpha, y)) return;
  if (dnnlConv2d(g, x, f, y)) {
    // done by oneDNN
  } else if (isPointwise(g)) {
    long rows = (long)g.n * perImage;
    gemmNN(rows, g.cout, (int)K, x, f, y);
  } else {
    int chunk = imagesPerChunk(g);
    float* col = scratch((size_t)chunk * perImage * K);
    for (int n0 = 0; n0 < g.n; n0 += chunk) {
      int nimg = std::min(chunk, g.n - n0);
      im2col(g, x, n0, nimg, col);
      long rows = (long)nimg * perImage;
      gemmNN(rows, g.cout, (int)K, col, f, y + (long)n0 * perImage * g.cout);
    }
  }
  biasActivation(y, (long)g.n * perImage, g.cout, bias, bias ? g.cout : 0, act, alpha);
}

void conv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* df) {
  if (directConvBackpropFilter(g, x, dy, df)) return;
  if (dnnlConvBackpropFilter(g, x, dy, df)) return;
  const long K = colWidth(g);
  const long perImage = (long)g.oh * g.ow;
  if (isPointwise(g)) {
    long rows = (long)g.n * perImage;
    gemmTN(rows, (int)K, g.cout, x, dy, df, false);
    return;
  }
  int chunk = imagesPerChunk(g);
  float* col = scratch((size_t)chunk * perImage * K);
  for (int n0 = 0; n0 < g.n; n0 += chunk) {
    int nimg = std::min(chunk, g.n - n0);
    im2col(g, x, n0, nimg, col);
    long rows = (long)nimg * perImage;
    gemmTN(rows, (int)K, g.cout, col, dy + (long)n0 * perImage * g.cout, df, n0 > 0);
  }
}

void conv2dBackpropInput(const ConvGeom& g, const float* dy, const float* f, float* dx) {
  if (directConvBackpropInput(g, dy, f, dx)) return;
  if (dnnlConvBackpropInput(g, dy, f, dx)) return;
  const long K = colWidth(g);
  const long perImage = (long)g.oh * g.ow;
  if (isPointwise(g)) {
    long rows = (long)g.n * perImage;
    gemmNT(rows, (int)K, g.cout, dy, f, dx);
    return;
  }
  std::memset(dx, 0, sizeof(float) * (size_t)g.n * g.h * g.w * g.cin);
  int chunk = imagesPerChunk(g);
  float* col = scratch((size_t)chunk * perImage * K);
  for (int n0 = 0; n0 < g.n; n0 += chunk) {
    int nimg = std::min(chunk, g.n - n0);
    long rows = (long)nimg * perImage;
    gemmNT(rows, (int)K, g.cout, dy + (long)n0 * perImage * g.cout, f, col);
    col2im(g, col, n0, nimg, dx);
  }
}

}  // namespace labnative

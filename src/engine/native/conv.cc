// 2-D convolution as im2col + OpenBLAS sgemm, NHWC. The batch is cut into chunks so the
// column buffer stays cache- and memory-friendly (a few MB), not batch-sized.
#include <algorithm>
#include <cstring>
#include <vector>
#include <cblas.h>
#include "kernels.h"
#include "epilogue.h"

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

}  // namespace

void conv2d(const ConvGeom& g, const float* x, const float* f, const float* bias, int act, float alpha, float* y) {
  const long K = colWidth(g);
  const long perImage = (long)g.oh * g.ow;
  if (isPointwise(g)) {
    long rows = (long)g.n * perImage;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, g.cout, (int)K, 1.f, x, (int)K, f, g.cout, 0.f,
                y, g.cout);
  } else {
    int chunk = imagesPerChunk(g);
    float* col = scratch((size_t)chunk * perImage * K);
    for (int n0 = 0; n0 < g.n; n0 += chunk) {
      int nimg = std::min(chunk, g.n - n0);
      im2col(g, x, n0, nimg, col);
      long rows = (long)nimg * perImage;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, g.cout, (int)K, 1.f, col, (int)K, f, g.cout,
                  0.f, y + (long)n0 * perImage * g.cout, g.cout);
    }
  }
  biasActivation(y, (long)g.n * perImage, g.cout, bias, bias ? g.cout : 0, act, alpha);
}

void conv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* df) {
  const long K = colWidth(g);
  const long perImage = (long)g.oh * g.ow;
  if (isPointwise(g)) {
    long rows = (long)g.n * perImage;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, g.cout, (int)rows, 1.f, x, (int)K, dy, g.cout, 0.f,
                df, g.cout);
    return;
  }
  int chunk = imagesPerChunk(g);
  float* col = scratch((size_t)chunk * perImage * K);
  for (int n0 = 0; n0 < g.n; n0 += chunk) {
    int nimg = std::min(chunk, g.n - n0);
    im2col(g, x, n0, nimg, col);
    long rows = (long)nimg * perImage;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, g.cout, (int)rows, 1.f, col, (int)K,
                dy + (long)n0 * perImage * g.cout, g.cout, n0 == 0 ? 0.f : 1.f, df, g.cout);
  }
}

void conv2dBackpropInput(const ConvGeom& g, const float* dy, const float* f, float* dx) {
  const long K = colWidth(g);
  const long perImage = (long)g.oh * g.ow;
  if (isPointwise(g)) {
    long rows = (long)g.n * perImage;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)K, g.cout, 1.f, dy, g.cout, f, g.cout, 0.f, dx,
                (int)K);
    return;
  }
  std::memset(dx, 0, sizeof(float) * (size_t)g.n * g.h * g.w * g.cin);
  int chunk = imagesPerChunk(g);
  float* col = scratch((size_t)chunk * perImage * K);
  for (int n0 = 0; n0 < g.n; n0 += chunk) {
    int nimg = std::min(chunk, g.n - n0);
    long rows = (long)nimg * perImage;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)K, g.cout, 1.f,
                dy + (long)n0 * perImage * g.cout, g.cout, f, g.cout, 0.f, col, (int)K);
    col2im(g, col, n0, nimg, dx);
  }
}

}  // namespace labnative

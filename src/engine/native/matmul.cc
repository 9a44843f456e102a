// Batched matrix product, with the fused bias + activation epilogue. Small products run on
// single-threaded OpenBLAS; large ones on oneDNN's sgemm over the OpenMP threads, or as column (or
// row) halves, one single-threaded product (oneDNN's, else OpenBLAS's) on each OpenMP thread.
// Either way there is one sleeping thread pool, not two competing ones (OpenBLAS's own threads
// beside OpenMP's made the dense layers of the seed-003 ConvNet 5x slower on a busy 2-core machine).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <cblas.h>
#include <omp.h>
#include "kernels.h"
#include "epilogue.h"
#ifdef LABNATIVE_DNNL
#include <dnnl.h>
#include "signals.h"
#endif

namespace labnative {

namespace {

const double kParallelFlops = 3e7;

void sgemm(bool transA, bool transB, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* y,
           int ldy) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, 1.f, a,
              lda, b, ldb, 0.f, y, ldy);
}

// Single-threaded product on the best library here: oneDNN's sgemm where built with it (~20% faster
// than OpenBLAS on one thread for these shapes), else OpenBLAS.
// A/B switch LABNATIVE_MATMUL: "openblas" (OpenBLAS halves only), "halves" (oneDNN halves only).
bool matmulMode(const char* name) {
  static const char* mode = std::getenv("LABNATIVE_MATMUL");
  return mode && std::strcmp(mode, name) == 0;
}

void serialProduct(bool transA, bool transB, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
                   float* y, int ldy) {
#ifdef LABNATIVE_DNNL
  if (!matmulMode("openblas")) {
    dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.f, a, lda, b, ldb, 0.f, y, ldy);
    return;
  }
#endif
  sgemm(transA, transB, m, n, k, a, lda, b, ldb, y, ldy);
}

// One product, split over threads when it is large enough to pay for them.
void product(bool transA, bool transB, int m, int n, int k, const float* a, const float* b, float* y) {
  const int lda = transA ? m : k;
  const int ldb = transB ? k : n;
  static const bool blasThreads = std::getenv("LABNATIVE_BLAS_THREADS") != nullptr;  // A/B switch
  const int nt = (blasThreads || 2.0 * m * n * k < kParallelFlops) ? 1 : omp_get_max_threads();
  if (nt == 1) {
    sgemm(transA, transB, m, n, k, a, lda, b, ldb, y, n);
    return;
  }
#ifdef LABNATIVE_DNNL
  SignalsBlocked quiet;  // oneDNN's JIT gemm must not take a signal (signals.h)
  if (!matmulMode("openblas") && !matmulMode("halves") && !transB && 2.0 * m * n * k <= 3e8) {
    // oneDNN's own threading (several parallel regions per product): as fast as the halves below
    // for these shapes, a little faster in the loop.
    dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.f, a, lda, b, ldb, 0.f, y, n);
    return;
  }
#endif
  // Halves (column or row blocks) in one parallel region, one single-threaded product each. With
  // B transposed this beat oneDNN's threading: 64x800 by 800x800^T 500 us against 610, VGG's
  // 64x1024 by 4096x1024^T 3.8 ms against 8.1 (and OpenBLAS halves: 540 us, 4.6 ms).
  if (n >= m) {
    // Column blocks (multiples of 16 wide): op(B) columns j0.. and C columns j0..
#pragma omp parallel num_threads(nt)
    {
      int t = omp_get_thread_num(), tn = omp_get_num_threads();
      int j0 = (int)((long)n * t / tn) / 16 * 16, j1 = t == tn - 1 ? n : (int)((long)n * (t + 1) / tn) / 16 * 16;
      if (j1 > j0) {
        const float* bj = transB ? b + (long)j0 * ldb : b + j0;
        serialProduct(transA, transB, m, j1 - j0, k, a, lda, bj, ldb, y + j0, n);
      }
    }
  } else {
#pragma omp parallel num_threads(nt)
    {
      int t = omp_get_thread_num(), tn = omp_get_num_threads();
      int i0 = (int)((long)m * t / tn), i1 = (int)((long)m * (t + 1) / tn);
      if (i1 > i0) {
        const float* ai = transA ? a + i0 : a + (long)i0 * lda;
        serialProduct(transA, transB, i1 - i0, n, k, ai, lda, b, ldb, y + (long)i0 * n, n);
      }
    }
  }
}

}  // namespace

void matmul(int batch, int m, int n, int k, bool transA, bool transB, const float* a, long strideA, const float* b,
            long strideB, const float* bias, int biasSize, int act, float alpha, float* y) {
  for (int i = 0; i < batch; i++) product(transA, transB, m, n, k, a + i * strideA, b + i * strideB, y + (long)i * m * n);
  biasActivation(y, (long)batch * m, n, bias, biasSize, act, alpha);
}

}  // namespace labnative

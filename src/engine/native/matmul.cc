// Batched matrix product, with the fused bias + activation epilogue. Small products run on
// single-threaded OpenBLAS; large ones on oneDNN's sgemm over the OpenMP threads or, without
// oneDNN, as column (or row) blocks handed to single-threaded OpenBLAS on each OpenMP thread.
// Either way there is one sleeping thread pool, not two competing ones (OpenBLAS's own threads
// beside OpenMP's made the dense layers of the seed-003 ConvNet 5x slower on a busy 2-core machine).
#include <algorithm>
#include <cstdlib>
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
  // oneDNN's sgemm threads a product better than halves of it handed to single-threaded OpenBLAS
  // (seed 004's MLP step: 7.1-7.4 ms against 9.7-11, alternating runs), except with B transposed
  // (an input gradient: 64x800 by 800x800^T 600 us against 500, VGG's 64x1024 by 4096x1024^T 2x)
  // and for the largest products (VGG's 4096-wide layer ran ~7% slower in the training loop).
  static const bool openblasSplit = std::getenv("LABNATIVE_MATMUL") != nullptr;  // A/B: =openblas
  if (!openblasSplit && !transB && 2.0 * m * n * k <= 3e8) {
    SignalsBlocked quiet;  // oneDNN's JIT gemm must not take a signal (signals.h)
    dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.f, a, lda, b, ldb, 0.f, y, n);
    return;
  }
#endif
  if (n >= m) {
    // Column blocks (multiples of 16 wide): op(B) columns j0.. and C columns j0..
#pragma omp parallel num_threads(nt)
    {
      int t = omp_get_thread_num(), tn = omp_get_num_threads();
      int j0 = (int)((long)n * t / tn) / 16 * 16, j1 = t == tn - 1 ? n : (int)((long)n * (t + 1) / tn) / 16 * 16;
      if (j1 > j0) {
        const float* bj = transB ? b + (long)j0 * ldb : b + j0;
        sgemm(transA, transB, m, j1 - j0, k, a, lda, bj, ldb, y + j0, n);
      }
    }
  } else {
#pragma omp parallel num_threads(nt)
    {
      int t = omp_get_thread_num(), tn = omp_get_num_threads();
      int i0 = (int)((long)m * t / tn), i1 = (int)((long)m * (t + 1) / tn);
      if (i1 > i0) {
        const float* ai = transA ? a + i0 : a + (long)i0 * lda;
        sgemm(transA, transB, i1 - i0, n, k, ai, lda, b, ldb, y + (long)i0 * n, n);
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

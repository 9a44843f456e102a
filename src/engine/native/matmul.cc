// Batched matrix product on OpenBLAS sgemm, with the fused bias + activation epilogue.
#include <cblas.h>
#include "kernels.h"
#include "epilogue.h"

namespace labnative {

void matmul(int batch, int m, int n, int k, bool transA, bool transB, const float* a, long strideA, const float* b,
            long strideB, const float* bias, int biasSize, int act, float alpha, float* y) {
  const int lda = transA ? m : k;
  const int ldb = transB ? k : n;
  for (int i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, 1.f,
                a + i * strideA, lda, b + i * strideB, ldb, 0.f, y + (long)i * m * n, n);
  }
  biasActivation(y, (long)batch * m, n, bias, biasSize, act, alpha);
}

}  // namespace labnative

// Skinny matrix products where OpenBLAS is slow (see smallgemm.cc). Row-major, float32.
#pragma once

namespace labnative {

// C[M x N] = A[M x K] * B[K x N]; threads over rows of C.
void smallGemm(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc);
// C[K x N] (+)= A[M x K]^T * D[M x N]; for long M and small K x N; threads over M.
void gemmTN(int M, int K, int N, const float* A, int lda, const float* D, int ldd, float* C, bool accumulate);

}  // namespace labnative

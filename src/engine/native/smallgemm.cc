// Register-blocked products for the skinny shapes of small CNNs, where OpenBLAS's packing
// overhead dominates (conv with 1 input channel: K = 25, N = 20 ran at 9 GFLOP/s in sgemm).
//   smallGemm:  C[M x N] = A[M x K] * B[K x N]  (B repacked in 24-wide column panels)
//   gemmTN:     C[K x N] = A[M x K]^T * D[M x N] (weight gradient: long M, tiny K x N)
#include <algorithm>
#include <cstring>
#include <vector>
#include <omp.h>
#include "smallgemm.h"
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define LABNATIVE_AVX2 1
#endif

namespace labnative {

namespace {

const int NR = 24;  // panel width: 3 AVX vectors
const int MR = 4;   // rows per micro-tile: 12 accumulators

thread_local std::vector<float> packB;

// Packs B's columns [j0, j0 + NR) into a K x NR panel, zero-padded.
void packPanel(const float* B, int K, int N, int ldb, int j0, float* panel) {
  int w = std::min(NR, N - j0);
  for (int k = 0; k < K; k++) {
    const float* src = B + (long)k * ldb + j0;
    float* dst = panel + (long)k * NR;
    for (int j = 0; j < w; j++) dst[j] = src[j];
    for (int j = w; j < NR; j++) dst[j] = 0.f;
  }
}

// C rows [r0, r0 + rows) x panel columns, rows <= MR.
inline void microTile(const float* A, int lda, int K, const float* panel, float* C, int ldc, int rows, int cols) {
#ifdef LABNATIVE_AVX2
  __m256 acc[MR][3];
  for (int r = 0; r < MR; r++) acc[r][0] = acc[r][1] = acc[r][2] = _mm256_setzero_ps();
  if (rows == MR) {
    const float* a0 = A; const float* a1 = A + lda; const float* a2 = A + 2L * lda; const float* a3 = A + 3L * lda;
    for (int k = 0; k < K; k++) {
      const float* b = panel + (long)k * NR;
      __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), b2 = _mm256_loadu_ps(b + 16);
      __m256 x;
      x = _mm256_broadcast_ss(a0 + k);
      acc[0][0] = _mm256_fmadd_ps(x, b0, acc[0][0]); acc[0][1] = _mm256_fmadd_ps(x, b1, acc[0][1]); acc[0][2] = _mm256_fmadd_ps(x, b2, acc[0][2]);
      x = _mm256_broadcast_ss(a1 + k);
      acc[1][0] = _mm256_fmadd_ps(x, b0, acc[1][0]); acc[1][1] = _mm256_fmadd_ps(x, b1, acc[1][1]); acc[1][2] = _mm256_fmadd_ps(x, b2, acc[1][2]);
      x = _mm256_broadcast_ss(a2 + k);
      acc[2][0] = _mm256_fmadd_ps(x, b0, acc[2][0]); acc[2][1] = _mm256_fmadd_ps(x, b1, acc[2][1]); acc[2][2] = _mm256_fmadd_ps(x, b2, acc[2][2]);
      x = _mm256_broadcast_ss(a3 + k);
      acc[3][0] = _mm256_fmadd_ps(x, b0, acc[3][0]); acc[3][1] = _mm256_fmadd_ps(x, b1, acc[3][1]); acc[3][2] = _mm256_fmadd_ps(x, b2, acc[3][2]);
    }
  } else {
    for (int k = 0; k < K; k++) {
      const float* b = panel + (long)k * NR;
      __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), b2 = _mm256_loadu_ps(b + 16);
      for (int r = 0; r < rows; r++) {
        __m256 x = _mm256_broadcast_ss(A + (long)r * lda + k);
        acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]); acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]); acc[r][2] = _mm256_fmadd_ps(x, b2, acc[r][2]);
      }
    }
  }
  alignas(32) float tmp[NR];
  for (int r = 0; r < rows; r++) {
    _mm256_store_ps(tmp, acc[r][0]); _mm256_store_ps(tmp + 8, acc[r][1]); _mm256_store_ps(tmp + 16, acc[r][2]);
    std::memcpy(C + (long)r * ldc, tmp, sizeof(float) * cols);
  }
#else
  for (int r = 0; r < rows; r++) {
    float acc[NR] = {0};
    for (int k = 0; k < K; k++) {
      float a = A[(long)r * lda + k];
      const float* b = panel + (long)k * NR;
      for (int j = 0; j < NR; j++) acc[j] += a * b[j];
    }
    std::memcpy(C + (long)r * ldc, acc, sizeof(float) * cols);
  }
#endif
}

}  // namespace

void smallGemm(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc) {
  const int panels = (N + NR - 1) / NR;
  std::vector<float>& pb = packB;
  pb.resize((size_t)panels * K * NR);
  for (int p = 0; p < panels; p++) packPanel(B, K, N, ldb, p * NR, pb.data() + (size_t)p * K * NR);
  const float* packed = pb.data();
  const long tiles = (M + MR - 1) / MR;
  const double flops = 2.0 * M * N * K;
#pragma omp parallel for schedule(static) if (flops > 4e6)
  for (long t = 0; t < tiles; t++) {
    int r0 = (int)(t * MR), rows = std::min(MR, M - r0);
    for (int p = 0; p < panels; p++) {
      int j0 = p * NR;
      microTile(A + (long)r0 * lda, lda, K, packed + (size_t)p * K * NR, C + (long)r0 * ldc + j0, ldc, rows,
                std::min(NR, N - j0));
    }
  }
}

void gemmTN(int M, int K, int N, const float* A, int lda, const float* D, int ldd, float* C, bool accumulate) {
  // Each thread sums its row range into a private K x N block; blocks are then added.
  const int nt = (2.0 * M * K * N > 4e6) ? omp_get_max_threads() : 1;
  std::vector<float> part((size_t)nt * K * N, 0.f);
#pragma omp parallel num_threads(nt)
  {
    int t = omp_get_thread_num(), tn = omp_get_num_threads();
    long m0 = (long)M * t / tn, m1 = (long)M * (t + 1) / tn;
    float* acc = part.data() + (size_t)t * K * N;
    for (int k0 = 0; k0 < K; k0 += MR) {
      int kr = std::min(MR, K - k0);
      for (int j0 = 0; j0 < N; j0 += NR) {
        int w = std::min(NR, N - j0);
#ifdef LABNATIVE_AVX2
        if (w == NR && kr == MR) {
          __m256 c[MR][3];
          for (int r = 0; r < MR; r++) c[r][0] = c[r][1] = c[r][2] = _mm256_setzero_ps();
          for (long m = m0; m < m1; m++) {
            const float* d = D + m * ldd + j0;
            const float* a = A + m * lda + k0;
            __m256 d0 = _mm256_loadu_ps(d), d1 = _mm256_loadu_ps(d + 8), d2 = _mm256_loadu_ps(d + 16);
            for (int r = 0; r < MR; r++) {
              __m256 x = _mm256_broadcast_ss(a + r);
              c[r][0] = _mm256_fmadd_ps(x, d0, c[r][0]); c[r][1] = _mm256_fmadd_ps(x, d1, c[r][1]); c[r][2] = _mm256_fmadd_ps(x, d2, c[r][2]);
            }
          }
          alignas(32) float tmp[NR];
          for (int r = 0; r < MR; r++) {
            _mm256_store_ps(tmp, c[r][0]); _mm256_store_ps(tmp + 8, c[r][1]); _mm256_store_ps(tmp + 16, c[r][2]);
            float* dst = acc + (long)(k0 + r) * N + j0;
            for (int j = 0; j < NR; j++) dst[j] += tmp[j];
          }
          continue;
        }
#endif
        // Edge blocks (or no AVX2): plain loops, vectorised by the compiler over j.
        for (long m = m0; m < m1; m++) {
          const float* d = D + m * ldd + j0;
          const float* a = A + m * lda + k0;
          for (int r = 0; r < kr; r++) {
            float x = a[r];
            float* dst = acc + (long)(k0 + r) * N + j0;
            for (int j = 0; j < w; j++) dst[j] += x * d[j];
          }
        }
      }
    }
  }
  const long size = (long)K * N;
  for (long i = 0; i < size; i++) {
    float s = accumulate ? C[i] : 0.f;
    for (int t = 0; t < nt; t++) s += part[(size_t)t * size + i];
    C[i] = s;
  }
}

}  // namespace labnative

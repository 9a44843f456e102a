// Bias + activation applied in place to a [rows, cols] result, shared by conv and matmul.
#pragma once
#include <cmath>
#include "kernels.h"

namespace labnative {

inline float activate(float v, int act, float alpha) {
  switch (act) {
    case ACT_RELU: return v > 0.f ? v : (v == v ? 0.f : v);
    case ACT_RELU6: return v > 0.f ? (v < 6.f ? v : 6.f) : (v == v ? 0.f : v);
    case ACT_SIGMOID: return 1.f / (1.f + std::exp(-v));
    case ACT_LEAKYRELU: return v < 0.f ? alpha * v : v;
    default: return v;
  }
}

// biasSize is cols (per output channel), 1 (scalar) or 0 (no bias).
inline void biasActivation(float* y, long rows, int cols, const float* bias, int biasSize, int act, float alpha) {
  if (biasSize == 0 && act == ACT_LINEAR) return;
#pragma omp parallel for schedule(static) if (rows * cols > 65536)
  for (long r = 0; r < rows; r++) {
    float* row = y + r * cols;
    if (biasSize == cols) {
      for (int c = 0; c < cols; c++) row[c] += bias[c];
    } else if (biasSize == 1) {
      for (int c = 0; c < cols; c++) row[c] += bias[0];
    }
    if (act == ACT_RELU) {
      for (int c = 0; c < cols; c++) row[c] = row[c] > 0.f ? row[c] : (row[c] == row[c] ? 0.f : row[c]);
    } else if (act != ACT_LINEAR) {
      for (int c = 0; c < cols; c++) row[c] = activate(row[c], act, alpha);
    }
  }
}

}  // namespace labnative

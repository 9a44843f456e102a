// Direct (no im2col, no oneDNN) convolutions for few input channels (and the input gradient of
// few output channels), where both oneDNN and im2col + sgemm are slow (see direct_conv.cc). Each
// returns false when it declines the shape; the caller then uses its other paths.
#pragma once
#include "kernels.h"

namespace labnative {

bool directConv2d(const ConvGeom& g, const float* x, const float* f, const float* bias, int act, float alpha, float* y);
bool directConvBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* df);
bool directConvBackpropInput(const ConvGeom& g, const float* dy, const float* f, float* dx);

}  // namespace labnative

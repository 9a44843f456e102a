// oneDNN convolutions (see dnnl_conv.cc). Each returns false when oneDNN is absent or declines
// the shape; the caller then uses its own im2col path.
#pragma once
#include "kernels.h"

namespace labnative {

bool dnnlConv2d(const ConvGeom& g, const float* x, const float* f, float* y);
bool dnnlConvBackpropInput(const ConvGeom& g, const float* dy, const float* f, float* dx);
bool dnnlConvBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* df);

}  // namespace labnative

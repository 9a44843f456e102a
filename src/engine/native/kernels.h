// Plain C++ kernels of the labnative engine: float32, NHWC, row-major, no Node types.
// The N-API layer (addon.cc) checks and unpacks arguments and calls these; they trust their sizes.
#pragma once
#include <cstdint>

namespace labnative {

// Fused activations applied in the epilogue of conv and matmul.
// Each enum ends with a count, so addon.cc can range-check codes coming from JS.
enum Act { ACT_LINEAR = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_SIGMOID = 3, ACT_LEAKYRELU = 4, ACT_COUNT };

// One 2-D convolution's geometry (NHWC input, [kh, kw, cin, cout] filter).
struct ConvGeom {
  int n, h, w, cin;        // input
  int kh, kw, cout;        // filter
  int oh, ow;              // output
  int sh, sw;              // strides
  int pt, pl;              // padding top / left
  int dh, dw;              // dilations
};

void conv2d(const ConvGeom& g, const float* x, const float* f, const float* bias, int act, float alpha, float* y);
void conv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* df);
void conv2dBackpropInput(const ConvGeom& g, const float* dy, const float* f, float* dx);

// Pooling windows share the conv geometry (kh, kw = window, cout = cin = channels).
void maxPool(const ConvGeom& g, const float* x, float* y);
// y is the forward output (may be null: then the window maximum is searched again).
void maxPoolGrad(const ConvGeom& g, const float* x, const float* y, const float* dy, float* dx);
void avgPool(const ConvGeom& g, const float* x, float* y);
void avgPoolGrad(const ConvGeom& g, const float* dy, float* dx);

// y[b] = op(a[b]) * op(b[b]) (+ bias) (activation); batch strides 0 broadcast one side.
void matmul(int batch, int m, int n, int k, bool transA, bool transB, const float* a, long strideA, const float* b,
            long strideB, const float* bias, int biasSize, int act, float alpha, float* y);

// Elementwise.
enum Unary {
  U_RELU, U_RELU6, U_STEP, U_NEG, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_SQUARE, U_SIGMOID, U_TANH, U_ABS, U_RECIPROCAL,
  U_LEAKYRELU, U_ELU, U_COUNT
};
void unary(int op, const float* x, long n, float alpha, float* y);

// B_RELU_GRAD: a = dy, b = the relu's input x: dy * step(x), tfjs's relu gradient in one pass.
enum Binary { B_ADD, B_SUB, B_MUL, B_DIV, B_MAX, B_MIN, B_SQDIFF, B_RELU_GRAD, B_COUNT };
// General broadcast: shapes padded to `rank`, strides 0 on broadcast dimensions.
void binary(int op, int rank, const int* outShape, const float* a, const int* aStrides, long aSize, const float* b,
            const int* bStrides, long bSize, float* y);

// Optimiser updates (optimizer.cc), torch.optim's formulation, weight decay added to the gradient
// (d = g + weightDecay * w). SGD_PLAIN: w -= lr * d. SGD_MOMENTUM: buf = momentum * buf + d, w -= lr * buf.
// SGD_NESTEROV: the same buf, w -= lr * (d + momentum * buf). buf and bufOut are unused by SGD_PLAIN.
// Outputs may be their inputs (in place).
enum SgdVariant { SGD_PLAIN, SGD_MOMENTUM, SGD_NESTEROV, SGD_COUNT };
void sgdStep(int op, const float* w, const float* g, const float* buf, long n, float lr, float momentum,
             float weightDecay, float* wOut, float* bufOut);
// Adam: m = beta1 m + (1 - beta1) d, v = beta2 v + (1 - beta2) d^2,
// w -= lr * (m / biasCorrection1) / (sqrt(v / biasCorrection2) + epsilon), biasCorrection_k = 1 - beta_k^step.
void adamStep(const float* w, const float* g, const float* m, const float* v, long n, float lr, float beta1,
              float beta2, float epsilon, float weightDecay, float biasCorrection1, float biasCorrection2,
              float* wOut, float* mOut, float* vOut);

// Inverted dropout (dropout.cc): y = x * mask, mask i = 1 / (1 - rate) when mulberry32's i-th draw from
// state `seed` (as a uint32, over 2^32) is >= rate, else 0; the stream of dropoutMask in src/engine/dropout.ts.
void dropout(const float* x, long n, double rate, uint32_t seed, float* y);

enum Reduce { R_SUM, R_MAX, R_MIN, R_MEAN, R_COUNT };
// x viewed as [outer, red, inner] reduces to y [outer, inner].
void reduce(int op, const float* x, long outer, long red, long inner, float* y);
// A ReLU layer's gradients below its activation, in one pass over dy [rows, channels]: dz = dy * step(y)
// (y the layer's output, so y > 0 where its input was) and dbias[c] = the sum of dz's column c.
void reluBiasGrad(const float* dy, const float* y, long rows, long channels, float* dz, float* dbias);

// y = (x - mean) / sqrt(var + eps) * scale + offset, parameters per last-axis channel (size c or 1).
void batchNorm(const float* x, long n, int c, const float* mean, int meanSize, const float* var, int varSize,
               const float* offset, int offsetSize, const float* scale, int scaleSize, float eps, float* y);

// Gradients of batchNorm with per-channel (last axis, size c) mean, variance and scale (may be null),
// in one pass: dx [n], and dmean, dvar, dscale, doffset [c].
void batchNormGrad(const float* x, const float* dy, long n, int c, const float* mean, const float* var,
                   const float* scale, float eps, float* dx, float* dmean, float* dvar, float* dscale, float* doffset);

// Training-mode batch norm over all but the last axis (c channels): the batch mean and biased
// variance per channel (outputs mean, var [c]) and y = (x - mean) / sqrt(var + eps) * scale + offset
// (scale, offset [c] or null), or max(0, that) with `relu` (a ReLU layer folded in).
void batchNormTrain(const float* x, long n, int c, const float* scale, const float* offset, float eps, float* y,
                    float* mean, float* var, bool relu);
// Its gradients wrt x, scale and offset, given dy and the gradients reaching the mean and variance
// outputs (null when none do); with a folded ReLU, reluOut is the forward's y (else null).
void batchNormTrainGrad(const float* x, const float* dy, long n, int c, const float* mean, const float* var,
                        const float* scale, float eps, const float* dmeanIn, const float* dvarIn, float* dx,
                        float* dscale, float* doffset, const float* reluOut);

// y = x repeated reps[d] times along each dimension d (rank <= 8).
void tile(int rank, const int* xShape, const int* reps, const float* x, float* y);

int threads();
void setThreads(int n);

}  // namespace labnative

// N-API surface of the labnative engine: unpacks typed arrays and numbers, calls kernels.h.
// The caller (kernels.ts) allocates outputs and validates shapes, so this layer stays thin.
#include <napi.h>
#include <cblas.h>
#include <cstdlib>
#include <vector>
#include "kernels.h"

using namespace labnative;

namespace {

inline float* F32(const Napi::Value& v) { return v.As<Napi::Float32Array>().Data(); }
inline const float* F32orNull(const Napi::Value& v) { return v.IsNull() || v.IsUndefined() ? nullptr : F32(v); }
inline int I(const Napi::Value& v) { return v.As<Napi::Number>().Int32Value(); }
inline long L(const Napi::Value& v) { return (long)v.As<Napi::Number>().Int64Value(); }
inline float F(const Napi::Value& v) { return v.As<Napi::Number>().FloatValue(); }

ConvGeom geom(const Napi::Value& v) {
  const int32_t* p = v.As<Napi::Int32Array>().Data();
  return ConvGeom{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14]};
}

Napi::Value Conv2d(const Napi::CallbackInfo& a) {
  ConvGeom g = geom(a[4]);
  const float* bias = F32orNull(a[2]);
  // conv2d reads cout bias values; a one-element bias (tfjs broadcasts it) is spread out first.
  std::vector<float> spread;
  if (bias && a[2].As<Napi::Float32Array>().ElementLength() < (size_t)g.cout) {
    spread.assign((size_t)g.cout, bias[0]);
    bias = spread.data();
  }
  conv2d(g, F32(a[0]), F32(a[1]), bias, I(a[5]), F(a[6]), F32(a[3]));
  return a.Env().Undefined();
}
Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& a) {
  conv2dBackpropFilter(geom(a[3]), F32(a[0]), F32(a[1]), F32(a[2]));
  return a.Env().Undefined();
}
Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& a) {
  conv2dBackpropInput(geom(a[3]), F32(a[0]), F32(a[1]), F32(a[2]));
  return a.Env().Undefined();
}
Napi::Value MaxPool(const Napi::CallbackInfo& a) {
  maxPool(geom(a[2]), F32(a[0]), F32(a[1]));
  return a.Env().Undefined();
}
// maxPoolGrad(x, dy, dx, geom, y|null)
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& a) {
  maxPoolGrad(geom(a[3]), F32(a[0]), a.Length() > 4 ? F32orNull(a[4]) : nullptr, F32(a[1]), F32(a[2]));
  return a.Env().Undefined();
}
Napi::Value AvgPool(const Napi::CallbackInfo& a) {
  avgPool(geom(a[2]), F32(a[0]), F32(a[1]));
  return a.Env().Undefined();
}
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& a) {
  avgPoolGrad(geom(a[2]), F32(a[0]), F32(a[1]));
  return a.Env().Undefined();
}
// matmul(a, b, y, dims Int32Array[batch, m, n, k, transA, transB, aBroadcast, bBroadcast], bias, act, alpha)
Napi::Value Matmul(const Napi::CallbackInfo& a) {
  const int32_t* d = a[3].As<Napi::Int32Array>().Data();
  const float* bias = F32orNull(a[4]);
  int biasSize = bias ? (int)a[4].As<Napi::Float32Array>().ElementLength() : 0;
  long strideA = d[6] ? 0 : (long)d[1] * d[3];
  long strideB = d[7] ? 0 : (long)d[3] * d[2];
  matmul(d[0], d[1], d[2], d[3], d[4] != 0, d[5] != 0, F32(a[0]), strideA, F32(a[1]), strideB, bias, biasSize, I(a[5]),
         F(a[6]), F32(a[2]));
  return a.Env().Undefined();
}
Napi::Value Unary(const Napi::CallbackInfo& a) {
  auto x = a[1].As<Napi::Float32Array>();
  unary(I(a[0]), x.Data(), (long)x.ElementLength(), F(a[3]), F32(a[2]));
  return a.Env().Undefined();
}
// binary(op, a, b, y, meta Int32Array[rank, shape.., aStrides.., bStrides..])
Napi::Value Binary(const Napi::CallbackInfo& a) {
  auto x = a[1].As<Napi::Float32Array>();
  auto z = a[2].As<Napi::Float32Array>();
  const int32_t* m = a[4].As<Napi::Int32Array>().Data();
  int rank = m[0];
  binary(I(a[0]), rank, m + 1, x.Data(), m + 1 + rank, (long)x.ElementLength(), z.Data(), m + 1 + 2 * rank,
         (long)z.ElementLength(), F32(a[3]));
  return a.Env().Undefined();
}
Napi::Value Reduce(const Napi::CallbackInfo& a) {
  reduce(I(a[0]), F32(a[1]), L(a[3]), L(a[4]), L(a[5]), F32(a[2]));
  return a.Env().Undefined();
}
// batchNorm(x, mean, variance, offset|null, scale|null, y, eps, channels)
Napi::Value BatchNorm(const Napi::CallbackInfo& a) {
  auto x = a[0].As<Napi::Float32Array>();
  auto len = [&](int i) { return a[i].IsNull() || a[i].IsUndefined() ? 0 : (int)a[i].As<Napi::Float32Array>().ElementLength(); };
  batchNorm(x.Data(), (long)x.ElementLength(), I(a[7]), F32(a[1]), len(1), F32(a[2]), len(2), F32orNull(a[3]), len(3),
            F32orNull(a[4]), len(4), F(a[6]), F32(a[5]));
  return a.Env().Undefined();
}
// batchNormGrad(x, dy, mean, variance, scale|null, eps, dx, dmean, dvar, dscale, doffset)
Napi::Value BatchNormGrad(const Napi::CallbackInfo& a) {
  auto x = a[0].As<Napi::Float32Array>();
  auto mean = a[2].As<Napi::Float32Array>();
  batchNormGrad(x.Data(), F32(a[1]), (long)x.ElementLength(), (int)mean.ElementLength(), mean.Data(), F32(a[3]),
                F32orNull(a[4]), F(a[5]), F32(a[6]), F32(a[7]), F32(a[8]), F32(a[9]), F32(a[10]));
  return a.Env().Undefined();
}
// scaledAdd(a, alpha, b, beta, y): y = alpha a + beta b (y may be a)
Napi::Value ScaledAdd(const Napi::CallbackInfo& a) {
  auto x = a[0].As<Napi::Float32Array>();
  scaledAdd(x.Data(), F(a[1]), F32(a[2]), F(a[3]), (long)x.ElementLength(), F32(a[4]));
  return a.Env().Undefined();
}
// batchNormTrain(x, scale|null, offset|null, eps, y, mean, variance)
Napi::Value BatchNormTrain(const Napi::CallbackInfo& a) {
  auto x = a[0].As<Napi::Float32Array>();
  auto mean = a[5].As<Napi::Float32Array>();
  batchNormTrain(x.Data(), (long)x.ElementLength(), (int)mean.ElementLength(), F32orNull(a[1]), F32orNull(a[2]), F(a[3]),
                 F32(a[4]), mean.Data(), F32(a[6]));
  return a.Env().Undefined();
}
// batchNormTrainGrad(x, dy, mean, variance, scale|null, eps, dmean|null, dvariance|null, dx, dscale, doffset)
Napi::Value BatchNormTrainGrad(const Napi::CallbackInfo& a) {
  auto x = a[0].As<Napi::Float32Array>();
  auto mean = a[2].As<Napi::Float32Array>();
  batchNormTrainGrad(x.Data(), F32(a[1]), (long)x.ElementLength(), (int)mean.ElementLength(), mean.Data(), F32(a[3]),
                     F32orNull(a[4]), F(a[5]), F32orNull(a[6]), F32orNull(a[7]), F32(a[8]), F32(a[9]), F32(a[10]));
  return a.Env().Undefined();
}
// tile(x, y, meta Int32Array[rank, xShape.., reps..])
Napi::Value Tile(const Napi::CallbackInfo& a) {
  const int32_t* m = a[2].As<Napi::Int32Array>().Data();
  tile(m[0], m + 1, m + 1 + m[0], F32(a[0]), F32(a[1]));
  return a.Env().Undefined();
}
Napi::Value SetThreads(const Napi::CallbackInfo& a) {
  setThreads(I(a[0]));  // OpenMP only: OpenBLAS stays single-threaded (see matmul.cc)
  return a.Env().Undefined();
}
Napi::Value Threads(const Napi::CallbackInfo& a) { return Napi::Number::New(a.Env(), threads()); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const char* blasThreads = std::getenv("LABNATIVE_BLAS_THREADS");
  openblas_set_num_threads(blasThreads ? std::atoi(blasThreads) : 1);
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2dBackpropFilter));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2dBackpropInput));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("batchNormGrad", Napi::Function::New(env, BatchNormGrad));
  exports.Set("scaledAdd", Napi::Function::New(env, ScaledAdd));
  exports.Set("batchNormTrain", Napi::Function::New(env, BatchNormTrain));
  exports.Set("batchNormTrainGrad", Napi::Function::New(env, BatchNormTrainGrad));
  exports.Set("tile", Napi::Function::New(env, Tile));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("threads", Napi::Function::New(env, Threads));
  return exports;
}

}  // namespace

NODE_API_MODULE(labnative, Init)

// N-API surface of the labnative engine: checks and unpacks typed arrays and numbers (args.h),
// calls kernels.h. A wrong call throws a JS TypeError/RangeError naming the function and argument;
// only calls whose every array has the size its geometry implies reach a kernel.
#include <napi.h>
#include <cblas.h>
#include <cstdlib>
#include <vector>
#include "args.h"
#include "kernels.h"

using namespace labnative;

namespace {

constexpr int32_t kMaxInt = 2147483647;

int64_t inSize(const ConvGeom& g) { return product({g.n, g.h, g.w, g.cin}); }
int64_t outSize(const ConvGeom& g) { return product({g.n, g.oh, g.ow, g.cout}); }
int64_t filterSize(const ConvGeom& g) { return product({g.kh, g.kw, g.cin, g.cout}); }

// conv2d(x, f, bias|null, y, geom, act, alpha)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  Args a(info, "conv2d", 7);
  F32 x = a.f32(0, "x"), f = a.f32(1, "filter"), bias = a.f32OrNull(2, "bias"), y = a.f32(3, "y");
  ConvGeom g = a.geom(4, "geom");
  int act = a.code(5, "act", ACT_COUNT);
  float alpha = (float)a.number(6, "alpha");
  a.size(x, 0, "x", inSize(g));
  a.size(f, 1, "filter", filterSize(g));
  a.require(bias.null || bias.size == g.cout || bias.size == 1, "argument 2 (bias) must have cout or 1 elements");
  a.size(y, 3, "y", outSize(g));
  if (!a.ok()) return a.env().Undefined();
  // conv2d reads cout bias values; a one-element bias (tfjs broadcasts it) is spread out first.
  const float* b = bias.data;
  std::vector<float> spread;
  if (b && bias.size < g.cout) {
    spread.assign((size_t)g.cout, b[0]);
    b = spread.data();
  }
  conv2d(g, x.data, f.data, b, act, alpha, y.data);
  return a.env().Undefined();
}
// conv2dBackpropFilter(x, dy, df, geom)
Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dBackpropFilter", 4);
  F32 x = a.f32(0, "x"), dy = a.f32(1, "dy"), df = a.f32(2, "df");
  ConvGeom g = a.geom(3, "geom");
  a.size(x, 0, "x", inSize(g));
  a.size(dy, 1, "dy", outSize(g));
  a.size(df, 2, "df", filterSize(g));
  if (!a.ok()) return a.env().Undefined();
  conv2dBackpropFilter(g, x.data, dy.data, df.data);
  return a.env().Undefined();
}
// conv2dBackpropInput(dy, f, dx, geom)
Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dBackpropInput", 4);
  F32 dy = a.f32(0, "dy"), f = a.f32(1, "filter"), dx = a.f32(2, "dx");
  ConvGeom g = a.geom(3, "geom");
  a.size(dy, 0, "dy", outSize(g));
  a.size(f, 1, "filter", filterSize(g));
  a.size(dx, 2, "dx", inSize(g));
  if (!a.ok()) return a.env().Undefined();
  conv2dBackpropInput(g, dy.data, f.data, dx.data);
  return a.env().Undefined();
}

// Pooling geometry: channels in = channels out.
ConvGeom poolGeom(Args& a, size_t i) {
  ConvGeom g = a.geom(i, "geom");
  if (g.cin != g.cout) a.rangeError("argument " + std::to_string(i) + " (geom): a pooling geometry has cin == cout");
  return g;
}
// maxPool(x, y, geom) and avgPool(x, y, geom)
template <void (*kernel)(const ConvGeom&, const float*, float*)>
Napi::Value Pool(const Napi::CallbackInfo& info, const char* name) {
  Args a(info, name, 3);
  F32 x = a.f32(0, "x"), y = a.f32(1, "y");
  ConvGeom g = poolGeom(a, 2);
  a.size(x, 0, "x", inSize(g));
  a.size(y, 1, "y", outSize(g));
  if (!a.ok()) return a.env().Undefined();
  kernel(g, x.data, y.data);
  return a.env().Undefined();
}
Napi::Value MaxPool(const Napi::CallbackInfo& info) { return Pool<maxPool>(info, "maxPool"); }
Napi::Value AvgPool(const Napi::CallbackInfo& info) { return Pool<avgPool>(info, "avgPool"); }
// maxPoolGrad(x, dy, dx, geom, y|null)
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  Args a(info, "maxPoolGrad", 5);
  F32 x = a.f32(0, "x"), dy = a.f32(1, "dy"), dx = a.f32(2, "dx");
  ConvGeom g = poolGeom(a, 3);
  F32 y = a.f32OrNull(4, "y");
  a.size(x, 0, "x", inSize(g));
  a.size(dy, 1, "dy", outSize(g));
  a.size(dx, 2, "dx", inSize(g));
  if (!y.null) a.size(y, 4, "y", outSize(g));
  if (!a.ok()) return a.env().Undefined();
  maxPoolGrad(g, x.data, y.data, dy.data, dx.data);
  return a.env().Undefined();
}
// avgPoolGrad(dy, dx, geom)
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  Args a(info, "avgPoolGrad", 3);
  F32 dy = a.f32(0, "dy"), dx = a.f32(1, "dx");
  ConvGeom g = poolGeom(a, 2);
  a.size(dy, 0, "dy", outSize(g));
  a.size(dx, 1, "dx", inSize(g));
  if (!a.ok()) return a.env().Undefined();
  avgPoolGrad(g, dy.data, dx.data);
  return a.env().Undefined();
}

// matmul(a, b, y, dims Int32Array[batch, m, n, k, transA, transB, aBroadcast, bBroadcast], bias|null, act, alpha)
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  Args a(info, "matmul", 7);
  F32 x = a.f32(0, "a"), z = a.f32(1, "b"), y = a.f32(2, "y");
  I32 dims = a.i32(3, "dims");
  F32 bias = a.f32OrNull(4, "bias");
  int act = a.code(5, "act", ACT_COUNT);
  float alpha = (float)a.number(6, "alpha");
  a.require(!a.ok() || dims.size == 8, "argument 3 (dims) must have 8 elements");
  if (!a.ok()) return a.env().Undefined();
  const int32_t* d = dims.data;
  const int batch = d[0], m = d[1], n = d[2], k = d[3];
  bool flags = true;
  for (int i = 4; i < 8; i++) flags = flags && (d[i] == 0 || d[i] == 1);
  a.require(batch >= 0 && m >= 0 && n >= 0 && k >= 0 && flags,
            "argument 3 (dims) must hold sizes >= 0 and 0/1 flags");
  a.size(x, 0, "a", product({d[6] ? 1 : batch, m, k}));
  a.size(z, 1, "b", product({d[7] ? 1 : batch, k, n}));
  a.size(y, 2, "y", product({batch, m, n}));
  a.require(bias.null || bias.size == n || bias.size == 1, "argument 4 (bias) must have n or 1 elements");
  if (!a.ok()) return a.env().Undefined();
  long strideA = d[6] ? 0 : (long)m * k;
  long strideB = d[7] ? 0 : (long)k * n;
  matmul(batch, m, n, k, d[4] != 0, d[5] != 0, x.data, strideA, z.data, strideB, bias.data, (int)bias.size, act, alpha,
         y.data);
  return a.env().Undefined();
}

// unary(op, x, y, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Args a(info, "unary", 4);
  int op = a.code(0, "op", U_COUNT);
  F32 x = a.f32(1, "x"), y = a.f32(2, "y");
  float alpha = (float)a.number(3, "alpha");
  a.size(y, 2, "y", x.size);
  if (!a.ok()) return a.env().Undefined();
  unary(op, x.data, (long)x.size, alpha, y.data);
  return a.env().Undefined();
}

// The largest flat index that `strides` reach over `shape` (rank entries each), or -1 if empty.
int64_t lastIndex(int rank, const int32_t* shape, const int32_t* strides) {
  int64_t last = 0;
  for (int d = 0; d < rank; d++) {
    if (shape[d] == 0) return -1;
    last += (int64_t)(shape[d] - 1) * strides[d];
  }
  return last;
}
// binary(op, a, b, y, meta Int32Array[rank, shape.., aStrides.., bStrides..])
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Args a(info, "binary", 5);
  int op = a.code(0, "op", B_COUNT);
  F32 x = a.f32(1, "a"), z = a.f32(2, "b"), y = a.f32(3, "y");
  I32 meta = a.i32(4, "meta");
  if (!a.ok()) return a.env().Undefined();
  const int32_t* m = meta.data;
  const int rank = meta.size > 0 ? m[0] : 0;
  a.require(rank >= 1 && meta.size == 1 + 3 * (int64_t)rank, "argument 4 (meta) must be [rank >= 1, shape, aStrides, bStrides]");
  if (!a.ok()) return a.env().Undefined();
  bool nonNegative = true;
  for (int i = 1; i < meta.size; i++) nonNegative = nonNegative && m[i] >= 0;
  a.require(nonNegative, "argument 4 (meta) must hold sizes and strides >= 0");
  if (!a.ok()) return a.env().Undefined();
  int64_t n = 1;
  for (int d = 0; d < rank; d++) n = product({n, m[1 + d]});
  a.size(y, 3, "y", n);
  // Each operand's strides must span exactly its elements: none read past its end, and its size
  // (which binary() also uses to pick its flat loops) agrees with them. Empty outputs read nothing.
  a.require(n == 0 || lastIndex(rank, m + 1, m + 1 + rank) + 1 == x.size,
            "argument 4 (meta): a's strides do not span exactly argument 1 (a)'s elements");
  a.require(n == 0 || lastIndex(rank, m + 1, m + 1 + 2 * rank) + 1 == z.size,
            "argument 4 (meta): b's strides do not span exactly argument 2 (b)'s elements");
  if (!a.ok()) return a.env().Undefined();
  binary(op, rank, m + 1, x.data, m + 1 + rank, (long)x.size, z.data, m + 1 + 2 * rank, (long)z.size, y.data);
  return a.env().Undefined();
}

// reduce(op, x, y, outer, red, inner): x [outer, red, inner] to y [outer, inner]
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Args a(info, "reduce", 6);
  int op = a.code(0, "op", R_COUNT);
  F32 x = a.f32(1, "x"), y = a.f32(2, "y");
  const int64_t limit = int64_t(1) << 53;
  int64_t outer = a.integer(3, "outer", 0, limit), red = a.integer(4, "red", 0, limit),
          inner = a.integer(5, "inner", 0, limit);
  a.size(x, 1, "x", product({outer, red, inner}));
  a.size(y, 2, "y", product({outer, inner}));
  if (!a.ok()) return a.env().Undefined();
  reduce(op, x.data, (long)outer, (long)red, (long)inner, y.data);
  return a.env().Undefined();
}

// The channel count of a batch-norm call: c >= 1 dividing x's size.
void channels(Args& a, const F32& x, int64_t c, const char* from) {
  if (!(c >= 1 && x.size % (c < 1 ? 1 : c) == 0)) {
    a.rangeError(std::string("the channel count (") + from + ") must be >= 1 and divide argument 0 (x)'s size");
  }
}
// Per-channel parameters: c elements, or also 1 where the kernel broadcasts a scalar.
void perChannel(Args& a, const F32& v, size_t i, const char* name, int64_t c, bool scalarToo) {
  if (v.null) return;
  if (!scalarToo) a.size(v, i, name, c);
  else if (v.size != c && v.size != 1) a.rangeError("argument " + std::to_string(i) + " (" + name + ") must have c or 1 elements");
}

// batchNorm(x, mean, variance, offset|null, scale|null, y, eps, channels)
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  Args a(info, "batchNorm", 8);
  F32 x = a.f32(0, "x"), mean = a.f32(1, "mean"), var = a.f32(2, "variance");
  F32 offset = a.f32OrNull(3, "offset"), scale = a.f32OrNull(4, "scale"), y = a.f32(5, "y");
  float eps = (float)a.number(6, "eps");
  int c = (int)a.integer(7, "channels", 1, kMaxInt);
  if (!a.ok()) return a.env().Undefined();
  channels(a, x, c, "argument 7");
  perChannel(a, mean, 1, "mean", c, true);
  perChannel(a, var, 2, "variance", c, true);
  perChannel(a, offset, 3, "offset", c, true);
  perChannel(a, scale, 4, "scale", c, true);
  a.size(y, 5, "y", x.size);
  if (!a.ok()) return a.env().Undefined();
  batchNorm(x.data, (long)x.size, c, mean.data, (int)mean.size, var.data, (int)var.size, offset.data, (int)offset.size,
            scale.data, (int)scale.size, eps, y.data);
  return a.env().Undefined();
}
// batchNormGrad(x, dy, mean, variance, scale|null, eps, dx, dmean, dvar, dscale, doffset)
Napi::Value BatchNormGrad(const Napi::CallbackInfo& info) {
  Args a(info, "batchNormGrad", 11);
  F32 x = a.f32(0, "x"), dy = a.f32(1, "dy"), mean = a.f32(2, "mean"), var = a.f32(3, "variance");
  F32 scale = a.f32OrNull(4, "scale");
  float eps = (float)a.number(5, "eps");
  F32 dx = a.f32(6, "dx"), dmean = a.f32(7, "dmean"), dvar = a.f32(8, "dvar"), dscale = a.f32(9, "dscale"),
      doffset = a.f32(10, "doffset");
  if (!a.ok()) return a.env().Undefined();
  const int64_t c = mean.size;
  channels(a, x, c, "mean's size");
  a.require(c <= kMaxInt, "argument 2 (mean) is too long");
  a.size(dy, 1, "dy", x.size);
  perChannel(a, var, 3, "variance", c, false);
  perChannel(a, scale, 4, "scale", c, false);
  a.size(dx, 6, "dx", x.size);
  a.size(dmean, 7, "dmean", c);
  a.size(dvar, 8, "dvar", c);
  a.size(dscale, 9, "dscale", c);
  a.size(doffset, 10, "doffset", c);
  if (!a.ok()) return a.env().Undefined();
  batchNormGrad(x.data, dy.data, (long)x.size, (int)c, mean.data, var.data, scale.data, eps, dx.data, dmean.data,
                dvar.data, dscale.data, doffset.data);
  return a.env().Undefined();
}
// sgdStep(op, w, g, buf|null, wOut, bufOut|null, lr, momentum, weightDecay): one SGD update (kernels.h);
// buffers null for SGD_PLAIN only. Outputs may be their inputs.
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  Args a(info, "sgdStep", 9);
  int op = a.code(0, "op", SGD_COUNT);
  F32 w = a.f32(1, "w"), g = a.f32(2, "g"), buf = a.f32OrNull(3, "buf"), wOut = a.f32(4, "wOut"),
      bufOut = a.f32OrNull(5, "bufOut");
  float lr = (float)a.number(6, "lr"), momentum = (float)a.number(7, "momentum"),
        weightDecay = (float)a.number(8, "weightDecay");
  if (!a.ok()) return a.env().Undefined();
  a.size(g, 2, "g", w.size);
  a.size(wOut, 4, "wOut", w.size);
  if (op == SGD_PLAIN) {
    a.require(buf.null && bufOut.null, "arguments 3 (buf) and 5 (bufOut) must be null for plain SGD");
  } else {
    a.require(!buf.null && !bufOut.null, "arguments 3 (buf) and 5 (bufOut) must be Float32Arrays for momentum");
    a.size(buf, 3, "buf", w.size);
    a.size(bufOut, 5, "bufOut", w.size);
  }
  if (!a.ok()) return a.env().Undefined();
  sgdStep(op, w.data, g.data, buf.data, (long)w.size, lr, momentum, weightDecay, wOut.data, bufOut.data);
  return a.env().Undefined();
}
// adamStep(w, g, m, v, wOut, mOut, vOut, lr, beta1, beta2, epsilon, weightDecay, biasCorrection1, biasCorrection2):
// one Adam update (kernels.h). Outputs may be their inputs.
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  Args a(info, "adamStep", 14);
  F32 w = a.f32(0, "w"), g = a.f32(1, "g"), m = a.f32(2, "m"), v = a.f32(3, "v"), wOut = a.f32(4, "wOut"),
      mOut = a.f32(5, "mOut"), vOut = a.f32(6, "vOut");
  float lr = (float)a.number(7, "lr"), beta1 = (float)a.number(8, "beta1"), beta2 = (float)a.number(9, "beta2"),
        epsilon = (float)a.number(10, "epsilon"), weightDecay = (float)a.number(11, "weightDecay"),
        bc1 = (float)a.number(12, "biasCorrection1"), bc2 = (float)a.number(13, "biasCorrection2");
  if (!a.ok()) return a.env().Undefined();
  a.size(g, 1, "g", w.size);
  a.size(m, 2, "m", w.size);
  a.size(v, 3, "v", w.size);
  a.size(wOut, 4, "wOut", w.size);
  a.size(mOut, 5, "mOut", w.size);
  a.size(vOut, 6, "vOut", w.size);
  a.require(bc1 > 0 && bc1 <= 1 && bc2 > 0 && bc2 <= 1, "arguments 12 and 13 (bias corrections) must be in (0, 1]");
  if (!a.ok()) return a.env().Undefined();
  adamStep(w.data, g.data, m.data, v.data, (long)w.size, lr, beta1, beta2, epsilon, weightDecay, bc1, bc2, wOut.data,
           mOut.data, vOut.data);
  return a.env().Undefined();
}
// dropout(x, y, rate, seed): y = x * the inverted-dropout mask of mulberry32 stream `seed` (kernels.h).
Napi::Value Dropout(const Napi::CallbackInfo& info) {
  Args a(info, "dropout", 4);
  F32 x = a.f32(0, "x"), y = a.f32(1, "y");
  double rate = a.number(2, "rate");
  int64_t seed = a.integer(3, "seed", 0, 4294967295LL);
  if (!a.ok()) return a.env().Undefined();
  a.require(rate >= 0 && rate < 1, "argument 2 (rate) must be in [0, 1)");
  a.size(y, 1, "y", x.size);
  if (!a.ok()) return a.env().Undefined();
  dropout(x.data, (long)x.size, rate, (uint32_t)seed, y.data);
  return a.env().Undefined();
}
// reluBiasGrad(dy, y, dz, dbias): dz = dy * step(y); dbias = dz summed over all but the last axis, whose
// size is dbias's (kernels.h).
Napi::Value ReluBiasGrad(const Napi::CallbackInfo& info) {
  Args a(info, "reluBiasGrad", 4);
  F32 dy = a.f32(0, "dy"), y = a.f32(1, "y"), dz = a.f32(2, "dz"), dbias = a.f32(3, "dbias");
  if (!a.ok()) return a.env().Undefined();
  a.require(dbias.size > 0 && dy.size % dbias.size == 0, "argument 3 (dbias) must divide dy's size");
  a.size(y, 1, "y", dy.size);
  a.size(dz, 2, "dz", dy.size);
  if (!a.ok()) return a.env().Undefined();
  reluBiasGrad(dy.data, y.data, (long)(dy.size / dbias.size), (long)dbias.size, dz.data, dbias.data);
  return a.env().Undefined();
}
// batchNormTrain(x, scale|null, offset|null, eps, y, mean, variance, relu)
Napi::Value BatchNormTrain(const Napi::CallbackInfo& info) {
  Args a(info, "batchNormTrain", 8);
  F32 x = a.f32(0, "x"), scale = a.f32OrNull(1, "scale"), offset = a.f32OrNull(2, "offset");
  float eps = (float)a.number(3, "eps");
  F32 y = a.f32(4, "y"), mean = a.f32(5, "mean"), var = a.f32(6, "variance");
  if (!a.ok()) return a.env().Undefined();
  const int64_t c = mean.size;
  channels(a, x, c, "mean's size");
  a.require(c <= kMaxInt, "argument 5 (mean) is too long");
  perChannel(a, scale, 1, "scale", c, false);
  perChannel(a, offset, 2, "offset", c, false);
  a.size(y, 4, "y", x.size);
  a.size(var, 6, "variance", c);
  if (!a.ok()) return a.env().Undefined();
  const bool relu = a.number(7, "relu") != 0;
  if (!a.ok()) return a.env().Undefined();
  batchNormTrain(x.data, (long)x.size, (int)c, scale.data, offset.data, eps, y.data, mean.data, var.data, relu);
  return a.env().Undefined();
}
// batchNormTrainGrad(x, dy, mean, variance, scale|null, eps, dmean|null, dvariance|null, dx, dscale, doffset,
// reluOut|null)
Napi::Value BatchNormTrainGrad(const Napi::CallbackInfo& info) {
  Args a(info, "batchNormTrainGrad", 12);
  F32 x = a.f32(0, "x"), dy = a.f32(1, "dy"), mean = a.f32(2, "mean"), var = a.f32(3, "variance");
  F32 scale = a.f32OrNull(4, "scale");
  float eps = (float)a.number(5, "eps");
  F32 dmean = a.f32OrNull(6, "dmean"), dvar = a.f32OrNull(7, "dvariance");
  F32 dx = a.f32(8, "dx"), dscale = a.f32(9, "dscale"), doffset = a.f32(10, "doffset");
  F32 reluOut = a.f32OrNull(11, "reluOut");
  if (!a.ok()) return a.env().Undefined();
  const int64_t c = mean.size;
  channels(a, x, c, "mean's size");
  a.require(c <= kMaxInt, "argument 2 (mean) is too long");
  if (reluOut.data) a.size(reluOut, 11, "reluOut", x.size);
  a.size(dy, 1, "dy", x.size);
  perChannel(a, var, 3, "variance", c, false);
  perChannel(a, scale, 4, "scale", c, false);
  perChannel(a, dmean, 6, "dmean", c, false);
  perChannel(a, dvar, 7, "dvariance", c, false);
  a.size(dx, 8, "dx", x.size);
  a.size(dscale, 9, "dscale", c);
  a.size(doffset, 10, "doffset", c);
  if (!a.ok()) return a.env().Undefined();
  batchNormTrainGrad(x.data, dy.data, (long)x.size, (int)c, mean.data, var.data, scale.data, eps, dmean.data, dvar.data,
                     dx.data, dscale.data, doffset.data, reluOut.data);
  return a.env().Undefined();
}
// tile(x, y, meta Int32Array[rank, xShape.., reps..]), rank 1..8
Napi::Value Tile(const Napi::CallbackInfo& info) {
  Args a(info, "tile", 3);
  F32 x = a.f32(0, "x"), y = a.f32(1, "y");
  I32 meta = a.i32(2, "meta");
  if (!a.ok()) return a.env().Undefined();
  const int32_t* m = meta.data;
  const int rank = meta.size > 0 ? m[0] : 0;
  a.require(rank >= 1 && rank <= 8 && meta.size == 1 + 2 * (int64_t)rank, "argument 2 (meta) must be [rank 1..8, shape, reps]");
  if (!a.ok()) return a.env().Undefined();
  int64_t xs = 1, ys = 1;
  bool nonNegative = true;
  for (int d = 0; d < rank; d++) {
    nonNegative = nonNegative && m[1 + d] >= 0 && m[1 + rank + d] >= 0;
    xs = product({xs, m[1 + d]});
    ys = product({ys, m[1 + d], m[1 + rank + d]});
  }
  a.require(nonNegative, "argument 2 (meta) must hold sizes and reps >= 0");
  a.size(x, 0, "x", xs);
  a.size(y, 1, "y", ys);
  if (!a.ok()) return a.env().Undefined();
  tile(rank, m + 1, m + 1 + rank, x.data, y.data);
  return a.env().Undefined();
}
// setThreads(n), n >= 1
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Args a(info, "setThreads", 1);
  int n = (int)a.integer(0, "n", 1, 1024);
  if (!a.ok()) return a.env().Undefined();
  setThreads(n);  // OpenMP only: OpenBLAS stays single-threaded (see matmul.cc)
  return a.env().Undefined();
}
Napi::Value Threads(const Napi::CallbackInfo& info) {
  Args a(info, "threads", 0);
  if (!a.ok()) return a.env().Undefined();
  return Napi::Number::New(a.env(), threads());
}

// The op codes JS passes to unary, binary, reduce, the fused activations and sgdStep, keyed by the
// tfjs kernel (or activation, or SGD variant) name they implement; frozen, so kernels/ cannot drift from kernels.h.
Napi::Object Codes(Napi::Env env, std::initializer_list<std::pair<const char*, int>> entries) {
  Napi::Object o = Napi::Object::New(env);
  for (const auto& [name, code] : entries) o.Set(name, Napi::Number::New(env, code));
  o.Freeze();
  return o;
}
Napi::Object OpCodes(Napi::Env env) {
  Napi::Object ops = Napi::Object::New(env);
  ops.Set("activation", Codes(env, {{"linear", ACT_LINEAR}, {"relu", ACT_RELU}, {"relu6", ACT_RELU6},
                                    {"sigmoid", ACT_SIGMOID}, {"leakyrelu", ACT_LEAKYRELU}}));
  ops.Set("unary", Codes(env, {{"Relu", U_RELU}, {"Relu6", U_RELU6}, {"Step", U_STEP}, {"Neg", U_NEG}, {"Exp", U_EXP},
                               {"Log", U_LOG}, {"Sqrt", U_SQRT}, {"Rsqrt", U_RSQRT}, {"Square", U_SQUARE},
                               {"Sigmoid", U_SIGMOID}, {"Tanh", U_TANH}, {"Abs", U_ABS}, {"Reciprocal", U_RECIPROCAL},
                               {"LeakyRelu", U_LEAKYRELU}, {"Elu", U_ELU}}));
  // ReluGrad is no tfjs kernel: kernels/elementwise.ts registers it under gradients.ts's RELU_GRAD name.
  ops.Set("binary", Codes(env, {{"Add", B_ADD}, {"Sub", B_SUB}, {"Multiply", B_MUL}, {"RealDiv", B_DIV},
                                {"Maximum", B_MAX}, {"Minimum", B_MIN}, {"SquaredDifference", B_SQDIFF},
                                {"ReluGrad", B_RELU_GRAD}}));
  ops.Set("reduce", Codes(env, {{"Sum", R_SUM}, {"Max", R_MAX}, {"Min", R_MIN}, {"Mean", R_MEAN}}));
  ops.Set("sgd", Codes(env, {{"plain", SGD_PLAIN}, {"momentum", SGD_MOMENTUM}, {"nesterov", SGD_NESTEROV}}));
  ops.Freeze();
  return ops;
}

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
  exports.Set("sgdStep", Napi::Function::New(env, SgdStep));
  exports.Set("adamStep", Napi::Function::New(env, AdamStep));
  exports.Set("batchNormTrain", Napi::Function::New(env, BatchNormTrain));
  exports.Set("batchNormTrainGrad", Napi::Function::New(env, BatchNormTrainGrad));
  exports.Set("dropout", Napi::Function::New(env, Dropout));
  exports.Set("reluBiasGrad", Napi::Function::New(env, ReluBiasGrad));
  exports.Set("tile", Napi::Function::New(env, Tile));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("ops", OpCodes(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(labnative, Init)

// tfjs kernel functions backed by the C++ addon. Each handles the float32 NHWC cases the
// addon implements and hands anything else (other dtypes, NCHW, odd broadcasts) to tfjs's own
// cpu kernel, so the engine is always complete and never wrong by omission.
import * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { NativeAddon } from "./addon";
import { BATCH_NORM_GRAD, BROADCAST_SCALE, RELU_GRAD } from "./gradients";
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from "../fused-ops";
import { SCALED_ADD } from "./optimizer-updates";

type TensorInfo = tf.TensorInfo;
interface Args {
  inputs: Record<string, TensorInfo>;
  backend: MathBackendCPU;
  attrs?: tf.NamedAttrMap;
}
type KernelFunc = (args: Args) => TensorInfo | TensorInfo[];

const { backend_util, util } = tf;

// Codes shared with kernels.h.
const ACT: Record<string, number> = { linear: 0, relu: 1, relu6: 2, sigmoid: 3, leakyrelu: 4 };
const UNARY: Record<string, number> = {
  Relu: 0, Relu6: 1, Step: 2, Neg: 3, Exp: 4, Log: 5, Sqrt: 6, Rsqrt: 7, Square: 8, Sigmoid: 9, Tanh: 10, Abs: 11,
  Reciprocal: 12, LeakyRelu: 13, Elu: 14,
};
const BINARY: Record<string, number> = {
  Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6, [RELU_GRAD]: 7,
};
const REDUCE: Record<string, number> = { Sum: 0, Max: 1, Min: 2, Mean: 3 };

/** The float32 values behind a tensor, or undefined when native code cannot take it. */
function f32(backend: MathBackendCPU, t: TensorInfo | undefined): Float32Array | undefined {
  if (t === undefined || t.dtype !== "float32") return undefined;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : undefined;
}

function out(backend: MathBackendCPU, shape: number[], values: Float32Array): TensorInfo {
  return backend.makeTensorInfo(shape, "float32", values);
}

function sizeOf(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function sameShape(p: number[], q: number[]): boolean {
  if (p.length !== q.length) return false;
  for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) return false;
  return true;
}

/** [rank, out shape.., a strides.., b strides..] in output coordinates (0 where an input broadcasts). */
function broadcastMeta(shape: number[], aShape: number[], bShape: number[]): Int32Array {
  const rank = Math.max(shape.length, 1);
  const meta = new Int32Array(1 + 3 * rank);
  meta[0] = rank;
  const fill = (inShape: number[], at: number) => {
    let stride = 1;
    for (let d = rank - 1, i = inShape.length - 1; d >= 0; d--, i--) {
      const dim = i >= 0 ? inShape[i] : 1;
      meta[at + d] = dim === 1 ? 0 : stride;
      stride *= dim;
    }
  };
  for (let d = 0; d < rank; d++) meta[1 + d] = shape.length ? shape[d] : 1;
  fill(aShape, 1 + rank);
  fill(bShape, 1 + 2 * rank);
  return meta;
}

/** [n, h, w, cin, kh, kw, cout, oh, ow, sh, sw, padTop, padLeft, dh, dw] as conv.cc reads it. */
function geom(c: tf.backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.filterHeight, c.filterWidth, c.outChannels,
    c.outHeight, c.outWidth, c.strideHeight, c.strideWidth, c.padInfo.top, c.padInfo.left,
    c.dilationHeight, c.dilationWidth,
  );
}

function channelsLast(dataFormat: unknown): boolean {
  return dataFormat === undefined || dataFormat === "NHWC";
}

/** Builds the kernels; `cpu(name)` is tfjs's own kernel used as the fallback. */
export function nativeKernels(
  addon: NativeAddon,
  cpu: (name: string) => KernelFunc,
  alloc: (backend: MathBackendCPU, n: number) => Float32Array,
  defer: (backend: MathBackendCPU, shape: number[], inputs: TensorInfo[], compute: () => Float32Array) => TensorInfo,
): Record<string, KernelFunc> {
  const kernels: Record<string, KernelFunc> = {};

  // --- convolution ---------------------------------------------------------------------------
  function conv(args: Args, fused: boolean): TensorInfo | TensorInfo[] {
    const { backend } = args;
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const a = args.attrs as unknown as tf.FusedConv2DAttrs;
    const xv = f32(backend, x), fv = f32(backend, filter);
    const act = fused ? ACT[a.activation ?? "linear"] : 0;
    const bv = bias ? f32(backend, bias) : null;
    const ok = xv && fv && channelsLast(a.dataFormat) && act !== undefined && !preluActivationWeights &&
      bv !== undefined && (bv === null || bv.length === filter.shape[3] || bv.length === 1);
    if (!ok) return cpu(fused ? "FusedConv2D" : "Conv2D")(args);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      a.strides, a.dilations, a.pad, a.dimRoundingMode, false, "channelsLast");
    const y = alloc(backend, sizeOf(info.outShape));
    addon.conv2d(xv, fv, bv, y, geom(info), act, a.leakyreluAlpha ?? 0.2);
    return out(backend, info.outShape, y);
  }
  kernels.Conv2D = (args) => conv(args, false);
  kernels.FusedConv2D = (args) => conv(args, true);

  kernels.Conv2DBackpropFilter = (args) => {
    const { backend } = args;
    const { x, dy } = args.inputs;
    const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const xv = f32(backend, x), dyv = f32(backend, dy);
    if (!xv || !dyv || !channelsLast(a.dataFormat)) return cpu("Conv2DBackpropFilter")(args);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false,
      "channelsLast");
    const df = alloc(backend, sizeOf(a.filterShape));
    addon.conv2dBackpropFilter(xv, dyv, df, geom(info));
    return out(backend, a.filterShape, df);
  };

  kernels.Conv2DBackpropInput = (args) => {
    const { backend } = args;
    const { dy, filter } = args.inputs;
    const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const dyv = f32(backend, dy), fv = f32(backend, filter);
    if (!dyv || !fv || !channelsLast(a.dataFormat)) return cpu("Conv2DBackpropInput")(args);
    const info = backend_util.computeConv2DInfo(
      a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode,
      false, "channelsLast");
    // Deferred: for a model's first layer nothing ever reads it (see NativeBackend.deferred).
    return defer(backend, a.inputShape, [dy, filter], () => {
      const dx = alloc(backend, sizeOf(a.inputShape));
      addon.conv2dBackpropInput(dyv, fv, dx, geom(info));
      return dx;
    });
  };

  // --- pooling -------------------------------------------------------------------------------
  function poolInfo(shape: number[], a: tf.MaxPoolAttrs): tf.backend_util.Conv2DInfo {
    return backend_util.computePool2DInfo(
      shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  }
  const forwardPool = (name: "MaxPool" | "AvgPool"): KernelFunc => (args) => {
    const { backend } = args;
    const { x } = args.inputs;
    const xv = f32(backend, x);
    if (!xv || x.shape.length !== 4) return cpu(name)(args);
    const info = poolInfo(x.shape, args.attrs as unknown as tf.MaxPoolAttrs);
    const y = alloc(backend, sizeOf(info.outShape));
    (name === "MaxPool" ? addon.maxPool : addon.avgPool)(xv, y, geom(info));
    return out(backend, info.outShape, y);
  };
  kernels.MaxPool = forwardPool("MaxPool");
  kernels.AvgPool = forwardPool("AvgPool");

  kernels.MaxPoolGrad = (args) => {
    const { backend } = args;
    const { dy, input, output } = args.inputs;
    const dyv = f32(backend, dy), xv = f32(backend, input);
    if (!dyv || !xv || input.shape.length !== 4) return cpu("MaxPoolGrad")(args);
    const info = poolInfo(input.shape, args.attrs as unknown as tf.MaxPoolAttrs);
    const dx = alloc(backend, xv.length);
    // The forward output locates each window's maximum without searching for it again.
    const yv = output ? f32(backend, output) ?? null : null;
    addon.maxPoolGrad(xv, dyv, dx, geom(info), yv && yv.length === dyv.length ? yv : null);
    return out(backend, input.shape, dx);
  };

  kernels.AvgPoolGrad = (args) => {
    const { backend } = args;
    const { dy, input } = args.inputs;
    const dyv = f32(backend, dy);
    if (!dyv || input.dtype !== "float32" || input.shape.length !== 4) return cpu("AvgPoolGrad")(args);
    const info = poolInfo(input.shape, args.attrs as unknown as tf.MaxPoolAttrs);
    const dx = alloc(backend, sizeOf(input.shape));
    addon.avgPoolGrad(dyv, dx, geom(info));
    return out(backend, input.shape, dx);
  };

  // --- matrix products -----------------------------------------------------------------------
  function matmul(args: Args, fused: boolean): TensorInfo | TensorInfo[] {
    const { backend } = args;
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const at = args.attrs as unknown as tf._FusedMatMulAttrs;
    const name = fused ? "_FusedMatMul" : "BatchMatMul";
    const av = f32(backend, a), bv = f32(backend, b);
    const act = fused ? ACT[at.activation ?? "linear"] : 0;
    const biasv = bias ? f32(backend, bias) : null;
    if (!av || !bv || act === undefined || preluActivationWeights || biasv === undefined) return cpu(name)(args);
    const ra = a.shape.length, rb = b.shape.length;
    const m = at.transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = at.transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = at.transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = at.transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
    const batchA = sizeOf(outerA), batchB = sizeOf(outerB);
    const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
    if (k !== kb || !(sameOuter || batchA === 1 || batchB === 1)) return cpu(name)(args);
    if (biasv && biasv.length !== n && biasv.length !== 1) return cpu(name)(args);
    const outer = backend_util.assertAndGetBroadcastShape(outerA, outerB);
    const batch = Math.max(batchA, batchB);
    const y = alloc(backend, batch * m * n);
    const dims = Int32Array.of(batch, m, n, k, at.transposeA ? 1 : 0, at.transposeB ? 1 : 0,
      batchA === 1 ? 1 : 0, batchB === 1 ? 1 : 0);
    addon.matmul(av, bv, y, dims, biasv, act, at.leakyreluAlpha ?? 0.2);
    return out(backend, [...outer, m, n], y);
  }
  kernels.BatchMatMul = (args) => matmul(args, false);
  kernels._FusedMatMul = (args) => matmul(args, true);

  // --- elementwise ---------------------------------------------------------------------------
  for (const [name, op] of Object.entries(UNARY)) {
    kernels[name] = (args) => {
      const { backend } = args;
      const { x } = args.inputs;
      const xv = f32(backend, x);
      if (!xv) return cpu(name)(args);
      const alpha = (args.attrs?.alpha as number | undefined) ?? (name === "LeakyRelu" ? 0.2 : 0);
      const y = alloc(backend, xv.length);
      addon.unary(op, xv, y, alpha);
      return out(backend, x.shape, y);
    };
  }

  for (const [name, op] of Object.entries(BINARY)) {
    kernels[name] = (args) => {
      const { backend } = args;
      const { a, b } = args.inputs;
      const av = f32(backend, a), bv = f32(backend, b);
      if (!av || !bv) return cpu(name)(args);
      // Same shapes, or a scalar on one side: a flat loop (the common cases, kept cheap in JS).
      let shape: number[];
      let meta: Int32Array;
      if (sameShape(a.shape, b.shape) || (bv.length === 1 && b.shape.length <= a.shape.length)) {
        shape = a.shape;
        meta = Int32Array.of(1, av.length, 1, 1);
      } else if (av.length === 1 && a.shape.length <= b.shape.length) {
        shape = b.shape;
        meta = Int32Array.of(1, bv.length, 1, 1);
      } else {
        shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
        meta = broadcastMeta(shape, a.shape, b.shape);
      }
      const y = alloc(backend, sizeOf(shape));
      addon.binary(op, av, bv, y, meta);
      return out(backend, shape, y);
    };
  }

  // --- alpha * a + beta * b (SGD and momentum updates, optimizer-updates.ts) -----------------
  kernels[SCALED_ADD] = (args) => {
    const { backend } = args;
    const { a, b } = args.inputs;
    const { alpha, beta } = args.attrs as unknown as { alpha: number; beta: number };
    const av = f32(backend, a), bv = f32(backend, b);
    if (!av || !bv || av.length !== bv.length) throw new Error(`${SCALED_ADD}: float32 inputs of one size expected`);
    const y = alloc(backend, av.length);
    addon.scaledAdd(av, alpha, bv, beta, y);
    return out(backend, a.shape, y);
  };

  // --- reductions ----------------------------------------------------------------------------
  for (const [name, op] of Object.entries(REDUCE)) {
    kernels[name] = (args) => {
      const { backend } = args;
      const { x } = args.inputs;
      const xv = f32(backend, x);
      const attrs = args.attrs as unknown as tf.SumAttrs;
      if (!xv) return cpu(name)(args);
      // Max names its axes reductionIndices; Sum, Mean and Min name them axis.
      const axis = (attrs.axis ?? (args.attrs as unknown as tf.MaxAttrs).reductionIndices) as number | number[];
      const axes = [...new Set(util.parseAxisParam(axis, x.shape))].sort((p, q) => p - q);
      if (axes.length === 0) return cpu(name)(args);
      const first = axes[0], last = axes[axes.length - 1];
      // Native when the reduced axes form one block (size-1 axes inside it do not matter).
      for (let d = first; d <= last; d++) if (!axes.includes(d) && x.shape[d] !== 1) return cpu(name)(args);
      const outer = sizeOf(x.shape.slice(0, first));
      const inner = sizeOf(x.shape.slice(last + 1));
      const red = xv.length / Math.max(1, outer * inner);
      const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
      const y = alloc(backend, outer * inner);
      if (xv.length === 0) return cpu(name)(args);
      addon.reduce(op, xv, y, outer, red, inner);
      const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
      return out(backend, shape, y);
    };
  }

  // --- gather (model.fit slices every batch out of the data with it) ------------------------
  kernels.GatherV2 = (args) => {
    const { backend } = args;
    const { x, indices } = args.inputs;
    // float32 data and int32 labels (tf.oneHot's default dtype) alike: rows are copied as they are.
    const xv = x.dtype === "float32" || x.dtype === "int32" ? backend.data.get(x.dataId).values : undefined;
    const attrs = args.attrs as unknown as tf.GatherV2Attrs;
    const iv = backend.data.get(indices.dataId).values;
    const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
    const typed = xv instanceof Float32Array || xv instanceof Int32Array;
    if (!typed || axis !== 0 || (attrs.batchDims ?? 0) !== 0 || !(iv instanceof Int32Array || iv instanceof Float32Array)) {
      return cpu("GatherV2")(args);
    }
    // Whole rows: one typed-array copy each.
    const rows = x.shape[0], row = rows === 0 ? 0 : xv.length / rows;
    const y = xv instanceof Float32Array ? alloc(backend, iv.length * row) : new Int32Array(iv.length * row);
    for (let i = 0; i < iv.length; i++) {
      const r = iv[i];
      if (!(r >= 0 && r < rows)) return cpu("GatherV2")(args);
      // Short rows (labels): a subarray per row would cost more than copying its few values.
      if (row < 64) for (let j = 0; j < row; j++) y[i * row + j] = xv[r * row + j];
      else y.set(xv.subarray(r * row, (r + 1) * row), i * row);
    }
    return backend.makeTensorInfo([...indices.shape, ...x.shape.slice(1)], x.dtype, y);
  };

  // --- softmax over the last axis (tfjs's cpu kernel runs five sub-kernels for it) ----------
  kernels.Softmax = (args) => {
    const { backend } = args;
    const { logits } = args.inputs;
    const xv = f32(backend, logits);
    const rank = logits.shape.length;
    const dim = (args.attrs as unknown as tf.SoftmaxAttrs).dim;
    if (!xv || rank === 0 || (dim !== -1 && dim !== rank - 1)) return cpu("Softmax")(args);
    const width = logits.shape[rank - 1];
    const y = alloc(backend, xv.length);
    for (let r = 0; r < xv.length; r += width) {
      let max = -Infinity;
      for (let j = r; j < r + width; j++) if (xv[j] > max) max = xv[j];
      let sum = 0;
      for (let j = r; j < r + width; j++) sum += (y[j] = Math.exp(xv[j] - max));
      for (let j = r; j < r + width; j++) y[j] /= sum;
    }
    return out(backend, logits.shape, y);
  };

  // --- tile (tfjs's batch-norm gradient tiles per-channel factors to the input's shape) -------
  kernels.Tile = (args) => {
    const { backend } = args;
    const { x } = args.inputs;
    const reps = (args.attrs as unknown as tf.TileAttrs).reps;
    const xv = f32(backend, x);
    if (!xv || x.shape.length === 0 || x.shape.length > 8 || reps.length !== x.shape.length) return cpu("Tile")(args);
    const rank = x.shape.length;
    const meta = Int32Array.from([rank, ...x.shape, ...reps]);
    const shape = x.shape.map((d, i) => d * reps[i]);
    const y = alloc(backend, sizeOf(shape));
    addon.tile(xv, y, meta);
    return out(backend, shape, y);
  };

  // --- batch norm ----------------------------------------------------------------------------
  kernels.FusedBatchNorm = (args) => {
    const { backend } = args;
    const { x, mean, variance, offset, scale } = args.inputs;
    const xv = f32(backend, x), mv = f32(backend, mean), vv = f32(backend, variance);
    const ov = offset ? f32(backend, offset) : null, sv = scale ? f32(backend, scale) : null;
    const c = x.shape[x.shape.length - 1] ?? 1;
    const fits = (v: Float32Array | null | undefined) => v === null || (v !== undefined && (v.length === c || v.length === 1));
    if (!xv || !mv || !vv || ov === undefined || sv === undefined || !fits(mv) || !fits(vv) || !fits(ov) || !fits(sv)) {
      return cpu("FusedBatchNorm")(args);
    }
    const eps = (args.attrs?.varianceEpsilon as number | undefined) ?? 0.001;
    const y = alloc(backend, xv.length);
    addon.batchNorm(xv, mv, vv, ov, sv, y, eps, c);
    return out(backend, x.shape, y);
  };

  // --- batch-norm gradients in one pass (used by gradients.ts; labnative only) ------------------
  kernels[BATCH_NORM_GRAD] = (args) => {
    const { backend } = args;
    const { x, dy, mean, variance, scale } = args.inputs;
    const xv = f32(backend, x), dyv = f32(backend, dy), mv = f32(backend, mean), vv = f32(backend, variance);
    const sv = scale ? f32(backend, scale) ?? null : null;
    if (!xv || !dyv || !mv || !vv) throw new Error(`${BATCH_NORM_GRAD}: float32 inputs expected`);
    const c = mv.length;
    const eps = (args.attrs?.varianceEpsilon as number | undefined) ?? 0.001;
    const dx = alloc(backend, xv.length);
    const per = () => new Float32Array(c);
    const [dmean, dvar, dscale, doffset] = [per(), per(), per(), per()];
    addon.batchNormGrad(xv, dyv, mv, vv, sv, eps, dx, dmean, dvar, dscale, doffset);
    return [out(backend, x.shape, dx), ...[dmean, dvar, dscale, doffset].map((v) => out(backend, [c], v))];
  };

  // --- training-mode batch norm, batch moments included (fused-ops.ts; labnative only) ---------
  const perChannel = (backend: MathBackendCPU, t: TensorInfo | undefined, c: number, what: string) => {
    if (t === undefined) return null;
    const v = f32(backend, t);
    if (!v || v.length !== c) throw new Error(`${what}: float32 [${c}] expected`);
    return v;
  };
  kernels[BATCH_NORM_TRAIN] = (args) => {
    const { backend } = args;
    const { x, scale, offset } = args.inputs;
    const xv = f32(backend, x);
    const c = x.shape[x.shape.length - 1];
    if (!xv || x.shape.length < 2 || xv.length === 0) throw new Error(`${BATCH_NORM_TRAIN}: float32 input of rank >= 2 expected`);
    const sv = perChannel(backend, scale, c, BATCH_NORM_TRAIN), ov = perChannel(backend, offset, c, BATCH_NORM_TRAIN);
    const eps = args.attrs?.varianceEpsilon as number;
    const y = alloc(backend, xv.length);
    const mean = new Float32Array(c), variance = new Float32Array(c);
    addon.batchNormTrain(xv, sv, ov, eps, y, mean, variance);
    return [out(backend, x.shape, y), out(backend, [c], mean), out(backend, [c], variance)];
  };
  kernels[BATCH_NORM_TRAIN_GRAD] = (args) => {
    const { backend } = args;
    const { x, dy, mean, variance, scale, dmean, dvariance } = args.inputs;
    const xv = f32(backend, x), dyv = f32(backend, dy);
    const c = x.shape[x.shape.length - 1];
    if (!xv || !dyv || dyv.length !== xv.length) throw new Error(`${BATCH_NORM_TRAIN_GRAD}: float32 x and dy expected`);
    const [mv, vv] = [perChannel(backend, mean, c, BATCH_NORM_TRAIN_GRAD), perChannel(backend, variance, c, BATCH_NORM_TRAIN_GRAD)];
    if (!mv || !vv) throw new Error(`${BATCH_NORM_TRAIN_GRAD}: mean and variance expected`);
    const sv = perChannel(backend, scale, c, BATCH_NORM_TRAIN_GRAD);
    const eps = args.attrs?.varianceEpsilon as number;
    const dx = alloc(backend, xv.length);
    const dscale = new Float32Array(c), doffset = new Float32Array(c);
    addon.batchNormTrainGrad(xv, dyv, mv, vv, sv, eps, perChannel(backend, dmean, c, BATCH_NORM_TRAIN_GRAD),
      perChannel(backend, dvariance, c, BATCH_NORM_TRAIN_GRAD), dx, dscale, doffset);
    return [out(backend, x.shape, dx), out(backend, [c], dscale), out(backend, [c], doffset)];
  };

  // --- broadcast and scale (the mean's gradient; gradients.ts) --------------------------------
  kernels[BROADCAST_SCALE] = (args) => {
    const { backend } = args;
    const { x } = args.inputs;
    const { shape, expandedShape, scale } = args.attrs as unknown as { shape: number[]; expandedShape: number[]; scale: number };
    const xv = f32(backend, x);
    if (!xv) throw new Error(`${BROADCAST_SCALE}: float32 input expected`);
    const rank = Math.max(shape.length, 1);
    const meta = new Int32Array(1 + 3 * rank);  // b (the scale) has all-zero strides
    meta[0] = rank;
    let stride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      meta[1 + d] = shape.length ? shape[d] : 1;
      const dim = expandedShape.length ? expandedShape[d] : 1;
      meta[1 + rank + d] = dim === 1 ? 0 : stride;
      stride *= dim;
    }
    const y = alloc(backend, sizeOf(shape));
    addon.binary(BINARY.Multiply, xv, Float32Array.of(scale), y, meta);
    return out(backend, shape, y);
  };

  return kernels;
}

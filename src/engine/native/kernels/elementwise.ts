// Elementwise ops, reductions and tile (elementwise.cc). Op codes come from the addon (addon.ops),
// keyed by the tfjs kernel each implements.
import * as tf from "@tensorflow/tfjs";
import { BROADCAST_SCALE, RELU_GRAD } from "../gradients";
import { RELU_BIAS_GRAD } from "../../fused-ops";
import { backend_util, f32, out, sameShape, sizeOf, util, type KernelContext, type Kernels } from "./common";

/** Binary ops the addon has that are no tfjs kernel: their kernel names here. */
const LABNATIVE_BINARY: Record<string, string> = { ReluGrad: RELU_GRAD };

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

export function elementwiseKernels({ addon, cpu, alloc }: KernelContext): Kernels {
  const kernels: Kernels = {};
  const { unary, binary, reduce } = addon.ops;

  for (const [name, op] of Object.entries(unary)) {
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

  for (const [op, code] of Object.entries(binary)) {
    const name = LABNATIVE_BINARY[op] ?? op;
    kernels[name] = (args) => {
      const { backend } = args;
      const { a, b } = args.inputs;
      const av = f32(backend, a), bv = f32(backend, b);
      if (!av || !bv) return cpu(name)(args);
      // Same shapes, or a scalar on one side: a flat loop (the common cases, kept cheap in JS).
      // The scalar side gets stride 0, so the addon's bounds check sees where it really reads.
      let shape: number[];
      let meta: Int32Array;
      if (sameShape(a.shape, b.shape)) {
        shape = a.shape;
        meta = Int32Array.of(1, av.length, 1, 1);
      } else if (bv.length === 1 && b.shape.length <= a.shape.length) {
        shape = a.shape;
        meta = Int32Array.of(1, av.length, 1, 0);
      } else if (av.length === 1 && a.shape.length <= b.shape.length) {
        shape = b.shape;
        meta = Int32Array.of(1, bv.length, 0, 1);
      } else {
        shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
        meta = broadcastMeta(shape, a.shape, b.shape);
      }
      const y = alloc(backend, sizeOf(shape));
      addon.binary(code, av, bv, y, meta);
      return out(backend, shape, y);
    };
  }

  // A ReLU layer's activation and bias gradients in one pass (fused-ops.ts): [dz, dbias].
  kernels[RELU_BIAS_GRAD] = (args) => {
    const { backend } = args;
    const { dy, y } = args.inputs;
    const dyv = f32(backend, dy), yv = f32(backend, y);
    const channels = dy.shape[dy.shape.length - 1];
    if (!dyv || !yv || !sameShape(dy.shape, y.shape) || dy.shape.length < 2 || !(channels > 0)) {
      throw new Error(`${RELU_BIAS_GRAD}: float32 dy and y of one shape [..., channels] expected`);
    }
    const dz = alloc(backend, dyv.length);
    const dbias = alloc(backend, channels);
    addon.reluBiasGrad(dyv, yv, dz, dbias);
    return [out(backend, dy.shape, dz), out(backend, [channels], dbias)];
  };

  for (const [name, op] of Object.entries(reduce)) {
    kernels[name] = (args) => {
      const { backend } = args;
      const { x } = args.inputs;
      const xv = f32(backend, x);
      const attrs = args.attrs as unknown as tf.SumAttrs;
      if (!xv || xv.length === 0) return cpu(name)(args);
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
      addon.reduce(op, xv, y, outer, red, inner);
      const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
      return out(backend, shape, y);
    };
  }

  // tfjs's batch-norm gradient tiles per-channel factors to the input's shape.
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

  // Broadcast and scale: the mean's gradient (gradients.ts).
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
    addon.binary(binary.Multiply, xv, Float32Array.of(scale), y, meta);
    return out(backend, shape, y);
  };

  return kernels;
}

// Gradients that tfjs computes with many full-size kernels, done in fewer passes on labnative:
// - batch norm: ~25 kernels over the whole activation (sub, mul, tile, sum, ...) -> one pass;
// - mean (under every batch norm, in its moments): a JS-filled tensor of ones, a multiply and a
//   divide over the whole input -> one broadcast-and-scale pass;
// - relu (after nearly every layer): step, cast and multiply -> one pass.
// Gradients are registered per kernel for all backends, so each replacement checks the active
// backend and hands every other case to tfjs's own gradient.
import * as tf from "@tensorflow/tfjs";

export const BATCH_NORM_GRAD = "LabnativeBatchNormGrad";
/** y (of attrs.shape) = x broadcast from attrs.expandedShape, times attrs.scale. */
export const BROADCAST_SCALE = "LabnativeBroadcastScale";

/** dy * step(x) (inputs a = dy, b = x): the relu's gradient. */
export const RELU_GRAD = "LabnativeReluGrad";

const installed = new WeakSet<object>();

function perChannel(t: tf.Tensor | undefined, c: number): boolean {
  return t === undefined || (t.dtype === "float32" && t.rank === 1 && t.shape[0] === c);
}

/** A gradient function for the native backend: undefined for the cases it leaves to tfjs. */
type NativeGradFunc = (...args: Parameters<tf.GradFunc>) => ReturnType<tf.GradFunc> | undefined;

/**
 * Replaces kernelName's registered gradient (once) with `native` while backendName is active;
 * `native` returns undefined for the cases it does not take, which then get tfjs's own gradient.
 */
function replaceGradient(kernelName: string, backendName: string, native: NativeGradFunc): void {
  const original = tf.getGradient(kernelName);
  if (!original || installed.has(original)) return;
  const gradFunc: tf.GradFunc = (dy, saved, attrs) =>
    (tf.getBackend() === backendName ? native(dy, saved, attrs) : undefined) ?? original.gradFunc(dy, saved, attrs);
  const replacement = { ...original, gradFunc };
  installed.add(replacement);
  tf.registerGradient(replacement);
}

export function installBatchNormGradient(backendName: string): void {
  replaceGradient("FusedBatchNorm", backendName, (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as (tf.Tensor | undefined)[];
    const d = dy as tf.Tensor;
    const c = x ? x.shape[x.rank - 1] : -1;
    const native = x !== undefined && mean !== undefined && variance !== undefined &&
      x.dtype === "float32" && d.dtype === "float32" && x.size === d.size && x.rank >= 1 &&
      mean.dtype === "float32" && perChannel(mean, c) && perChannel(variance, c) && perChannel(scale, c);
    if (!native) return undefined;
    const inputs: tf.NamedTensorMap = { x, dy: d, mean, variance };
    if (scale) inputs.scale = scale;
    const [dx, dmean, dvariance, dscale, doffset] =
      tf.engine().runKernel(BATCH_NORM_GRAD, inputs, attrs) as unknown as tf.Tensor[];
    return { x: () => dx, mean: () => dmean, variance: () => dvariance, scale: () => dscale, offset: () => doffset };
  });
}

export function installMeanGradient(backendName: string): void {
  replaceGradient("Mean", backendName, (dy, saved, attrs) => {
    const [x] = saved;
    const d = dy as tf.Tensor;
    if (d.dtype !== "float32" || x === undefined) return undefined;
    const axes = tf.util.parseAxisParam((attrs as unknown as tf.MeanAttrs).axis, x.shape);
    const expandedShape = x.shape.map((size, i) => (axes.includes(i) ? 1 : size));
    const reduced = axes.reduce((n, axis) => n * x.shape[axis], 1);
    const kernelAttrs = { shape: x.shape, expandedShape, scale: 1 / reduced };
    return {
      x: () => tf.engine().runKernel(BROADCAST_SCALE, { x: d }, kernelAttrs as unknown as tf.NamedAttrMap) as tf.Tensor,
    };
  });
}

export function installReluGradient(backendName: string): void {
  replaceGradient("Relu", backendName, (dy, saved) => {
    const [x] = saved;
    const d = dy as tf.Tensor;
    if (d.dtype !== "float32" || x === undefined || x.dtype !== "float32" || d.size !== x.size) return undefined;
    return { x: () => tf.engine().runKernel(RELU_GRAD, { a: d, b: x }) as tf.Tensor };
  });
}

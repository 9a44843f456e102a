// tfjs's batch-norm gradient runs ~25 kernels over the whole activation (sub, mul, tile, sum,
// ...). On the labnative backend the same five gradients come from one native pass instead.
// Gradients are registered per kernel for all backends, so the replacement checks the active
// backend and hands every other case to tfjs's own gradient.
import * as tf from "@tensorflow/tfjs";

export const BATCH_NORM_GRAD = "LabnativeBatchNormGrad";

const installed = new WeakSet<object>();

function perChannel(t: tf.Tensor | undefined, c: number): boolean {
  return t === undefined || (t.dtype === "float32" && t.rank === 1 && t.shape[0] === c);
}

export function installBatchNormGradient(backendName: string): void {
  const original = tf.getGradient("FusedBatchNorm");
  if (!original || installed.has(original)) return;
  const gradFunc: tf.GradFunc = (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as (tf.Tensor | undefined)[];
    const d = dy as tf.Tensor;
    const c = x ? x.shape[x.rank - 1] : -1;
    const native = tf.getBackend() === backendName && x !== undefined && mean !== undefined && variance !== undefined &&
      x.dtype === "float32" && d.dtype === "float32" && x.size === d.size && x.rank >= 1 &&
      mean.dtype === "float32" && perChannel(mean, c) && perChannel(variance, c) && perChannel(scale, c);
    if (!native) return original.gradFunc(dy, saved, attrs);
    const inputs: tf.NamedTensorMap = { x, dy: d, mean, variance };
    if (scale) inputs.scale = scale;
    const [dx, dmean, dvariance, dscale, doffset] =
      tf.engine().runKernel(BATCH_NORM_GRAD, inputs, attrs) as unknown as tf.Tensor[];
    return { x: () => dx, mean: () => dmean, variance: () => dvariance, scale: () => dscale, offset: () => doffset };
  };
  const replacement = { ...original, gradFunc };
  installed.add(replacement);
  tf.registerGradient(replacement);
}

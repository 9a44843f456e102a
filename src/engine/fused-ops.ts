// Operations that the labnative engine runs as one kernel where tfjs would run many, for library
// code to call when that engine is active. Each returns undefined elsewhere, and the caller then
// builds the same result from ordinary tfjs ops. (No addon import here: this loads on any engine.)
import * as tf from "@tensorflow/tfjs";

/** Kernel: training-mode batch norm, batch moments included. Outputs [y, mean, variance]. */
export const BATCH_NORM_TRAIN = "LabnativeBatchNormTrain";
/** Kernel: its gradient. Outputs [dx, dscale, doffset]. */
export const BATCH_NORM_TRAIN_GRAD = "LabnativeBatchNormTrainGrad";

/**
 * Batch normalisation with the batch's own statistics over every axis but the last (the channels):
 * y = (x - mean) / sqrt(variance + epsilon) * scale + offset, variance biased (divided by the count).
 * Differentiable. Undefined unless the active engine implements it natively.
 *
 * @example
 * const fused = batchNormTraining(x, gamma, beta, 1e-5);
 * const { mean, variance } = fused ?? tf.moments(x, [0, 1, 2]);
 * const y = fused?.y ?? tf.batchNorm(x, mean, variance, beta, gamma, 1e-5);
 */
export function batchNormTraining(
  x: tf.Tensor, scale: tf.Tensor | undefined, offset: tf.Tensor | undefined, epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined {
  if (x.dtype !== "float32" || x.rank < 2 || x.size === 0 || !tf.getKernel(BATCH_NORM_TRAIN, tf.getBackend())) return undefined;
  // A scale is always passed: tfjs's tape cannot save a missing input for the gradient.
  const inputs: tf.NamedTensorMap = { x, scale: scale ?? tf.ones([x.shape[x.rank - 1]]) };
  if (offset) inputs.offset = offset;
  const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, inputs, { varianceEpsilon: epsilon }) as unknown as tf.Tensor[];
  return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** The gradient of BATCH_NORM_TRAIN, registered once for every backend that has the kernel. */
export function registerBatchNormTrainingGradient(): void {
  if (tf.getGradient(BATCH_NORM_TRAIN)) return;
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAIN,
    inputsToSave: ["x", "scale"],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dmean, dvariance] = dys as (tf.Tensor | null)[];
      const [x, scale, mean, variance] = saved;
      // All three from one kernel, computed here: tfjs asks for each inside its own tidy, which
      // would dispose the other two if the first request computed them.
      const inputs: tf.NamedTensorMap = { x, dy: dy ?? tf.zerosLike(x), mean, variance, scale };
      if (dmean) inputs.dmean = dmean;
      if (dvariance) inputs.dvariance = dvariance;
      const [dx, dscale, doffset] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, inputs, attrs as tf.NamedAttrMap) as unknown as tf.Tensor[];
      return { x: () => dx, scale: () => dscale, offset: () => doffset };
    },
  });
}

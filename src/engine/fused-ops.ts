// Operations that the labnative engine runs as one kernel where tfjs would run many, for library
// code to call when that engine is active. Each returns undefined elsewhere, and the caller then
// builds the same result from ordinary tfjs ops. (No addon import here: this loads on any engine.)
import * as tf from "@tensorflow/tfjs";

/**
 * Kernel: training-mode batch norm, batch moments included; attr relu (a ReLU layer folded in:
 * y = max(0, ...)). Outputs [y, mean, variance].
 */
export const BATCH_NORM_TRAIN = "LabnativeBatchNormTrain";
/** Kernel: its gradient; input y (the forward's output) only with a folded ReLU. Outputs [dx, dscale, doffset]. */
export const BATCH_NORM_TRAIN_GRAD = "LabnativeBatchNormTrainGrad";

/**
 * Batch normalisation with the batch's own statistics over every axis but the last (the channels):
 * y = (x - mean) / sqrt(variance + epsilon) * scale + offset, variance biased (divided by the count);
 * with `relu`, max(0, y): a ReLU layer after it, in the same kernel each way. Differentiable.
 * Undefined unless the active engine implements it natively.
 *
 * @example
 * const fused = batchNormTraining(x, gamma, beta, 1e-5);
 * const { mean, variance } = fused ?? tf.moments(x, [0, 1, 2]);
 * const y = fused?.y ?? tf.batchNorm(x, mean, variance, beta, gamma, 1e-5);
 */
export function batchNormTraining(
  x: tf.Tensor, scale: tf.Tensor | undefined, offset: tf.Tensor | undefined, epsilon: number, relu = false,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined {
  if (x.dtype !== "float32" || x.rank < 2 || x.size === 0 || !tf.getKernel(BATCH_NORM_TRAIN, tf.getBackend())) return undefined;
  // A scale is always passed: tfjs's tape cannot save a missing input for the gradient.
  const inputs: tf.NamedTensorMap = { x, scale: scale ?? tf.ones([x.shape[x.rank - 1]]) };
  if (offset) inputs.offset = offset;
  const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, inputs, { varianceEpsilon: epsilon, relu }) as unknown as tf.Tensor[];
  return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** The gradient of BATCH_NORM_TRAIN, registered once for every backend that has the kernel. */
export function registerBatchNormTrainingGradient(): void {
  if (tf.getGradient(BATCH_NORM_TRAIN)) return;
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAIN,
    inputsToSave: ["x", "scale"],
    // y is read back only below a folded ReLU (its mask); saving it costs a reference, not a copy.
    outputsToSave: [true, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dmean, dvariance] = dys as (tf.Tensor | null)[];
      const [x, scale, y, mean, variance] = saved;
      // All three from one kernel, computed here: tfjs asks for each inside its own tidy, which
      // would dispose the other two if the first request computed them.
      const inputs: tf.NamedTensorMap = { x, dy: dy ?? tf.zerosLike(x), mean, variance, scale };
      if (dmean) inputs.dmean = dmean;
      if (dvariance) inputs.dvariance = dvariance;
      if ((attrs as { relu?: boolean }).relu) inputs.y = y;
      const [dx, dscale, doffset] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, inputs, attrs as tf.NamedAttrMap) as unknown as tf.Tensor[];
      return { x: () => dx, scale: () => dscale, offset: () => doffset };
    },
  });
}

/** Kernel: act(conv2d(x, filter) + bias), NHWC, no dilation; attrs strides, pad and activation ("relu" or "linear"). */
export const CONV2D_BIAS_ACT = "LabnativeConv2DBiasAct";
/** Kernel: act(x · kernel + bias) for a 2-D x; attr activation ("relu" or "linear"). */
export const DENSE_BIAS_ACT = "LabnativeDenseBiasAct";
/** Kernel: their gradient below a ReLU. Inputs dy, y (the layer's output); outputs [dz, dbias]. */
export const RELU_BIAS_GRAD = "LabnativeReluBiasGrad";

/** The activations the fused layer kernels take. */
export type FusedActivation = "relu" | "linear";

// Why these exist: tfjs runs a layer's product, bias and ReLU as one fused kernel only when no
// gradient is being recorded; while training it runs the product, an add and a relu, and on the
// way back a relu gradient and a sum for the bias: four passes over the activation that labnative
// folds into the product's own (its epilogue) and one pass (RELU_BIAS_GRAD). Without an activation
// tfjs fuses the bias, but its gradient runs through a dozen reshapes and op wrappers per layer.
// They are kernels with registered gradients, not tf.customGrad functions, so tfjs asks only for
// the gradients it needs: a first layer's input gradient (a whole product) is never computed.

function nativeLayerKernels(...tensors: tf.Tensor[]): boolean {
  return tensors.every((t) => t.dtype === "float32" && t.size > 0) && !!tf.getKernel(RELU_BIAS_GRAD, tf.getBackend());
}

/**
 * act(conv2d(x, filter) + bias), NHWC, no dilation, differentiable in all three. Undefined unless
 * the active engine implements it natively (then use tf.fused.conv2d, which computes the same).
 *
 * @example
 * const y = conv2dBias(x, kernel, bias, [1, 1], "valid", "relu") ?? tf.fused.conv2d({ x, filter: kernel, bias, strides: [1, 1], pad: "valid", activation: "relu" });
 */
export function conv2dBias(
  x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, strides: [number, number], pad: "same" | "valid",
  activation: FusedActivation,
): tf.Tensor4D | undefined {
  if (x.rank !== 4 || filter.rank !== 4 || bias.rank !== 1 || !nativeLayerKernels(x, filter, bias)) return undefined;
  return tf.engine().runKernel(CONV2D_BIAS_ACT, { x, filter, bias }, { strides, pad, activation } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * act(x · kernel + bias) for x [batch, in], differentiable in all three. Undefined unless the
 * active engine implements it natively (then use tf.fused.matMul, which computes the same).
 *
 * @example
 * const y = denseBias(x, kernel, bias, "relu") ?? tf.fused.matMul({ a: x, b: kernel, bias, activation: "relu" });
 */
export function denseBias(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: FusedActivation): tf.Tensor2D | undefined {
  if (x.rank !== 2 || kernel.rank !== 2 || bias.rank !== 1 || !nativeLayerKernels(x, kernel, bias)) return undefined;
  return tf.engine().runKernel(DENSE_BIAS_ACT, { x, kernel, bias }, { activation }) as tf.Tensor2D;
}

/**
 * dz (the gradient below the activation) and dbias of one layer kernel, computed before tfjs asks
 * for any gradient (see batch norm's above): one pass for a ReLU, dy itself and its channel sums
 * without one.
 */
function activationBiasGradients(dy: tf.Tensor, y: tf.Tensor, activation: unknown): [tf.Tensor, tf.Tensor] {
  if (activation === "relu") return tf.engine().runKernel(RELU_BIAS_GRAD, { dy, y }) as unknown as [tf.Tensor, tf.Tensor];
  const axis = dy.shape.slice(0, -1).map((_, i) => i);
  return [dy, tf.engine().runKernel("Sum", { x: dy }, { axis, keepDims: false }) as tf.Tensor];
}

/** The gradients of CONV2D_BIAS_ACT and DENSE_BIAS_ACT, registered once for every backend that has them. */
export function registerLayerKernelGradients(): void {
  if (!tf.getGradient(CONV2D_BIAS_ACT)) {
    tf.registerGradient({
      kernelName: CONV2D_BIAS_ACT,
      inputsToSave: ["x", "filter"],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, filter, y] = saved;
        const { strides, pad, activation } = attrs as unknown as { strides: [number, number]; pad: string; activation: FusedActivation };
        const [dz, dbias] = activationBiasGradients(dy as tf.Tensor, y, activation);
        const conv = { strides, pad, dataFormat: "NHWC", dilations: [1, 1] };
        return {
          x: () => tf.engine().runKernel("Conv2DBackpropInput", { dy: dz, filter }, { ...conv, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
          filter: () => tf.engine().runKernel("Conv2DBackpropFilter", { x, dy: dz }, { ...conv, filterShape: filter.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
          bias: () => dbias,
        };
      },
    });
  }
  if (!tf.getGradient(DENSE_BIAS_ACT)) {
    tf.registerGradient({
      kernelName: DENSE_BIAS_ACT,
      inputsToSave: ["x", "kernel"],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, kernel, y] = saved as tf.Tensor2D[];
        const [dz, dbias] = activationBiasGradients(dy as tf.Tensor, y, (attrs as { activation?: unknown }).activation);
        return {
          x: () => tf.matMul(dz as tf.Tensor2D, kernel, false, true),
          kernel: () => tf.matMul(x, dz as tf.Tensor2D, true, false),
          bias: () => dbias,
        };
      },
    });
  }
}

/** Kernel: mean cross-entropy of int32 labels [n] under scores [n, classes]; attr fromLogits. A scalar. */
export const SPARSE_CROSS_ENTROPY = "LabnativeSparseCrossEntropy";
/** Kernel: its gradient. Inputs scores, labels and dy (the scalar's gradient); output dscores. */
export const SPARSE_CROSS_ENTROPY_GRAD = "LabnativeSparseCrossEntropyGrad";

// Why: tfjs's log-softmax, one-hot, product, sum, mean and negation are a dozen kernels forward and
// as many back, each a few microseconds of tfjs bookkeeping around a [batch, 10] array: on a small
// net's step (seed 000's LeNet) that bookkeeping cost more than its convolutions' arithmetic.

/**
 * Mean negative log-likelihood of integer labels under scores [n, classes]: of their log-softmax
 * when `fromLogits` (cross-entropy of logits), else of the scores themselves (log-probabilities).
 * A label outside [0, classes) adds 0, as a zero one-hot row does. Differentiable in the scores.
 * Undefined unless the active engine implements it natively; callers then compose tfjs's ops.
 *
 * @example
 * const loss = sparseCrossEntropy(logits, labels, true) ?? nllOf(tf.logSoftmax(logits), labels);
 */
export function sparseCrossEntropy(scores: tf.Tensor, labels: tf.Tensor, fromLogits: boolean): tf.Scalar | undefined {
  if (scores.dtype !== "float32" || scores.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== scores.shape[0]) return undefined;
  if (scores.size === 0 || !tf.getKernel(SPARSE_CROSS_ENTROPY, tf.getBackend())) return undefined;
  const indices = labels.dtype === "int32" ? labels : labels.cast("int32");
  return tf.engine().runKernel(SPARSE_CROSS_ENTROPY, { scores, labels: indices }, { fromLogits }) as tf.Scalar;
}

/** The gradient of SPARSE_CROSS_ENTROPY, registered once for every backend that has the kernel. */
export function registerSparseCrossEntropyGradient(): void {
  if (tf.getGradient(SPARSE_CROSS_ENTROPY)) return;
  tf.registerGradient({
    kernelName: SPARSE_CROSS_ENTROPY,
    inputsToSave: ["scores", "labels"],
    gradFunc: (dy, saved, attrs) => {
      const [scores, labels] = saved;
      return {
        scores: () => tf.engine().runKernel(SPARSE_CROSS_ENTROPY_GRAD, { scores, labels, dy: dy as tf.Tensor }, attrs as tf.NamedAttrMap) as tf.Tensor,
        labels: () => tf.zerosLike(labels),
      };
    },
  });
}

/** Kernel: log-softmax over the last axis of a 2-D float32 tensor. */
export const LOG_SOFTMAX = "LabnativeLogSoftmax";
/** Kernel: its gradient. Inputs dy and y (the log-softmax); output dx = dy - exp(y) * sum(dy) per row. */
export const LOG_SOFTMAX_GRAD = "LabnativeLogSoftmaxGrad";

/**
 * Log-softmax of x [n, classes] over the classes, differentiable; what tf.logSoftmax computes in
 * one kernel each way where tfjs runs six forward and four back. Undefined unless the active
 * engine implements it natively.
 *
 * @example
 * const y = logSoftmax(logits) ?? tf.logSoftmax(logits);
 */
export function logSoftmax(x: tf.Tensor): tf.Tensor2D | undefined {
  if (x.dtype !== "float32" || x.rank !== 2 || x.size === 0 || !tf.getKernel(LOG_SOFTMAX, tf.getBackend())) return undefined;
  return tf.engine().runKernel(LOG_SOFTMAX, { x }) as tf.Tensor2D;
}

/** The gradient of LOG_SOFTMAX, registered once for every backend that has the kernel. */
export function registerLogSoftmaxGradient(): void {
  if (tf.getGradient(LOG_SOFTMAX)) return;
  tf.registerGradient({
    kernelName: LOG_SOFTMAX,
    outputsToSave: [true],
    gradFunc: (dy, saved) => ({
      x: () => tf.engine().runKernel(LOG_SOFTMAX_GRAD, { dy: dy as tf.Tensor, y: saved[0] }) as tf.Tensor,
    }),
  });
}

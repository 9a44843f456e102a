// Classification losses, averaged over the batch as PyTorch's defaults (reduction="mean").
import * as tf from "@tensorflow/tfjs";

/** "nll": negative log-likelihood of log-probabilities (F.nll_loss); "crossEntropy": of logits (nn.CrossEntropyLoss). */
export type LossName = "nll" | "crossEntropy";

/**
 * Mean negative log-likelihood of integer labels under log-probabilities [n, classes].
 *
 * @example
 * nllLoss(tf.log(tf.tensor2d([[0.9, 0.1]])), tf.tensor1d([0], "int32")); // 0.105
 */
export function nllLoss(logProbabilities: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const classes = logProbabilities.shape[logProbabilities.shape.length - 1];
    const picked = logProbabilities.mul(tf.oneHot(labels.cast("int32") as tf.Tensor1D, classes)).sum(-1);
    return picked.mean().neg() as tf.Scalar;
  });
}

/**
 * Mean cross-entropy of integer labels under logits [n, classes] (log-softmax, then NLL).
 *
 * @example
 * crossEntropyLoss(tf.tensor2d([[2, 0]]), tf.tensor1d([0], "int32")); // 0.127
 */
export function crossEntropyLoss(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => nllLoss(tf.logSoftmax(logits), labels));
}

/**
 * The loss function for a name.
 *
 * @example
 * const loss = lossFunction("nll");
 */
export function lossFunction(name: LossName): (outputs: tf.Tensor, labels: tf.Tensor) => tf.Scalar {
  if (name === "nll") return nllLoss;
  if (name === "crossEntropy") return crossEntropyLoss;
  throw new Error(`invalid loss: ${name} (use "nll" for log-softmax outputs or "crossEntropy" for logits)`);
}

/**
 * The loss that fits a model's output: "nll" when its last layer is a log-softmax, else "crossEntropy".
 *
 * @example
 * lossForModel(convNet()); // "nll"
 */
export function lossForModel(model: tf.LayersModel): LossName {
  const last = model.layers[model.layers.length - 1];
  const activation = (last?.getConfig() as { activation?: string }).activation;
  if (activation === "softmax") {
    throw new Error(
      `the model ends in softmax (layer ${last.name}); end it in logSoftmax (for "nll") or in logits (for "crossEntropy") — probabilities make the loss numerically unstable`,
    );
  }
  return activation === "logSoftmax" ? "nll" : "crossEntropy";
}

// Classification losses, averaged over the batch as PyTorch's defaults (reduction="mean").
import * as tf from "@tensorflow/tfjs";
import { sparseCrossEntropy } from "../engine/fused-ops.js";

/**
 * "nll": negative log-likelihood of log-probabilities (F.nll_loss); "crossEntropy": of logits
 * (nn.CrossEntropyLoss); "hinge": the multiclass hinge loss of scores (nn.MultiMarginLoss, a linear SVM's loss).
 *
 * @example
 * await trainModel(linearSvm(), train, { epochs: 5, loss: "hinge" });
 */
export type LossName = "nll" | "crossEntropy" | "hinge";

/**
 * Mean negative log-likelihood of integer labels under log-probabilities [n, classes].
 *
 * @example
 * nllLoss(tf.log(tf.tensor2d([[0.9, 0.1]])), tf.tensor1d([0], "int32")); // 0.105
 */
export function nllLoss(logProbabilities: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const fused = sparseCrossEntropy(logProbabilities, labels, false);
    if (fused) return fused;
    const classes = logProbabilities.shape[logProbabilities.shape.length - 1];
    // Labels already int32 are used as they are, and the one-hot is made in the probabilities' dtype:
    // two casts fewer each step (and one in the gradient), the same values.
    const indices = (labels.dtype === "int32" ? labels : labels.cast("int32")) as tf.Tensor1D;
    const picked = logProbabilities.mul(tf.oneHot(indices, classes, 1, 0, logProbabilities.dtype)).sum(-1);
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
  return tf.tidy(() => sparseCrossEntropy(logits, labels, true) ?? nllLoss(tf.logSoftmax(logits), labels));
}

/**
 * Mean multiclass hinge loss of integer labels under scores [n, classes], exactly PyTorch's
 * `nn.MultiMarginLoss(p=1, margin=1)` (reduction "mean"): for each example with label y,
 * sum over classes i ≠ y of max(0, margin − x[y] + x[i]), divided by the number of classes, then
 * averaged over the batch. With a linear model (see linearSvm) this trains a multiclass linear SVM;
 * its L2 penalty is the optimiser's `weightDecay`.
 *
 * @example
 * multiMarginLoss(tf.tensor2d([[0.1, 0.2, 0.4, 0.8]]), tf.tensor1d([3], "int32")); // 0.325, as PyTorch's docs
 */
export function multiMarginLoss(scores: tf.Tensor, labels: tf.Tensor, margin = 1): tf.Scalar {
  if (!(margin >= 0)) throw new Error(`invalid margin: ${margin} (expected >= 0)`);
  return tf.tidy(() => {
    const [n, classes] = [scores.shape[0]!, scores.shape[scores.shape.length - 1]!];
    const target = tf.oneHot(labels.cast("int32") as tf.Tensor1D, classes);
    const own = scores.mul(target).sum(-1, true);
    // The label's own term (margin − x[y] + x[y] = margin) is left out, as PyTorch does.
    const violations = tf.relu(scores.sub(own).add(margin)).mul(tf.scalar(1).sub(target));
    return violations.sum().div(n * classes) as tf.Scalar;
  });
}

/**
 * The loss function for a name.
 *
 * @example
 * const loss = lossFunction("nll");
 * lossFunction("hinge")(scores, labels);   // nn.MultiMarginLoss()
 */
export function lossFunction(name: LossName): (outputs: tf.Tensor, labels: tf.Tensor) => tf.Scalar {
  if (name === "nll") return nllLoss;
  if (name === "crossEntropy") return crossEntropyLoss;
  if (name === "hinge") return (scores, labels) => multiMarginLoss(scores, labels);
  throw new Error(`invalid loss: ${name} (use "nll" for log-softmax outputs, "crossEntropy" for logits or "hinge" for SVM scores)`);
}

/**
 * The loss that fits a model's output: "nll" when its last layer is a log-softmax, "hinge" for a
 * linearSvm (a model named "linear_svm"), else "crossEntropy".
 *
 * @example
 * lossForModel(convNet());   // "nll"
 * lossForModel(linearSvm()); // "hinge"
 */
export function lossForModel(model: tf.LayersModel): LossName {
  if (model.name === "linear_svm") return "hinge";
  const last = model.layers[model.layers.length - 1];
  const activation = (last?.getConfig() as { activation?: string }).activation;
  if (activation === "softmax") {
    throw new Error(
      `the model ends in softmax (layer ${last.name}); end it in logSoftmax (for "nll") or in logits (for "crossEntropy") — probabilities make the loss numerically unstable`,
    );
  }
  return activation === "logSoftmax" ? "nll" : "crossEntropy";
}

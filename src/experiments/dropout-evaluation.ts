// Seed 004's three ways to evaluate a network trained with dropout:
//   (i)   "scaled": normal inference, dropout off (inverted dropout = weights scaled by keep rate);
//   (ii)  "beforeSoftmax": the average of N dropout-sampled pre-softmax outputs, then the arg-max;
//   (iii) "afterSoftmax": the average of N sampled softmax probabilities (Monte-Carlo dropout).
import * as tf from "@tensorflow/tfjs";
import { batchTensors } from "../data/batches.js";
import type { ImageDataset } from "../data/dataset.js";
import { checkDatasetFitsModel } from "../train/evaluate.js";
import { lossForModel } from "../train/losses.js";

/**
 * Accuracy of each scheme for each number of sampled masks N.
 *
 * @example
 * const result = evaluateDropoutSchemes(model, test, { samples: [10, 50, 100] });
 * result.scaled; // accuracy with dropout off (weights scaled)
 */
export interface DropoutSchemesResult {
  samples: number[];
  scaled: number;
  beforeSoftmax: number[];
  afterSoftmax: number[];
}

const DROPOUT_CLASSES = ["Dropout", "SeededDropout", "SpatialDropout1D", "SpatialDropout2D"];

/**
 * One forward pass with only the dropout layers in training mode (batch norm stays in inference).
 * Returns the model's output (log-probabilities or logits).
 *
 * @example
 * const out = forwardWithDropout(model, xs, true);
 */
export function forwardWithDropout(model: tf.LayersModel, xs: tf.Tensor, dropout: boolean): tf.Tensor {
  let x = xs;
  for (const layer of model.layers) {
    if (layer.getClassName() === "InputLayer") continue;
    x = layer.apply(x, { training: dropout && DROPOUT_CLASSES.includes(layer.getClassName()) }) as tf.Tensor;
  }
  return x;
}

/**
 * Accuracy of the three schemes on `ds` as the number of masks N grows (seed 004, figure 3).
 * The pre-softmax average uses the log-softmax outputs when the model ends in one (same arg-max).
 *
 * @example
 * const result = evaluateDropoutSchemes(model, test, { samples: [1, 2, 5, 10, 20, 50, 100] });
 * showFigure(dropoutSchemesSpec(result));
 */
export function evaluateDropoutSchemes(
  model: tf.LayersModel,
  ds: ImageDataset,
  options: { samples?: number[]; batchSize?: number } = {},
): DropoutSchemesResult {
  const samples = [...(options.samples ?? [1, 2, 5, 10, 20, 50, 100])].sort((a, b) => a - b);
  if (samples.some((n) => !(Number.isInteger(n) && n >= 1))) throw new Error(`invalid sample counts: ${JSON.stringify(options.samples)} (expected integers >= 1)`);
  if (!model.layers.some((l) => DROPOUT_CLASSES.includes(l.getClassName()))) {
    throw new Error(`model ${model.name} has no dropout layer: the three schemes would all be the same`);
  }
  checkDatasetFitsModel(model, ds);
  const logProbabilities = lossForModel(model) === "nll";
  const n = ds.indices.length;
  if (n === 0) throw new Error(`cannot evaluate on ${ds.name}: it has no images`);
  const batchSize = options.batchSize ?? 1000;
  const maxN = samples[samples.length - 1];
  let scaledCorrect = 0;
  const before = new Array<number>(samples.length).fill(0);
  const after = new Array<number>(samples.length).fill(0);
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize);
    const { xs, ys } = batchTensors(ds, from, to);
    const correct = (scores: tf.Tensor) => tf.tidy(() => scores.argMax(-1).cast("int32").equal(ys).sum().dataSync()[0]);
    scaledCorrect += tf.tidy(() => correct(forwardWithDropout(model, xs, false)));
    let sumBefore = tf.zeros([to - from, 1]);
    let sumAfter = tf.zeros([to - from, 1]);
    let k = 0;
    for (let s = 1; s <= maxN; s++) {
      const [nextBefore, nextAfter] = tf.tidy(() => {
        const out = forwardWithDropout(model, xs, true);
        const probabilities = logProbabilities ? out.exp() : out.softmax();
        return [sumBefore.add(out), sumAfter.add(probabilities)];
      });
      tf.dispose([sumBefore, sumAfter]);
      sumBefore = nextBefore;
      sumAfter = nextAfter;
      if (s === samples[k]) {
        while (k < samples.length && samples[k] === s) {
          before[k] += correct(sumBefore);
          after[k] += correct(sumAfter);
          k++;
        }
      }
    }
    tf.dispose([xs, ys, sumBefore, sumAfter]);
  }
  return { samples, scaled: scaledCorrect / n, beforeSoftmax: before.map((c) => c / n), afterSoftmax: after.map((c) => c / n) };
}

// Watching the size of the weights during training (seed 004: "L2 norm of all the parameters at
// each iteration"), e.g. to show what weight decay does.
import * as tf from "@tensorflow/tfjs";
import type { TrainingCallbacks } from "./callbacks.js";

/**
 * The L2 norm of all trainable parameters together, √(Σ w²).
 *
 * @example
 * parameterNorm(model); // 27.3
 */
export function parameterNorm(model: tf.LayersModel): number {
  return tf.tidy(() => {
    let total = tf.scalar(0);
    for (const w of model.trainableWeights) total = total.add(w.read().square().sum());
    return Math.sqrt(total.dataSync()[0]);
  });
}

/**
 * A callback recording the parameter norm after every `every`-th batch into `norms` (and `steps`).
 *
 * @example
 * const tracker = parameterNormTracker();
 * await trainModel(model, train, { epochs: 5, callbacks: [tracker] });
 * showFigure(lineChartSpec({ name: "L2 norm", values: tracker.norms, x: tracker.steps }, { xTitle: "Iteration", yTitle: "L2 norm of the parameters" }));
 */
export function parameterNormTracker(every = 1): TrainingCallbacks & { norms: number[]; steps: number[] } {
  let step = 0;
  const tracker = {
    norms: [] as number[],
    steps: [] as number[],
    onTrainBegin(context: { model: tf.LayersModel }) {
      step = 0;
      tracker.norms.push(parameterNorm(context.model));
      tracker.steps.push(0);
    },
    onBatchEnd(_batch: unknown, context: { model: tf.LayersModel }) {
      step++;
      if (step % every === 0) {
        tracker.norms.push(parameterNorm(context.model));
        tracker.steps.push(step);
      }
    },
  };
  return tracker;
}

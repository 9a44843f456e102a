// The L2 norm of all of a model's parameters, and a training callback that records it after
// every minibatch update (seed 004, figure 2: weight decay pulls the weights towards 0).
import * as tf from "@tensorflow/tfjs";
import type { TrainingCallbacks } from "../train/callbacks.js";

/**
 * sqrt(Σ w²) over every trainable weight of the model.
 *
 * @example
 * parameterNorm(mlp({ hidden: [800, 800], seed: 1 })); // e.g. 26.1
 */
export function parameterNorm(model: tf.LayersModel): number {
  return tf.tidy(() => {
    const squares = model.trainableWeights.map((w) => w.read().square().sum());
    return tf.addN(squares).sqrt().dataSync()[0];
  });
}

/** A callback that records the parameter norm; its arrays fill during training. */
export interface ParameterNormTracker extends TrainingCallbacks {
  /** Iteration (minibatch updates so far) of every record; 0 is before training. */
  iterations: number[];
  norms: number[];
}

/**
 * Records the L2 norm of all parameters before training and every `every` updates.
 *
 * @example
 * const norms = trackParameterNorm();
 * await trainModel(model, train, { epochs: 10, callbacks: [norms] });
 * showFigure(parameterNormSpec({ "weight decay 5e-4": norms }));
 */
export function trackParameterNorm(options: { every?: number } = {}): ParameterNormTracker {
  const every = options.every ?? 1;
  if (!(Number.isInteger(every) && every >= 1)) throw new Error(`invalid every: ${every} (expected an integer >= 1)`);
  let iteration = 0;
  const tracker: ParameterNormTracker = {
    iterations: [],
    norms: [],
    onTrainBegin(context) {
      if (tracker.iterations.length === 0) {
        tracker.iterations.push(0);
        tracker.norms.push(parameterNorm(context.model));
      }
    },
    onBatchEnd(_batch, context) {
      iteration++;
      if (iteration % every === 0) {
        tracker.iterations.push(iteration);
        tracker.norms.push(parameterNorm(context.model));
      }
    },
  };
  return tracker;
}

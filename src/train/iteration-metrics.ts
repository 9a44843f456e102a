// Metrics per iteration (mini-batch update) instead of per epoch: seed 002's learning curves
// record the batch loss and the training and validation accuracy after every update.
import * as tf from "@tensorflow/tfjs";
import type { ImageDataset } from "../data/dataset.js";
import type { BatchInfo, TrainingCallbacks } from "./callbacks.js";
import { evaluate } from "./evaluate.js";

/**
 * What iterationTracker records: batch loss and watched accuracies after every few updates.
 *
 * @example
 * const tracker = iterationTracker({ train: takeFirst(train, 500), validation: takeFirst(test, 500) }, 10);
 * await trainModel(model, train, { epochs: 1, callbacks: [tracker] });
 * tracker.accuracy.validation; // one value per 10 iterations
 */
export interface IterationMetrics {
  /** Iteration numbers (0-based count of updates done before the measurement, as seed 002's `n`). */
  iterations: number[];
  /** The loss of the batch of that iteration. */
  losses: number[];
  /** Accuracy on each watched dataset after that iteration, by name. */
  accuracy: Record<string, number[]>;
}

/**
 * A callback recording, every `every` iterations, the batch loss and the accuracy (inference mode)
 * on each dataset in `datasets` — keep those small: they are evaluated each time.
 *
 * @example
 * const tracker = iterationTracker({ Train: train, Validation: validation });
 * await trainModel(model, train, { epochs: 10, callbacks: [tracker] });
 * showFigure(lineChartSpec(
 *   Object.entries(tracker.accuracy).map(([name, values]) => ({ name, values, x: tracker.iterations })),
 *   { xTitle: "Iterations", yTitle: "Accuracy" },
 * ));
 */
export function iterationTracker(
  datasets: Record<string, ImageDataset> = {},
  every = 1,
): TrainingCallbacks & IterationMetrics {
  if (!(Number.isInteger(every) && every >= 1)) throw new Error(`invalid interval: ${every} (expected an integer >= 1)`);
  let n = 0;
  const tracker: TrainingCallbacks & IterationMetrics = {
    iterations: [],
    losses: [],
    accuracy: Object.fromEntries(Object.keys(datasets).map((name) => [name, [] as number[]])),
    onTrainBegin() {
      n = 0;
    },
    onBatchEnd(batch: BatchInfo, context: { model: tf.LayersModel }) {
      if (n % every === 0) {
        tracker.iterations.push(n);
        tracker.losses.push(batch.loss);
        for (const [name, ds] of Object.entries(datasets)) {
          tracker.accuracy[name].push(evaluate(context.model, ds).accuracy);
        }
      }
      n++;
    },
  };
  return tracker;
}

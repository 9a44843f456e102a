// The learning-rate range test (Smith, "Cyclical learning rates"; the "superconvergence" wish of
// seed 000): train for N batches while the rate grows exponentially from tiny to huge, record the
// loss, and suggest a rate a little before the loss is lowest.
import * as tf from "@tensorflow/tfjs";
import { batches } from "../data/batches.js";
import type { ImageDataset } from "../data/dataset.js";
import { deriveSeed } from "../data/random.js";
import { selectEngine } from "../display/engine.js";
import { forward } from "../models/forward.js";
import { checkDatasetFitsModel } from "../train/evaluate.js";
import { LossName, lossForModel, lossFunction } from "../train/losses.js";
import { createOptimizer, OptimizerConfig } from "../train/optimizers.js";
import { captureRandomStates, restoreRandomStates } from "./checkpoint.js";

/**
 * The range, length and optimiser of a learning-rate range test.
 *
 * @example
 * await lrRangeTest(convNet(), train, { minRate: 1e-5, maxRate: 1, steps: 100, optimizer: { momentum: 0.9 } });
 */
export interface LrRangeTestOptions {
  /** First learning rate (default 1e-6). */
  minRate?: number;
  /** Last learning rate (default 10). */
  maxRate?: number;
  /** Number of batches, one rate each (default 100). */
  steps?: number;
  batchSize?: number;
  /** Optimiser settings other than the rate (default plain SGD). */
  optimizer?: Omit<OptimizerConfig, "learningRate">;
  loss?: LossName;
  /** Seed of the batch order (default 0). */
  seed?: number;
  /** Exponential smoothing of the loss curve (default 0.9). */
  smoothing?: number;
  /** Stop once the smoothed loss exceeds this many times its minimum (default 4). */
  divergeFactor?: number;
  /** Put the model's weights (and its dropout streams) back afterwards (default true). */
  restoreWeights?: boolean;
}

/**
 * The losses of a learning-rate range test and the rates it suggests.
 *
 * @example
 * const result = await lrRangeTest(model, train);
 * const schedule = oneCycle({ maxRate: result.minLossRate, totalSteps: 10 * batchCount(train, 64) });
 */
export interface LrRangeTestResult {
  rates: number[];
  losses: number[];
  smoothedLosses: number[];
  /** The rate of the lowest smoothed loss. */
  minLossRate: number;
  /** Where the smoothed loss falls fastest (per log-rate). */
  steepestRate: number;
  /** The suggestion: a tenth of minLossRate (the usual rule). */
  suggestedRate: number;
  /** True when the loss diverged before the last step. */
  diverged: boolean;
}

/**
 * Runs the learning-rate range test on a copy of the model's state (weights are restored).
 *
 * @example
 * const result = await lrRangeTest(mlp({ hidden: [100], seed: 1 }), train, { minRate: 1e-5, maxRate: 10, steps: 100 });
 * result.suggestedRate; // e.g. 0.08
 */
export async function lrRangeTest(model: tf.LayersModel, train: ImageDataset, options: LrRangeTestOptions = {}): Promise<LrRangeTestResult> {
  selectEngine();
  const minRate = options.minRate ?? 1e-6;
  const maxRate = options.maxRate ?? 10;
  const steps = options.steps ?? 100;
  if (!(minRate > 0 && maxRate > minRate)) throw new Error(`invalid rate range: ${minRate}..${maxRate} (expected 0 < minRate < maxRate)`);
  if (!(Number.isInteger(steps) && steps >= 2)) throw new Error(`invalid steps: ${steps} (expected an integer >= 2)`);
  const smoothing = options.smoothing ?? 0.9;
  const divergeFactor = options.divergeFactor ?? 4;
  const batchSize = options.batchSize ?? 64;
  checkDatasetFitsModel(model, train);
  const lossFn = lossFunction(options.loss ?? lossForModel(model));
  const saved = options.restoreWeights === false ? null : model.getWeights().map((w) => w.clone());
  const randomStates = captureRandomStates(model);
  const optimizer = createOptimizer({ ...options.optimizer, learningRate: minRate });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const rates: number[] = [];
  const losses: number[] = [];
  const smoothedLosses: number[] = [];
  let average = 0;
  let diverged = false;
  try {
    let epoch = 0;
    outer: while (true) {
      epoch++;
      for (const { xs, ys } of batches(train, batchSize, { shuffle: true, seed: deriveSeed(options.seed ?? 0, 2), epoch })) {
        const step = rates.length;
        const rate = minRate * (maxRate / minRate) ** (step / (steps - 1));
        optimizer.setLearningRate(rate);
        const { value, grads } = tf.variableGrads(() => lossFn(forward(model, xs, true), ys), variables);
        optimizer.step(grads, variables);
        const loss = value.dataSync()[0];
        tf.dispose([value, xs, ys]);
        average = smoothing * average + (1 - smoothing) * loss;
        const smoothed = average / (1 - smoothing ** (step + 1));
        rates.push(rate);
        losses.push(loss);
        smoothedLosses.push(smoothed);
        const best = Math.min(...smoothedLosses);
        if (!Number.isFinite(loss) || (step > 0 && smoothed > divergeFactor * best)) {
          diverged = true;
          break outer;
        }
        if (rates.length >= steps) break outer;
      }
    }
  } finally {
    optimizer.dispose();
    if (saved) {
      model.setWeights(saved);
      tf.dispose(saved);
      restoreRandomStates(model, randomStates);
    }
  }
  const finite = smoothedLosses.map((v) => (Number.isFinite(v) ? v : Infinity));
  const minIndex = finite.indexOf(Math.min(...finite));
  let steepestIndex = 0;
  let steepest = Infinity;
  for (let i = 1; i <= minIndex; i++) {
    const slope = (finite[i] - finite[i - 1]) / (Math.log(rates[i]) - Math.log(rates[i - 1]));
    if (slope < steepest) {
      steepest = slope;
      steepestIndex = i;
    }
  }
  return {
    rates, losses, smoothedLosses, diverged,
    minLossRate: rates[minIndex],
    steepestRate: rates[steepestIndex],
    suggestedRate: rates[minIndex] / 10,
  };
}

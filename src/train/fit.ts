// The training loop: epochs of seeded mini-batches, one optimiser step per batch, metrics per
// epoch into a History, everything else (progress, early stopping, plots) through callbacks.
import * as tf from "@tensorflow/tfjs";
import { batchCount, batches } from "../data/batches.js";
import type { ImageDataset } from "../data/dataset.js";
import { deriveSeed } from "../data/random.js";
import { selectEngine } from "../display/engine.js";
import { forward } from "../models/forward.js";
import { TrainingCallbacks, TrainingContext, earlyStopping, EarlyStoppingOptions } from "./callbacks.js";
import { checkDatasetFitsModel, evaluateAsync } from "./evaluate.js";
import { History } from "./history.js";
import { LossName, lossForModel, lossFunction } from "./losses.js";
import { OptimizerConfig, TrainingOptimizer, createOptimizer } from "./optimizers.js";
import { progressReport, ProgressReportOptions } from "./progress.js";
import { LearningRateSchedule } from "./schedules.js";

/**
 * The settings of a training run (trainModel): epochs, batches, optimiser, loss, schedule, validation, callbacks.
 *
 * @example
 * const options: TrainOptions = {
 *   epochs: 10, batchSize: 64, optimizer: { learningRate: 0.01, momentum: 0.5 }, validation: test, seed: 1,
 * };
 * await trainModel(model, train, options);
 */
export interface TrainOptions {
  /** Number of passes over the training set. */
  epochs: number;
  /** Examples per mini-batch (default 64). */
  batchSize?: number;
  /** The optimiser: a config (default SGD, learning rate 0.01) or one made with createOptimizer. */
  optimizer?: OptimizerConfig | TrainingOptimizer;
  /** The loss; default "nll" for models ending in log-softmax, "hinge" for linearSvm, "crossEntropy" otherwise. */
  loss?: LossName;
  /** Evaluated (inference mode) after every epoch. */
  validation?: ImageDataset;
  /** Seed of the batch order (reshuffled each epoch). Default 0. Model weights are seeded when the model is built. */
  seed?: number;
  /** Reshuffle the training set every epoch (default true); false keeps the same mini-batches every epoch. */
  shuffle?: boolean;
  /** Skip a last, smaller batch (default false). */
  dropLast?: boolean;
  /** Learning-rate schedule (per epoch or per batch); one with `momentum` also sets SGD's momentum (one-cycle). */
  schedule?: LearningRateSchedule;
  /** Stop early when the validation loss (or another metric) stops improving. */
  earlyStopping?: EarlyStoppingOptions;
  /**
   * Training metrics after each epoch: "running" averages the batches' loss/accuracy during the
   * epoch (as seeds 002/003 do, cheap); "evaluate" re-evaluates the training set in inference mode (seed 004).
   */
  trainMetrics?: "running" | "evaluate";
  /** Progress reporting (default on), or false for none. */
  progress?: boolean | ProgressReportOptions;
  /** Further callbacks, called after the built-in ones. */
  callbacks?: TrainingCallbacks[];
  /** Batch size for evaluation (default 1000). */
  evaluationBatchSize?: number;
}

/**
 * Trains a classifier and returns its History. Selects (and records) the engine first.
 * Same model seed + same `seed` on the same engine give identical numbers.
 *
 * @example
 * const model = convNet({ seed: 42 });
 * const history = await trainModel(model, loadMnist(), {
 *   epochs: 10, batchSize: 64, optimizer: { learningRate: 0.01 },
 *   validation: loadMnist({ split: "test" }), seed: 42,
 * });
 * showFigure(learningCurveSpec(history), { label: "fig-errors", caption: "Error per epoch." });
 */
export async function trainModel(model: tf.LayersModel, train: ImageDataset, options: TrainOptions): Promise<History> {
  selectEngine();
  if (!(Number.isInteger(options.epochs) && options.epochs >= 1)) throw new Error(`invalid epochs: ${options.epochs} (expected an integer >= 1)`);
  const batchSize = options.batchSize ?? 64;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`invalid batch size: ${batchSize}`);
  if (train.indices.length === 0) throw new Error(`cannot train on ${train.name}: it has no images`);
  checkDatasetFitsModel(model, train);
  if (options.validation) checkDatasetFitsModel(model, options.validation);
  const lossName = options.loss ?? lossForModel(model);
  const lossFn = lossFunction(lossName);
  // An optimiser made here is freed at the end; one passed in keeps its state for further runs.
  const ownsOptimizer = !(options.optimizer instanceof TrainingOptimizer);
  const optimizer = options.optimizer instanceof TrainingOptimizer
    ? options.optimizer
    : createOptimizer(options.optimizer ?? { learningRate: 0.01 });
  // Schedules scale the configured rate (not the current one, which a previous run's schedule may have changed).
  const baseRate = optimizer.config.learningRate;
  const baseMomentum = optimizer.config.momentum ?? 0;
  // The rate (and, for SGD with momentum, the momentum) of a step; without a momentum schedule the
  // configured momentum, which a previous run's schedule may have changed.
  const applySchedule = (step: number) => {
    optimizer.setLearningRate(options.schedule ? options.schedule.rate(step, baseRate) : baseRate);
    if (optimizer.hasMomentum) {
      optimizer.setMomentum(options.schedule?.momentum ? options.schedule.momentum(step, baseMomentum) : baseMomentum);
    }
  };
  const seed = options.seed ?? 0;
  const history = new History();
  const callbacks: TrainingCallbacks[] = [];
  if (options.progress !== false) callbacks.push(progressReport(options.progress === true ? {} : options.progress));
  if (options.earlyStopping) callbacks.push(earlyStopping(options.earlyStopping));
  callbacks.push(...(options.callbacks ?? []));
  const context: TrainingContext = {
    model,
    history,
    optimizer,
    epochs: options.epochs,
    batchesPerEpoch: batchCount(train, batchSize, options.dropLast),
    examplesPerEpoch: options.dropLast ? batchCount(train, batchSize, true) * batchSize : train.indices.length,
    stopTraining: false,
  };
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const call = async (hook: keyof TrainingCallbacks, ...args: unknown[]) => {
    for (const cb of callbacks) await (cb[hook] as ((...a: unknown[]) => unknown) | undefined)?.call(cb, ...args, context);
  };

  try {
    await runEpochs();
  } finally {
    if (ownsOptimizer) optimizer.dispose();
  }
  return history;

  async function runEpochs(): Promise<void> {
    await call("onTrainBegin");
    let step = 0;
    let warnedDivergence = false;
    for (let epoch = 1; epoch <= options.epochs && !context.stopTraining; epoch++) {
      const started = performance.now();
      if (options.schedule?.per !== "batch") applySchedule(epoch - 1);
      await call("onEpochBegin", epoch);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let batch = 0;
      const order = { shuffle: options.shuffle ?? true, seed: deriveSeed(seed, 1), epoch, dropLast: options.dropLast };
      for (const { xs, ys, size } of batches(train, batchSize, order)) {
        if (options.schedule?.per === "batch") applySchedule(step);
        const result = trainStep(model, variables, lossFn, optimizer, xs, ys);
        tf.dispose([xs, ys]);
        // Once per run: a diverged run would otherwise print the same line for every later batch.
        if (!Number.isFinite(result.loss) && !warnedDivergence) {
          warnedDivergence = true;
          console.warn(divergenceWarning(result.loss, epoch, batch + 1, context.batchesPerEpoch, optimizer.learningRate));
        }
        lossSum += result.loss * size;
        correct += result.correct;
        seen += size;
        history.batchLoss.push(result.loss);
        history.batchEpoch.push(epoch);
        await call("onBatchEnd", {
          epoch, batch, size, seen, loss: result.loss, learningRate: optimizer.learningRate, momentum: optimizer.momentum,
        });
        // Let the event loop run, so live displays reach Jupyter while training goes on.
        await new Promise((resolve) => setImmediate(resolve));
        batch++;
        step++;
      }
      // Throughput counts the training steps only (batches, their callbacks), not the evaluation.
      const trainingSeconds = (performance.now() - started) / 1000;
      const evalOptions = { loss: lossName, batchSize: options.evaluationBatchSize };
      if (options.trainMetrics === "evaluate" || options.validation) {
        await call("onEvaluateBegin", epoch);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const trainMetrics = options.trainMetrics === "evaluate"
        ? await evaluateAsync(model, train, evalOptions)
        : { loss: lossSum / seen, accuracy: correct / seen };
      const val = options.validation ? await evaluateAsync(model, options.validation, evalOptions) : { loss: NaN, accuracy: NaN };
      const logs = {
        epoch,
        trainLoss: trainMetrics.loss,
        trainAccuracy: trainMetrics.accuracy,
        trainError: 1 - trainMetrics.accuracy,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
        valError: 1 - val.accuracy,
        learningRate: optimizer.learningRate,
        seconds: (performance.now() - started) / 1000,
        samplesPerSecond: seen / trainingSeconds,
      };
      history.record(logs);
      await call("onEpochEnd", logs);
    }
    await call("onTrainEnd");
  }
}

/** The one line said when a run's loss first becomes NaN or infinite (batch counted from 1). */
function divergenceWarning(loss: number, epoch: number, batch: number, batches: number, learningRate: number): string {
  return `trainModel: the training loss became ${loss} at epoch ${epoch}, batch ${batch} of ${batches}: ` +
    `the run diverged, the learning rate (${learningRate}) is probably too high; training goes on (said once per run)`;
}

/** One optimiser step on a batch; returns the batch's mean loss and number of correct predictions. */
function trainStep(
  model: tf.LayersModel,
  variables: tf.Variable[],
  lossFn: (outputs: tf.Tensor, labels: tf.Tensor) => tf.Scalar,
  optimizer: TrainingOptimizer,
  xs: tf.Tensor,
  ys: tf.Tensor,
): { loss: number; correct: number } {
  let outputs: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    outputs = tf.keep(forward(model, xs, true));
    return lossFn(outputs, ys);
  }, variables);
  optimizer.step(grads, variables);
  const loss = value.dataSync()[0];
  // Accuracy from the outputs in JS: a [batch, classes] read is cheaper than more tensor ops.
  const correct = countCorrect(outputs!.dataSync(), ys.dataSync(), outputs!.shape[outputs!.shape.length - 1]!);
  tf.dispose([value, outputs!]);
  return { loss, correct };
}

function countCorrect(outputs: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (outputs[i * classes + c] > outputs[i * classes + best]) best = c;
    if (best === labels[i]) correct++;
  }
  return correct;
}

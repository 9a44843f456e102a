// The hooks a training run calls (as tfjs-layers's callbacks), and early stopping built on them.
import * as tf from "@tensorflow/tfjs";
import type { EpochLogs, History } from "./history.js";
import type { TrainingOptimizer } from "./optimizers.js";

/**
 * What callbacks can see and change during a run.
 *
 * @example
 * const stopAt90: TrainingCallbacks = { onEpochEnd: (logs, context) => { context.stopTraining = logs.valAccuracy > 0.9; } };
 */
export interface TrainingContext {
  model: tf.LayersModel;
  history: History;
  optimizer: TrainingOptimizer;
  /** Number of epochs asked for. */
  epochs: number;
  /** Batches per epoch. */
  batchesPerEpoch: number;
  /** Training examples per epoch. */
  examplesPerEpoch: number;
  /** Set to true to end training after the current epoch. */
  stopTraining: boolean;
}

/**
 * One finished training batch.
 *
 * @example
 * const momenta: number[] = [];
 * await trainModel(model, train, { epochs: 1, callbacks: [{ onBatchEnd: (b: BatchInfo) => { momenta.push(b.momentum ?? 0); } }] });
 */
export interface BatchInfo {
  /** 1-based epoch. */
  epoch: number;
  /** 0-based batch index within the epoch. */
  batch: number;
  /** Examples in this batch. */
  size: number;
  /** Examples seen this epoch, this batch included. */
  seen: number;
  /** Mean loss of this batch. */
  loss: number;
  /** The learning rate this batch was trained with. */
  learningRate: number;
  /** The optimiser's momentum for this batch (0 without momentum; one-cycle changes it per batch). */
  momentum?: number;
}

/**
 * Hooks into a training run; every method is optional and may return a promise.
 *
 * @example
 * const printer: TrainingCallbacks = { onEpochEnd: (logs) => console.log(logs.epoch, logs.valError) };
 * await trainModel(model, train, { epochs: 5, callbacks: [printer] });
 */
export interface TrainingCallbacks {
  onTrainBegin?(context: TrainingContext): void | Promise<void>;
  onEpochBegin?(epoch: number, context: TrainingContext): void | Promise<void>;
  onBatchEnd?(batch: BatchInfo, context: TrainingContext): void | Promise<void>;
  /** Called after an epoch's last batch, before the (possibly long) evaluation of its metrics. */
  onEvaluateBegin?(epoch: number, context: TrainingContext): void | Promise<void>;
  onEpochEnd?(logs: EpochLogs, context: TrainingContext): void | Promise<void>;
  onTrainEnd?(context: TrainingContext): void | Promise<void>;
}

/**
 * Metrics early stopping can watch; losses and errors should fall, accuracies rise.
 *
 * @example
 * earlyStopping({ monitor: "valError" });
 */
export type MonitoredMetric = "valLoss" | "valError" | "valAccuracy" | "trainLoss" | "trainError" | "trainAccuracy";

/**
 * When early stopping ends a run, and whether it restores the best weights.
 *
 * @example
 * await trainModel(model, train, { epochs: 25, validation, earlyStopping: { monitor: "valAccuracy", patience: 5 } });
 */
export interface EarlyStoppingOptions {
  /** The metric watched (default "valLoss"). */
  monitor?: MonitoredMetric;
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put back the weights of the best epoch when training ends (default true). */
  restoreBestWeights?: boolean;
}

/**
 * Stops training when `monitor` has not improved for `patience` epochs, and (by default) restores
 * the weights of the best epoch — seed 004's "best validation score across all epochs".
 *
 * @example
 * await trainModel(model, train, { epochs: 25, validation, callbacks: [earlyStopping({ patience: 5 })] });
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): TrainingCallbacks {
  const monitor = options.monitor ?? "valLoss";
  const patience = options.patience ?? 5;
  const minDelta = Math.abs(options.minDelta ?? 0);
  const restore = options.restoreBestWeights ?? true;
  const higherIsBetter = monitor.endsWith("Accuracy");
  if (!(Number.isInteger(patience) && patience >= 0)) throw new Error(`invalid patience: ${patience} (expected an integer >= 0)`);
  let best = higherIsBetter ? -Infinity : Infinity;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | null = null;
  let waited = 0;
  const keepBest = (model: tf.LayersModel) => {
    if (!restore) return;
    if (bestWeights) tf.dispose(bestWeights);
    bestWeights = model.getWeights().map((w) => w.clone());
  };
  return {
    onTrainBegin() {
      best = higherIsBetter ? -Infinity : Infinity;
      bestEpoch = 0;
      waited = 0;
    },
    onEpochEnd(logs, context) {
      const value = logs[monitor];
      if (Number.isNaN(value)) {
        throw new Error(`early stopping watches ${monitor}, but it is NaN (is there a validation set?)`);
      }
      const improved = higherIsBetter ? value > best + minDelta : value < best - minDelta;
      if (improved) {
        best = value;
        bestEpoch = logs.epoch;
        waited = 0;
        keepBest(context.model);
      } else if (++waited >= patience) {
        context.stopTraining = true;
        context.history.stoppedEpoch = logs.epoch;
      }
    },
    onTrainEnd(context) {
      if (restore && bestWeights) {
        const last = context.history.epochs[context.history.epochs.length - 1];
        if (bestEpoch !== last) context.model.setWeights(bestWeights);
        context.history.restoredEpoch = bestEpoch;
        tf.dispose(bestWeights);
        bestWeights = null;
      }
    },
  };
}

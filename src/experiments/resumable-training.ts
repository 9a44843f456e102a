// trainModel, made resumable: training runs one epoch at a time and a checkpoint is written after
// every epoch; run the same call again after an interruption (a crash, a kernel restart) and it
// continues from the last checkpoint. The numbers match an uninterrupted trainModel run exactly
// (same model seed, same `seed`, same engine): each epoch gets the batch order, learning rate and
// dropout masks trainModel would have given it. (With trainMetrics: "evaluate" the training-set
// metrics are summed in another order and may differ in the last digits.)
import * as tf from "@tensorflow/tfjs";
import { ImageDataset, shuffled } from "../data/dataset.js";
import { deriveSeed } from "../data/random.js";
import { earlyStopping } from "../train/callbacks.js";
import type { BatchInfo, TrainingCallbacks, TrainingContext } from "../train/callbacks.js";
import { trainModel, TrainOptions } from "../train/fit.js";
import { History, EpochLogs } from "../train/history.js";
import { createOptimizer, TrainingOptimizer } from "../train/optimizers.js";
import { progressReport } from "../train/progress.js";
import { LearningRateSchedule } from "../train/schedules.js";
import { hasCheckpoint, historyFromManifest, loadCheckpoint, saveCheckpoint } from "./checkpoint.js";

/**
 * trainModel's options plus where (and how often) to save checkpoints.
 *
 * @example
 * await trainWithCheckpoints(model, train, { epochs: 25, checkpointDir: "checkpoints/deep", saveEvery: 5 });
 */
export interface CheckpointedTrainOptions extends TrainOptions {
  /** Folder of the run's checkpoint (one per run: different runs need different folders). */
  checkpointDir: string;
  /** Save every this many epochs (default 1); the last epoch is always saved. */
  saveEvery?: number;
}

/**
 * Trains like trainModel, saving a checkpoint in `checkpointDir` after every epoch; if a checkpoint
 * is there already, restores weights, optimiser state and History and goes on from the epoch after
 * it (a finished run returns at once). Early stopping's patience restarts after a resume.
 *
 * @example
 * const history = await trainWithCheckpoints(model, train, {
 *   epochs: 25, batchSize: 16, optimizer: { name: "adam", learningRate: 1e-3 }, validation, seed: 1,
 *   checkpointDir: "checkpoints/deep-bs16",
 * });
 */
export async function trainWithCheckpoints(model: tf.LayersModel, train: ImageDataset, options: CheckpointedTrainOptions): Promise<History> {
  const total = options.epochs;
  if (!(Number.isInteger(total) && total >= 1)) throw new Error(`invalid epochs: ${total} (expected an integer >= 1)`);
  const saveEvery = options.saveEvery ?? 1;
  if (!(Number.isInteger(saveEvery) && saveEvery >= 1)) throw new Error(`invalid saveEvery: ${saveEvery}`);
  const ownsOptimizer = !(options.optimizer instanceof TrainingOptimizer);
  const optimizer = options.optimizer instanceof TrainingOptimizer
    ? options.optimizer
    : createOptimizer(options.optimizer ?? { learningRate: 0.01 });
  let baseRate = optimizer.learningRate;
  let history = new History();
  let done = 0;
  if (hasCheckpoint(options.checkpointDir)) {
    const manifest = await loadCheckpoint(options.checkpointDir, model, optimizer);
    history = historyFromManifest(manifest);
    baseRate = manifest.optimizer?.baseLearningRate ?? baseRate;
    done = manifest.epoch;
    // A run that early stopping ended is finished, even short of `epochs`.
    if ((manifest.extra as { stoppedEarly?: boolean } | null)?.stoppedEarly) done = total;
    if (done > total) throw new Error(`checkpoint ${options.checkpointDir} is at epoch ${done}, past the ${total} epochs asked for`);
  }
  const outer: TrainingCallbacks[] = [];
  if (options.progress !== false) outer.push(progressReport(options.progress === true || options.progress === undefined ? {} : options.progress));
  if (options.earlyStopping) outer.push(earlyStopping(options.earlyStopping));
  outer.push(...(options.callbacks ?? []));
  const batchesPerEpoch = options.dropLast ? Math.floor(train.indices.length / (options.batchSize ?? 64)) : Math.ceil(train.indices.length / (options.batchSize ?? 64));
  const context: TrainingContext = {
    model,
    history,
    optimizer,
    epochs: total,
    batchesPerEpoch,
    examplesPerEpoch: options.dropLast ? batchesPerEpoch * (options.batchSize ?? 64) : train.indices.length,
    stopTraining: false,
  };
  const call = async (hook: keyof TrainingCallbacks, ...args: unknown[]) => {
    for (const cb of outer) await (cb[hook] as ((...a: unknown[]) => unknown) | undefined)?.call(cb, ...args, context);
  };
  const seed = options.seed ?? 0;
  try {
    if (done >= total) return history;
    await call("onTrainBegin");
    for (let epoch = done + 1; epoch <= total && !context.stopTraining; epoch++) {
      // This epoch's batch order, exactly as trainModel draws it for epoch `epoch`.
      const view = options.shuffle === false ? train : shuffled(train, deriveSeed(deriveSeed(seed, 1), epoch));
      const bridge: TrainingCallbacks = {
        onEpochBegin: () => call("onEpochBegin", epoch),
        onBatchEnd: (batch: BatchInfo) => {
          history.batchLoss.push(batch.loss);
          history.batchEpoch.push(epoch);
          return call("onBatchEnd", { ...batch, epoch });
        },
        onEpochEnd: (logs: EpochLogs) => {
          const renumbered = { ...logs, epoch };
          history.record(renumbered);
          return call("onEpochEnd", renumbered);
        },
      };
      optimizer.setLearningRate(baseRate);
      await trainModel(model, view, {
        ...options,
        epochs: 1,
        optimizer,
        shuffle: false,
        schedule: shiftSchedule(options.schedule, epoch, batchesPerEpoch),
        earlyStopping: undefined,
        progress: false,
        callbacks: [bridge],
      });
      if (epoch % saveEvery === 0 || epoch === total || context.stopTraining) {
        await saveCheckpoint(options.checkpointDir, model, {
          epoch, optimizer, baseLearningRate: baseRate, history, extra: { stoppedEarly: context.stopTraining },
        });
      }
    }
    await call("onTrainEnd");
    // Early stopping put the best epoch's weights back: the finished run's checkpoint keeps those.
    if (history.restoredEpoch !== undefined) {
      await saveCheckpoint(options.checkpointDir, model, {
        epoch: history.epochs[history.epochs.length - 1], optimizer, baseLearningRate: baseRate, history,
        extra: { stoppedEarly: true },
      });
    }
  } finally {
    if (ownsOptimizer) optimizer.dispose();
  }
  return history;
}

/** The schedule as seen from inside epoch `epoch` (trainModel counts from 0 again there). */
function shiftSchedule(schedule: LearningRateSchedule | undefined, epoch: number, batchesPerEpoch: number): LearningRateSchedule | undefined {
  if (!schedule) return undefined;
  const offset = schedule.per === "batch" ? (epoch - 1) * batchesPerEpoch : epoch - 1;
  const shifted: LearningRateSchedule = { name: schedule.name, per: schedule.per, rate: (step, base) => schedule.rate(step + offset, base) };
  const momentum = schedule.momentum;
  if (momentum) shifted.momentum = (step, base) => momentum.call(schedule, step + offset, base);
  return shifted;
}

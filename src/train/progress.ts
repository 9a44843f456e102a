// Reporting a run's progress: a live line in Jupyter, occasional lines on stdout elsewhere,
// and one summary line per epoch.
import { inKernel } from "../display/jupyter-display.js";
import { ProgressDisplay } from "../display/progress.js";
import type { TrainingCallbacks } from "./callbacks.js";
import type { EpochLogs } from "./history.js";

/**
 * How a training run reports its progress.
 *
 * @example
 * await trainModel(model, train, { epochs: 10, progress: { logEvery: 100 } }); // seed 000's lines every 100 batches
 */
export interface ProgressReportOptions {
  /** Also print a line every `logEvery` batches, as PyTorch's MNIST example does ("Epoch: 1 6400/60000 (11%) Loss: 0.183"). */
  logEvery?: number;
  /** Print one summary line per epoch (default true). */
  epochSummary?: boolean;
  /** Least time between live updates in Jupyter (default 250 ms). */
  minIntervalMs?: number;
  /** Least time between within-epoch lines outside Jupyter (default 10 s). */
  printIntervalMs?: number;
}

/**
 * A within-epoch progress line in the seeds' format.
 *
 * @example
 * batchLine(1, 6400, 60000, 0.183); // "Epoch: 1 6400/60000 (11%) Loss: 0.183"
 */
export function batchLine(epoch: number, seen: number, total: number, loss: number): string {
  return `Epoch: ${epoch} ${seen}/${total} (${Math.round((100 * seen) / total)}%) Loss: ${loss.toFixed(3)}`;
}

/**
 * The summary line of one epoch.
 *
 * @example
 * console.log(epochLine(history.last(), 10)); // "Epoch 3/10: train loss 0.0812, acc 97.51% | val loss … | 12.3 s, 4870/s"
 */
export function epochLine(logs: EpochLogs, epochs: number): string {
  // Kept under ~90 characters so that a printed report shows one line per epoch.
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  let line = `Epoch ${logs.epoch}/${epochs}: train loss ${logs.trainLoss.toFixed(4)}, acc ${pct(logs.trainAccuracy)}`;
  if (!Number.isNaN(logs.valLoss)) line += ` | val loss ${logs.valLoss.toFixed(4)}, acc ${pct(logs.valAccuracy)}`;
  const rate = Number.isFinite(logs.samplesPerSecond) ? `, ${Math.round(logs.samplesPerSecond)}/s` : "";
  return `${line} | ${logs.seconds.toFixed(1)} s${rate}`;
}

/**
 * The default progress callback of trainModel.
 *
 * @example
 * await trainModel(model, train, { epochs: 10, progress: { logEvery: 100 } });
 */
export function progressReport(options: ProgressReportOptions = {}): TrainingCallbacks {
  let display: ProgressDisplay;
  let lossSum = 0;
  let lossCount = 0;
  return {
    onTrainBegin() {
      display = new ProgressDisplay({ minIntervalMs: options.minIntervalMs, printIntervalMs: options.printIntervalMs });
    },
    onEpochBegin() {
      lossSum = 0;
      lossCount = 0;
    },
    onBatchEnd(batch, context) {
      lossSum += batch.loss * batch.size;
      lossCount += batch.size;
      if (options.logEvery && batch.batch % options.logEvery === 0) {
        console.log(batchLine(batch.epoch, batch.seen - batch.size, context.examplesPerEpoch, batch.loss));
      }
      // Outside Jupyter, explicit log lines replace the occasional progress lines.
      if (options.logEvery && !inKernel()) return;
      const seen = batch.seen;
      const total = context.examplesPerEpoch;
      const fraction = (batch.epoch - 1 + seen / total) / context.epochs;
      display.update(
        `Epoch ${batch.epoch}/${context.epochs} ${seen}/${total} (${Math.round((100 * seen) / total)}%) Loss: ${(lossSum / lossCount).toFixed(3)}`,
        fraction,
      );
    },
    onEvaluateBegin(epoch, context) {
      // Only live displays say so; printed output stays one line per epoch.
      if (inKernel()) display.update(`Epoch ${epoch}/${context.epochs}: evaluating…`, epoch / context.epochs, true);
    },
    onEpochEnd(logs, context) {
      if (options.epochSummary ?? true) console.log(epochLine(logs, context.epochs));
    },
    onTrainEnd(context) {
      const h = context.history;
      if (h.epochs.length === 0) return;
      const last = h.last();
      const stopped = h.stoppedEpoch !== undefined ? `, stopped early after epoch ${h.stoppedEpoch}` : "";
      const val = Number.isNaN(last.valAccuracy) ? "" : `, validation accuracy ${(100 * last.valAccuracy).toFixed(2)}%`;
      const seconds = h.seconds.reduce((a, b) => a + b, 0);
      display.finish(`Trained ${h.epochs.length} epoch(s) in ${seconds.toFixed(1)} s${stopped}: train accuracy ${(100 * last.trainAccuracy).toFixed(2)}%${val}`);
    },
  };
}

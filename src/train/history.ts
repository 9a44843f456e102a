// What a training run leaves behind: per-epoch metrics as arrays (like Keras's History).

/**
 * The metrics of one epoch. Validation values are NaN when there is no validation set.
 *
 * @example
 * const logs: EpochLogs = history.last();
 * console.log(`${logs.valError} after ${logs.seconds} s at ${Math.round(logs.samplesPerSecond)} samples/s`);
 */
export interface EpochLogs {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  trainError: number;
  valLoss: number;
  valAccuracy: number;
  valError: number;
  learningRate: number;
  /** Wall time of the whole epoch in seconds: training steps, callbacks and the epoch's evaluation. */
  seconds: number;
  /** Training throughput: examples trained on per second of the epoch's training steps (evaluation excluded). */
  samplesPerSecond: number;
}

/**
 * Per-epoch training and validation loss, accuracy and error, and the loss of every batch.
 * Epochs are numbered from 1.
 *
 * @example
 * const history = await trainModel(model, train, { epochs: 10, validation: test });
 * history.valError;                 // [0.054, 0.044, ...]
 * history.last().valAccuracy;       // 0.9879
 */
export class History {
  epochs: number[] = [];
  trainLoss: number[] = [];
  trainAccuracy: number[] = [];
  trainError: number[] = [];
  valLoss: number[] = [];
  valAccuracy: number[] = [];
  valError: number[] = [];
  learningRate: number[] = [];
  /** Wall time per epoch in seconds (evaluation included). */
  seconds: number[] = [];
  /** Training examples per second in each epoch (its training steps only). */
  samplesPerSecond: number[] = [];
  /** The loss of every training batch, in order (the seeds' per-iteration curves). */
  batchLoss: number[] = [];
  /** The epoch of every entry of batchLoss. */
  batchEpoch: number[] = [];
  /** The epoch whose weights the model holds after early stopping restored them. */
  restoredEpoch?: number;
  /** The epoch after which early stopping ended the run. */
  stoppedEpoch?: number;

  /** Appends one epoch's metrics. */
  record(logs: EpochLogs): void {
    this.epochs.push(logs.epoch);
    this.trainLoss.push(logs.trainLoss);
    this.trainAccuracy.push(logs.trainAccuracy);
    this.trainError.push(logs.trainError);
    this.valLoss.push(logs.valLoss);
    this.valAccuracy.push(logs.valAccuracy);
    this.valError.push(logs.valError);
    this.learningRate.push(logs.learningRate);
    this.seconds.push(logs.seconds);
    this.samplesPerSecond.push(logs.samplesPerSecond);
  }

  /** The metrics of epoch `epoch` (1-based). */
  at(epoch: number): EpochLogs {
    const i = this.epochs.indexOf(epoch);
    if (i < 0) throw new Error(`no epoch ${epoch} in this history (epochs ${this.epochs[0] ?? "-"}..${this.epochs.at(-1) ?? "-"})`);
    return {
      epoch,
      trainLoss: this.trainLoss[i],
      trainAccuracy: this.trainAccuracy[i],
      trainError: this.trainError[i],
      valLoss: this.valLoss[i],
      valAccuracy: this.valAccuracy[i],
      valError: this.valError[i],
      learningRate: this.learningRate[i],
      seconds: this.seconds[i],
      samplesPerSecond: this.samplesPerSecond[i] ?? NaN,
    };
  }

  /** The metrics of the last epoch. */
  last(): EpochLogs {
    if (this.epochs.length === 0) throw new Error("the history is empty: no epoch has finished");
    return this.at(this.epochs[this.epochs.length - 1]);
  }

  /**
   * The batch losses of one epoch; their sum is what seed 003 prints as "Train Loss".
   *
   * @example
   * history.batchLossesOf(1).reduce((a, b) => a + b, 0); // 427.6 for seed 003's first epoch
   */
  batchLossesOf(epoch: number): number[] {
    return this.batchLoss.filter((_, i) => this.batchEpoch[i] === epoch);
  }

  /** One record per epoch (field names as in EpochLogs). */
  rows(): EpochLogs[] {
    return this.epochs.map((e) => this.at(e));
  }

  /**
   * The history as a table with readable headers (validation columns only when recorded), for
   * showTable: loss and accuracy, then the epoch's wall time and training throughput (rounded to
   * 0.1 s and whole examples per second, whatever `digits` the table is shown with).
   *
   * @example
   * showTable(history.table(), { label: "tbl-history", caption: "Loss and accuracy per epoch.", digits: 4 });
   */
  table(): { columns: string[]; rows: number[][] } {
    const hasValidation = this.valLoss.some((v) => !Number.isNaN(v));
    const columns = ["Epoch", "Training loss", "Training accuracy"];
    if (hasValidation) columns.push("Validation loss", "Validation accuracy");
    columns.push("Time (s)", "Samples/s");
    const rows = this.epochs.map((epoch, i) => {
      const row = [epoch, this.trainLoss[i], this.trainAccuracy[i]];
      if (hasValidation) row.push(this.valLoss[i], this.valAccuracy[i]);
      row.push(Math.round(this.seconds[i] * 10) / 10, Math.round(this.samplesPerSecond[i] ?? NaN));
      return row;
    });
    return { columns, rows };
  }
}

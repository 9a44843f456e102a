// Turning dataset views into TensorFlow.js tensors: one mini-batch at a time, or all at once.
import * as tf from "@tensorflow/tfjs";
import { ImageDataset, imageValues, shuffled } from "./dataset.js";
import { deriveSeed } from "./random.js";

/**
 * One mini-batch: images [n, height, width, channels] and integer labels [n].
 *
 * @example
 * for (const { xs, ys, size } of batches(train, 64)) { model.trainOnBatch(xs, ys); tf.dispose([xs, ys]); }
 */
export interface Batch {
  xs: tf.Tensor4D;
  ys: tf.Tensor1D;
  size: number;
}

/**
 * Order of the mini-batches: shuffled per epoch as PyTorch's DataLoader, or in order.
 *
 * @example
 * for (const batch of batches(train, 64, { shuffle: true, seed: 1, epoch: 3 })) tf.dispose([batch.xs, batch.ys]);
 */
export interface BatchOptions {
  /** Reshuffle the order before batching (as PyTorch's DataLoader(shuffle=True) does each epoch). */
  shuffle?: boolean;
  /** Seed of the shuffle; pass a different `epoch` for a new order each epoch. */
  seed?: number;
  /** Mixed into the seed so every epoch has its own order. */
  epoch?: number;
  /** Skip a last batch smaller than `batchSize`. */
  dropLast?: boolean;
}

/**
 * Mini-batches of a dataset as tensors. The caller disposes each batch (or runs inside tf.tidy).
 *
 * @example
 * for (const { xs, ys } of batches(train, 64, { shuffle: true, seed: 1, epoch })) {
 *   // xs: [64, 28, 28, 1] float32, ys: [64] int32
 *   tf.dispose([xs, ys]);
 * }
 */
export function* batches(ds: ImageDataset, batchSize: number, options: BatchOptions = {}): Generator<Batch> {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new Error(`invalid batch size: ${batchSize}`);
  const view = options.shuffle ? shuffled(ds, deriveSeed(options.seed ?? 0, options.epoch ?? 0)) : ds;
  const n = view.indices.length;
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize);
    if (options.dropLast && to - from < batchSize) break;
    yield batchTensors(view, from, to);
  }
}

/**
 * The number of batches `batches(ds, batchSize, options)` yields.
 *
 * @example
 * batchCount(loadMnist(), 64); // 938
 * const schedule = oneCycle({ maxRate: 0.1, totalSteps: 10 * batchCount(train, 64) });
 */
export function batchCount(ds: ImageDataset, batchSize: number, dropLast = false): number {
  const n = ds.indices.length;
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/**
 * Images `from`..`to` (exclusive) of a view as one batch of tensors.
 *
 * @example
 * const { xs, ys } = batchTensors(test, 0, 1000);
 */
export function batchTensors(ds: ImageDataset, from = 0, to = ds.indices.length): Batch {
  const [h, w, c] = ds.imageShape;
  const size = to - from;
  const xs = tf.tensor4d(imageValues(ds, from, to), [size, h, w, c], "float32");
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) labels[i] = ds.labels[ds.indices[from + i]];
  const ys = tf.tensor1d(labels, "int32");
  return { xs, ys, size };
}

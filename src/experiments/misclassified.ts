// Finding the examples a model gets wrong (seed 004, figure 7), with their pixels for an image grid.
import * as tf from "@tensorflow/tfjs";
import type { ImageDataset } from "../data/dataset.js";
import { labelsOf } from "../data/dataset.js";
import { batchTensors } from "../data/batches.js";
import { selectEngine } from "../display/engine.js";
import { forward } from "../models/forward.js";
import type { GridImage } from "../plots/image-grid.js";
import { checkDatasetFitsModel } from "../train/evaluate.js";

/**
 * One image (ready for imageGridSpec) with its true and predicted class.
 *
 * @example
 * const mistakes: LabelledImage[] = misclassifiedExamples(model, test, 36);
 * mistakes[0].caption; // "true: 7 / predicted: 1"
 */
export interface LabelledImage extends GridImage {
  actual: number;
  predicted: number;
  /** Position in the dataset view. */
  index: number;
  /** "true: cat / predicted: dog" (class names when the dataset has them). */
  caption: string;
}

/**
 * How misclassifiedExamples predicts.
 *
 * @example
 * misclassifiedExamples(model, test, 36, { batchSize: 250 } satisfies MisclassifiedOptions);
 */
export interface MisclassifiedOptions {
  /** Images per forward pass (default 1000); no tensor of the whole dataset is made. */
  batchSize?: number;
}

/**
 * The first `limit` misclassified images of a dataset view. Predicts batch by batch and stops at
 * the batch where the `limit`-th mistake is found.
 *
 * @example
 * const wrong = misclassifiedExamples(model, test, 36);
 * showFigure(misclassifiedGridSpec(wrong, { columns: 6 }), { caption: "Misclassified test images." });
 */
export function misclassifiedExamples(
  model: tf.LayersModel,
  ds: ImageDataset,
  limit = 36,
  options: MisclassifiedOptions = {},
): LabelledImage[] {
  const batchSize = options.batchSize ?? 1000;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`misclassifiedExamples: invalid batch size ${batchSize} (expected an integer >= 1)`);
  const [height, width, channels] = ds.imageShape;
  if (channels !== 1 && channels !== 3) throw new Error(`misclassifiedExamples: images with ${channels} channels cannot be shown (1 or 3 needed)`);
  selectEngine();
  checkDatasetFitsModel(model, ds);
  const actual = labelsOf(ds);
  const size = height * width * channels;
  const name = (c: number) => ds.classNames?.[c] ?? String(c);
  const out: LabelledImage[] = [];
  for (let from = 0; from < actual.length && out.length < limit; from += batchSize) {
    const to = Math.min(actual.length, from + batchSize);
    const predicted = tf.tidy(() => {
      const { xs } = batchTensors(ds, from, to);
      return forward(model, xs, false).argMax(-1).dataSync();
    });
    for (let i = from; i < to && out.length < limit; i++) {
      const guess = predicted[i - from];
      if (guess === actual[i]) continue;
      const start = ds.indices[i] * size;
      out.push({
        pixels: ds.pixels.slice(start, start + size),
        width,
        height,
        channels,
        actual: actual[i],
        predicted: guess,
        index: i,
        caption: `true: ${name(actual[i])} / predicted: ${name(guess)}`,
      });
    }
  }
  return out;
}

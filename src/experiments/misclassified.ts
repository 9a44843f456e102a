// Finding the examples a model gets wrong (seed 004, figure 7), with their pixels for an image grid.
import * as tf from "@tensorflow/tfjs";
import type { ImageDataset } from "../data/dataset.js";
import { labelsOf } from "../data/dataset.js";
import { predictLabels } from "../train/evaluate.js";

/** One image with its true and predicted class. */
export interface LabelledImage {
  /** Bytes in height × width × channels order. */
  pixels: Uint8Array;
  shape: [number, number, number];
  actual: number;
  predicted: number;
  /** Position in the dataset view. */
  index: number;
  /** "true: cat / predicted: dog" (class names when the dataset has them). */
  caption: string;
}

/**
 * The first `limit` misclassified images of a dataset view.
 *
 * @example
 * const wrong = misclassifiedExamples(model, test, 36);
 * showFigure(imageGridSpec(wrong, { columns: 6 }));
 */
export function misclassifiedExamples(model: tf.LayersModel, ds: ImageDataset, limit = 36): LabelledImage[] {
  const predicted = predictLabels(model, ds);
  const actual = labelsOf(ds);
  const size = ds.imageShape[0] * ds.imageShape[1] * ds.imageShape[2];
  const name = (c: number) => ds.classNames?.[c] ?? String(c);
  const out: LabelledImage[] = [];
  for (let i = 0; i < actual.length && out.length < limit; i++) {
    if (predicted[i] === actual[i]) continue;
    const start = ds.indices[i] * size;
    out.push({
      pixels: ds.pixels.slice(start, start + size),
      shape: ds.imageShape,
      actual: actual[i],
      predicted: predicted[i],
      index: i,
      caption: `true: ${name(actual[i])} / predicted: ${name(predicted[i])}`,
    });
  }
  return out;
}

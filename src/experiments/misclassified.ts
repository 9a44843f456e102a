// Finding the examples a model gets wrong (seed 004, figure 7), with their pixels for an image grid.
import * as tf from "@tensorflow/tfjs";
import type { ImageDataset } from "../data/dataset.js";
import { labelsOf } from "../data/dataset.js";
import type { GridImage } from "../plots/image-grid.js";
import { predictLabels } from "../train/evaluate.js";

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
 * The first `limit` misclassified images of a dataset view.
 *
 * @example
 * const wrong = misclassifiedExamples(model, test, 36);
 * showFigure(misclassifiedGridSpec(wrong, { columns: 6 }), { caption: "Misclassified test images." });
 */
export function misclassifiedExamples(model: tf.LayersModel, ds: ImageDataset, limit = 36): LabelledImage[] {
  const predicted = predictLabels(model, ds);
  const actual = labelsOf(ds);
  const [height, width, channels] = ds.imageShape;
  if (channels !== 1 && channels !== 3) throw new Error(`misclassifiedExamples: images with ${channels} channels cannot be shown (1 or 3 needed)`);
  const size = height * width * channels;
  const name = (c: number) => ds.classNames?.[c] ?? String(c);
  const out: LabelledImage[] = [];
  for (let i = 0; i < actual.length && out.length < limit; i++) {
    if (predicted[i] === actual[i]) continue;
    const start = ds.indices[i] * size;
    out.push({
      pixels: ds.pixels.slice(start, start + size),
      width,
      height,
      channels,
      actual: actual[i],
      predicted: predicted[i],
      index: i,
      caption: `true: ${name(actual[i])} / predicted: ${name(predicted[i])}`,
    });
  }
  return out;
}

// Figures of the experiments, as Vega-Lite v5 specs (plain JSON; display with showFigure).
// Built on the core library's figure style, so every axis and legend has labelLimit: 0.
import * as tf from "@tensorflow/tfjs";
import { meanStdBandSpec } from "../plots/band.js";
import { convFilterImages, FilterImageOptions } from "../plots/filters.js";
import { GridImage, ImageGridOptions, imageGridSpec } from "../plots/image-grid.js";
import { colorScale, figureSpec, percentFormat, VegaLiteSpec } from "../plots/style.js";
import type { DropoutSchemesResult } from "./dropout-evaluation.js";
import type { LrRangeTestResult } from "./lr-range-test.js";
import type { LabelledImage } from "./misclassified.js";
import type { RepeatedRuns } from "./repeated-runs.js";

const axis = (title: string, extra: Record<string, unknown> = {}) => ({ title, labelLimit: 0, ...extra });
const legend = (title: string | null) => ({ title, labelLimit: 0, titleLimit: 0 });

/**
 * Mean ± one standard deviation of a metric over repeated runs (seed 001, figure 4).
 *
 * @example
 * showFigure(repeatedRunsSpec(repeated, "trainLoss", { yTitle: "Training loss" }));
 */
export function repeatedRunsSpec(
  runs: RepeatedRuns | Record<string, RepeatedRuns>,
  metric: string,
  options: { xTitle?: string; yTitle?: string; std?: "population" | "sample"; title?: string } = {},
): VegaLiteSpec {
  const groups = "seeds" in runs && Array.isArray((runs as RepeatedRuns).seeds)
    ? { [`mean of ${(runs as RepeatedRuns).seeds.length} runs`]: (runs as RepeatedRuns).values(metric) }
    : Object.fromEntries(Object.entries(runs as Record<string, RepeatedRuns>).map(([k, r]) => [k, r.values(metric)]));
  return meanStdBandSpec(groups, { xTitle: options.xTitle ?? "Epoch", yTitle: options.yTitle ?? metric, std: options.std, title: options.title });
}

/**
 * One measured point of an accuracy-vs-learning-rate figure.
 *
 * @example
 * accuracyVsLearningRateSpec([{ learningRate: 0.1, accuracy: 0.97, series: "test" }]);
 */
export interface RatePoint {
  learningRate: number;
  accuracy: number;
  /** Series name (e.g. "test", "validation", an optimiser). */
  series?: string;
}

/**
 * Accuracy against learning rate on a log axis (seed 001, table 1 as a figure; or a search's trials).
 *
 * @example
 * accuracyVsLearningRateSpec([{ learningRate: 1e-4, accuracy: 0.97 }, { learningRate: 0.01, accuracy: 0.93 }]);
 */
export function accuracyVsLearningRateSpec(points: RatePoint[], options: { yTitle?: string; title?: string } = {}): VegaLiteSpec {
  if (points.length === 0) throw new Error("accuracyVsLearningRateSpec needs at least one point");
  const rows = points.map((p) => ({ learningRate: p.learningRate, accuracy: p.accuracy, series: p.series ?? "accuracy" }));
  const names = [...new Set(rows.map((r) => r.series))];
  return figureSpec(
    {
      data: { values: rows },
      mark: { type: "line", point: { size: 60 } },
      encoding: {
        x: { field: "learningRate", type: "quantitative", scale: { type: "log" }, axis: axis("Learning rate") },
        y: { field: "accuracy", type: "quantitative", axis: axis(options.yTitle ?? "Accuracy", { format: ".0%" }), scale: { domain: [0, 1] } },
        color: { field: "series", type: "nominal", scale: colorScale(names), legend: names.length > 1 ? legend(null) : null },
        tooltip: [{ field: "learningRate", title: "Learning rate" }, { field: "accuracy", format: ".2%", title: "Accuracy" }],
      },
    },
    { title: options.title },
  );
}

/**
 * The LR range test: loss (raw and smoothed) against the learning rate, the suggestion marked.
 *
 * @example
 * showFigure(lrRangeTestSpec(await lrRangeTest(model, train)), { caption: "Learning-rate range test." });
 */
export function lrRangeTestSpec(result: LrRangeTestResult, options: { title?: string } = {}): VegaLiteSpec {
  const rows = result.rates.flatMap((rate, i) => [
    { rate, loss: result.losses[i], series: "batch loss" },
    { rate, loss: result.smoothedLosses[i], series: "smoothed" },
  ]).filter((r) => Number.isFinite(r.loss));
  const names = ["batch loss", "smoothed"];
  const top = Math.min(Math.max(...result.smoothedLosses.filter(Number.isFinite)), 4 * Math.min(...result.smoothedLosses.filter(Number.isFinite)));
  return figureSpec(
    {
      layer: [
        {
          data: { values: rows },
          mark: { type: "line", clip: true },
          encoding: {
            x: { field: "rate", type: "quantitative", scale: { type: "log" }, axis: axis("Learning rate (log scale)") },
            y: { field: "loss", type: "quantitative", scale: { domainMax: top, zero: false }, axis: axis("Training loss") },
            color: { field: "series", type: "nominal", scale: colorScale(names), legend: legend(null) },
            opacity: { condition: { test: "datum.series === 'batch loss'", value: 0.4 }, value: 1 },
          },
        },
        {
          data: { values: [{ rate: result.suggestedRate, label: `suggested ${formatRate(result.suggestedRate)}` }] },
          layer: [
            { mark: { type: "rule", strokeDash: [4, 4], color: "#555" }, encoding: { x: { field: "rate", type: "quantitative" } } },
            { mark: { type: "text", align: "left", dx: 4, dy: -4, baseline: "bottom", color: "#333" }, encoding: { x: { field: "rate", type: "quantitative" }, y: { value: 12 }, text: { field: "label" } } },
          ],
        },
      ],
    },
    { title: options.title },
  );
}

function formatRate(rate: number): string {
  return rate >= 0.01 ? rate.toPrecision(2) : rate.toExponential(1);
}

/** What parameterNormTracker (train/weight-norm) records. */
type NormRecord = { steps: number[]; norms: number[] };

/**
 * L2 norm of all parameters per iteration, one line per run (seed 004, figure 2), from
 * parameterNormTracker callbacks.
 *
 * @example
 * parameterNormSpec({ "no weight decay": tracker1, "weight decay 0.01": tracker2 });
 */
export function parameterNormSpec(
  runs: NormRecord | Record<string, NormRecord>,
  options: { title?: string } = {},
): VegaLiteSpec {
  const groups = "norms" in runs && Array.isArray(runs.norms) ? { "L2 norm": runs as NormRecord } : (runs as Record<string, NormRecord>);
  const names = Object.keys(groups);
  const rows = names.flatMap((name) => groups[name].steps.map((iteration, i) => ({ iteration, norm: groups[name].norms[i], series: name })));
  return figureSpec(
    {
      data: { values: rows },
      mark: { type: "line" },
      encoding: {
        x: { field: "iteration", type: "quantitative", axis: axis("Iteration (minibatch update)") },
        y: { field: "norm", type: "quantitative", scale: { zero: false }, axis: axis("L2 norm of all parameters") },
        color: { field: "series", type: "nominal", scale: colorScale(names), legend: names.length > 1 ? legend(null) : null },
      },
    },
    { title: options.title },
  );
}

/**
 * Accuracy of the three dropout evaluation schemes against the number of sampled masks N (seed 004, figure 3).
 *
 * @example
 * showFigure(dropoutSchemesSpec(evaluateDropoutSchemes(model, test)));
 */
export function dropoutSchemesSpec(result: DropoutSchemesResult, options: { title?: string } = {}): VegaLiteSpec {
  const names = ["(i) scaled weights", "(ii) average before softmax", "(iii) average after softmax"];
  const rows = result.samples.flatMap((n, i) => [
    { n, accuracy: result.scaled, scheme: names[0] },
    { n, accuracy: result.beforeSoftmax[i], scheme: names[1] },
    { n, accuracy: result.afterSoftmax[i], scheme: names[2] },
  ]);
  return figureSpec(
    {
      data: { values: rows },
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "n", type: "quantitative", scale: { type: "log" }, axis: axis("Number of sampled dropout masks N (log scale)") },
        // Accuracies of the schemes often lie within a tenth of a point: as many decimals as the ticks need.
        y: {
          field: "accuracy", type: "quantitative", scale: { zero: false },
          axis: axis("Test accuracy", { format: percentFormat(rows.map((r) => r.accuracy)) }),
        },
        color: { field: "scheme", type: "nominal", scale: colorScale(names), legend: legend("Scheme") },
        strokeDash: { condition: { test: `datum.scheme === '${names[0]}'`, value: [4, 4] }, value: [1, 0] },
      },
    },
    { title: options.title },
  );
}

/**
 * Misclassified examples in a grid, each captioned with its true and predicted class (seed 004, figure 7).
 *
 * @example
 * showFigure(misclassifiedGridSpec(misclassifiedExamples(model, test, 36), { columns: 6 }), { caption: "Misclassified images." });
 */
export function misclassifiedGridSpec(examples: LabelledImage[], options: Omit<ImageGridOptions, "captions"> = {}): VegaLiteSpec {
  if (examples.length === 0) throw new Error("misclassifiedGridSpec: no misclassified examples to show");
  // Two short lines read better than one long one under a small picture.
  const captions = examples.map((e) => e.caption.replace("true: ", "").replace(" / predicted: ", " → "));
  return imageGridSpec(examples.map(enlarge(options.cellSize ?? 64)), { cellSize: 64, columns: 6, ...options, captions });
}

/**
 * The filters of a convolution (the first by default) as a numbered grid, enlarged without
 * blurring (seed 004, figure 6); built on the core library's convFilterImages and imageGridSpec.
 *
 * @example
 * showFigure(filterGridSpec(model), { caption: "Learned filters of the first convolution." });
 */
export function filterGridSpec(model: tf.LayersModel, options: Omit<ImageGridOptions, "captions"> & FilterImageOptions = {}): VegaLiteSpec {
  const filters = convFilterImages(model, { layer: options.layer, channel: options.channel });
  return imageGridSpec(filters.map(enlarge(options.cellSize ?? 40)), {
    columns: 8, cellSize: 40, ...options, captions: filters.map((_, i) => `${i + 1}`),
  });
}

/** Enlarges small images by whole factors (nearest neighbour) so no viewer blurs them. */
function enlarge(cell: number): (image: GridImage) => GridImage {
  return (image) => {
    const factor = Math.max(1, Math.floor(cell / Math.max(image.width, image.height)));
    if (factor === 1) return image;
    const { width: w, height: h, channels: c } = image;
    const W = w * factor;
    const out = new Uint8Array(h * factor * W * c);
    for (let y = 0; y < h * factor; y++) {
      for (let x = 0; x < W; x++) {
        const s = (Math.floor(y / factor) * w + Math.floor(x / factor)) * c;
        const d = (y * W + x) * c;
        for (let k = 0; k < c; k++) out[d + k] = image.pixels[s + k];
      }
    }
    return { pixels: out, width: W, height: h * factor, channels: c };
  };
}

// Figures of the experiments, as Vega-Lite v5 specs (plain JSON; display with showFigure).
// Built on the core library's figure style, so every axis and legend has labelLimit: 0.
import * as tf from "@tensorflow/tfjs";
import { meanStdBandSpec } from "../plots/band.js";
import { colorScale, figureSpec, VegaLiteSpec } from "../plots/style.js";
import type { DropoutSchemesResult } from "./dropout-evaluation.js";
import type { LrRangeTestResult } from "./lr-range-test.js";
import { pngDataUrl } from "./png.js";
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

/** One measured point of an accuracy-vs-learning-rate figure. */
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

/**
 * L2 norm of all parameters per iteration, one line per run (seed 004, figure 2).
 *
 * @example
 * parameterNormSpec({ "no weight decay": tracker1, "weight decay 0.01": tracker2 });
 */
export function parameterNormSpec(
  runs: { iterations: number[]; norms: number[] } | Record<string, { iterations: number[]; norms: number[] }>,
  options: { title?: string } = {},
): VegaLiteSpec {
  const groups = "norms" in runs && Array.isArray(runs.norms)
    ? { "L2 norm": runs as { iterations: number[]; norms: number[] } }
    : (runs as Record<string, { iterations: number[]; norms: number[] }>);
  const names = Object.keys(groups);
  const rows = names.flatMap((name) => groups[name].iterations.map((iteration, i) => ({ iteration, norm: groups[name].norms[i], series: name })));
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
        y: { field: "accuracy", type: "quantitative", scale: { zero: false }, axis: axis("Test accuracy", { format: ".1%" }) },
        color: { field: "scheme", type: "nominal", scale: colorScale(names), legend: legend("Scheme") },
        strokeDash: { condition: { test: `datum.scheme === '${names[0]}'`, value: [4, 4] }, value: [1, 0] },
      },
    },
    { title: options.title },
  );
}

/** One picture of an image grid. */
export interface GridImage {
  pixels: Uint8Array;
  /** [height, width, channels], channels 1 or 3. */
  shape: [number, number, number];
  caption?: string;
}

/**
 * Images in a grid as Vega-Lite `image` marks (PNG data URLs), with captions under them
 * (misclassified examples with true/predicted labels, learned filters).
 *
 * @example
 * showFigure(imageGridSpec(misclassifiedExamples(model, test, 36), { columns: 6 }), { caption: "Misclassified images." });
 */
export function imageGridSpec(images: GridImage[], options: { columns?: number; cellSize?: number; title?: string } = {}): VegaLiteSpec {
  if (images.length === 0) throw new Error("imageGridSpec needs at least one image");
  const columns = Math.max(1, Math.min(options.columns ?? 6, images.length));
  const cell = options.cellSize ?? 80;
  const captioned = images.some((im) => im.caption);
  const rowHeight = cell + (captioned ? 30 : 6);
  const colWidth = Math.max(cell + 6, captioned ? cell + 40 : 0);
  const rows = images.map((im, i) => {
    const [h, w, c] = im.shape;
    if (c !== 1 && c !== 3) throw new Error(`imageGridSpec: image ${i} has ${c} channels (expected 1 or 3)`);
    // Small images are enlarged here (nearest neighbour): SVG viewers would blur them.
    const factor = Math.max(1, Math.ceil(cell / Math.max(h, w)));
    const big = upscale(im.pixels, h, w, c, factor);
    const lines = (im.caption ?? "").split(" / ");
    return {
      x: (i % columns) * colWidth,
      y: Math.floor(i / columns) * rowHeight,
      url: pngDataUrl(big, h * factor, w * factor, c as 1 | 3),
      line1: lines[0] ?? "",
      line2: lines[1] ?? "",
    };
  });
  const width = columns * colWidth;
  const height = Math.ceil(images.length / columns) * rowHeight;
  const position = (field: string) => ({ field, type: "quantitative", scale: null, axis: null });
  const layer: VegaLiteSpec[] = [
    {
      mark: { type: "image", width: cell, height: cell, align: "left", baseline: "top", aria: false },
      encoding: { x: position("x"), y: position("y"), url: { field: "url", type: "nominal" } },
    },
  ];
  if (captioned) {
    for (const [field, dy] of [["line1", cell + 2], ["line2", cell + 14]] as const) {
      layer.push({
        mark: { type: "text", align: "center", baseline: "top", fontSize: 10, dy, dx: cell / 2, limit: 0 },
        encoding: { x: position("x"), y: position("y"), text: { field } },
      });
    }
  }
  return figureSpec({ data: { values: rows }, layer }, { title: options.title, width, height });
}

function upscale(pixels: Uint8Array, h: number, w: number, c: number, factor: number): Uint8Array {
  if (factor === 1) return pixels;
  const W = w * factor;
  const out = new Uint8Array(h * factor * W * c);
  for (let y = 0; y < h * factor; y++) {
    for (let x = 0; x < W; x++) {
      const s = (Math.floor(y / factor) * w + Math.floor(x / factor)) * c;
      const d = (y * W + x) * c;
      for (let k = 0; k < c; k++) out[d + k] = pixels[s + k];
    }
  }
  return out;
}

/**
 * The filters of a model's first convolution as images (each scaled to 0..255; RGB when the
 * input has 3 channels, else the first input channel in grey).
 *
 * @example
 * showFigure(imageGridSpec(convFilterImages(model), { columns: 8, cellSize: 40 }), { caption: "First-layer filters." });
 */
export function convFilterImages(model: tf.LayersModel, layerIndex?: number): GridImage[] {
  const convs = model.layers.filter((l) => l.getClassName() === "Conv2D");
  if (convs.length === 0) throw new Error(`model ${model.name} has no Conv2D layer`);
  const layer = convs[layerIndex ?? 0];
  if (!layer) throw new Error(`model ${model.name} has ${convs.length} Conv2D layers; no layer ${layerIndex}`);
  const kernel = layer.getWeights()[0]; // [kh, kw, in, out]
  const [kh, kw, cin, cout] = kernel.shape;
  const values = kernel.dataSync();
  const channels = cin === 3 ? 3 : 1;
  const images: GridImage[] = [];
  for (let f = 0; f < cout; f++) {
    const vals: number[] = [];
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let c = 0; c < channels; c++) vals.push(values[((y * kw + x) * cin + c) * cout + f]);
    const min = Math.min(...vals);
    const max = Math.max(...vals);
    const pixels = Uint8Array.from(vals, (v) => (max > min ? Math.round((255 * (v - min)) / (max - min)) : 128));
    images.push({ pixels, shape: [kh, kw, channels], caption: `filter ${f + 1}` });
  }
  return images;
}

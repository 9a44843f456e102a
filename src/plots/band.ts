import { colorScale, figureSpec, VegaLiteSpec } from "./style.js";

/**
 * Axis titles and the kind of standard deviation of a mean ± std band.
 *
 * @example
 * meanStdBandSpec(runs.values("valError"), { xTitle: "Epoch", yTitle: "Validation error", std: "sample" });
 */
export interface BandOptions {
  xTitle: string;
  yTitle: string;
  /** x of the first value (default 1). */
  xStart?: number;
  /** Standard deviation over runs as numpy's default ("population", ddof 0) or "sample" (ddof 1). */
  std?: "population" | "sample";
  title?: string;
  width?: number;
  height?: number;
}

/**
 * Mean and standard deviation across runs at every step.
 *
 * @example
 * meanAndStd([[1, 2], [3, 4]]); // { mean: [2, 3], std: [1, 1] }
 */
export function meanAndStd(runs: number[][], std: "population" | "sample" = "population"): { mean: number[]; std: number[] } {
  if (runs.length === 0) throw new Error("meanAndStd needs at least one run");
  const length = runs[0].length;
  if (runs.some((r) => r.length !== length)) {
    throw new Error(`runs differ in length: ${runs.map((r) => r.length).join(", ")} (every run needs one value per step)`);
  }
  const mean: number[] = [];
  const sd: number[] = [];
  for (let i = 0; i < length; i++) {
    const values = runs.map((r) => r[i]);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const dof = std === "sample" ? values.length - 1 : values.length;
    const v = dof > 0 ? values.reduce((a, b) => a + (b - m) ** 2, 0) / dof : 0;
    mean.push(m);
    sd.push(Math.sqrt(v));
  }
  return { mean, std: sd };
}

/**
 * Mean ± one standard deviation across repeated runs, as a line with a shaded band
 * (seed 001's "average training loss with std" over 3 runs). Several groups give several bands.
 *
 * @example
 * meanStdBandSpec([h1.trainLoss, h2.trainLoss, h3.trainLoss], { xTitle: "Epoch", yTitle: "Training loss" });
 * meanStdBandSpec({ "lr 0.01": runsA, "lr 0.001": runsB }, { xTitle: "Epoch", yTitle: "Loss" });
 */
export function meanStdBandSpec(runs: number[][] | Record<string, number[][]>, options: BandOptions): VegaLiteSpec {
  const groups = Array.isArray(runs) ? { Mean: runs } : runs;
  const names = Object.keys(groups);
  const rows: { x: number; mean: number; lower: number; upper: number; std: number; series: string; runs: number }[] = [];
  for (const name of names) {
    const { mean, std } = meanAndStd(groups[name], options.std);
    mean.forEach((m, i) =>
      rows.push({ x: (options.xStart ?? 1) + i, mean: m, lower: m - std[i], upper: m + std[i], std: std[i], series: name, runs: groups[name].length }),
    );
  }
  const color = { field: "series", type: "nominal", title: null, scale: colorScale(names), ...(names.length === 1 ? { legend: null } : {}) };
  const x = { field: "x", type: "quantitative", title: options.xTitle, axis: { tickMinStep: 1 } };
  return figureSpec(
    {
      data: { values: rows },
      layer: [
        {
          mark: { type: "area", opacity: 0.25 },
          encoding: { x, y: { field: "lower", type: "quantitative", title: options.yTitle, scale: { zero: false } }, y2: { field: "upper" }, color },
        },
        {
          mark: { type: "line", point: rows.length / names.length <= 50 },
          encoding: {
            x,
            y: { field: "mean", type: "quantitative", title: options.yTitle },
            color,
            tooltip: [
              { field: "x", type: "quantitative", title: options.xTitle },
              { field: "mean", type: "quantitative", title: "Mean", format: ".4f" },
              { field: "std", type: "quantitative", title: "Std", format: ".4f" },
            ],
          },
        },
      ],
    },
    options,
  );
}

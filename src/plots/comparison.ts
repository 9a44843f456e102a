import type { History } from "../train/history.js";
import type { CurveMetric } from "./learning-curve.js";
import { lineChartSpec } from "./line-chart.js";
import type { VegaLiteSpec } from "./style.js";

/**
 * Which metric and split a comparison of several runs shows.
 *
 * @example
 * comparisonCurveSpec({ "no decay": h1, "weight decay": h2 }, { metric: "error", split: "validation" });
 */
export interface ComparisonOptions {
  /** Error (default), loss or accuracy. */
  metric?: CurveMetric;
  /** Which split's curve to compare (default "validation"). */
  split?: "training" | "validation";
  /** The y-axis title (default e.g. "Validation error"). */
  yTitle?: string;
  /** Legend title (default none). */
  legendTitle?: string;
  title?: string;
  width?: number;
  height?: number;
}

/**
 * One curve per training run, e.g. seed 004's test error with and without regularisation,
 * or the dropout CNN against the batch-norm CNN.
 *
 * @example
 * showFigure(comparisonCurveSpec({ "With dropout": h1, "With batch norm": h2 }, { yTitle: "Test error" }),
 *   { label: "fig-cnns", caption: "Test error per epoch of the two CNNs." });
 */
export function comparisonCurveSpec(histories: Record<string, History>, options: ComparisonOptions = {}): VegaLiteSpec {
  const metric = options.metric ?? "error";
  const split = options.split ?? "validation";
  const names = Object.keys(histories);
  if (names.length === 0) throw new Error("comparisonCurveSpec needs at least one history");
  const pick = (h: History) =>
    split === "training"
      ? { error: h.trainError, loss: h.trainLoss, accuracy: h.trainAccuracy }[metric]
      : { error: h.valError, loss: h.valLoss, accuracy: h.valAccuracy }[metric];
  if (!pick(histories[names[0]])) throw new Error(`invalid metric: ${metric} (use error, loss or accuracy)`);
  const metricTitle = { error: "error", loss: "loss", accuracy: "accuracy" }[metric];
  return lineChartSpec(
    names.map((name) => ({ name, values: pick(histories[name]), x: histories[name].epochs })),
    {
      xTitle: "Epoch",
      yTitle: options.yTitle ?? `${split === "training" ? "Training" : "Validation"} ${metricTitle}`,
      legendTitle: options.legendTitle,
      title: options.title,
      width: options.width,
      height: options.height,
    },
  );
}

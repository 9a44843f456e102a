import type { History } from "../train/history.js";
import { lineChartSpec, Series } from "./line-chart.js";
import type { VegaLiteSpec } from "./style.js";

/**
 * Which quantity a learning curve shows.
 *
 * @example
 * learningCurveSpec(history, { metric: "loss" });
 */
export type CurveMetric = "error" | "loss" | "accuracy";

/**
 * What a learning curve shows: the metric, which splits, and how.
 *
 * @example
 * learningCurveSpec(history, { metric: "error", series: ["validation"], validationName: "Test", percent: true });
 */
export interface LearningCurveOptions {
  /** Error (default), loss or accuracy. */
  metric?: CurveMetric;
  /** Which series: training and/or validation (default both, validation only when recorded). */
  series?: ("training" | "validation")[];
  /** Show error/accuracy in percent (default false: fractions, as the seeds). */
  percent?: boolean;
  /** Label of the validation series (default "Validation"; e.g. "Test"). */
  validationName?: string;
  title?: string;
  width?: number;
  height?: number;
}

const TITLES: Record<CurveMetric, string> = { error: "Error", loss: "Loss", accuracy: "Accuracy" };

/**
 * The learning curve of a training run: training and validation error (or loss, accuracy) per epoch.
 *
 * @example
 * showFigure(learningCurveSpec(history), { label: "fig-errors", caption: "Training and validation error per epoch." });
 * showFigure(learningCurveSpec(history, { metric: "loss" }));
 */
export function learningCurveSpec(history: History, options: LearningCurveOptions = {}): VegaLiteSpec {
  const metric = options.metric ?? "error";
  if (!(metric in TITLES)) throw new Error(`invalid learning-curve metric: ${metric} (use error, loss or accuracy)`);
  if (history.epochs.length === 0) throw new Error("learningCurveSpec: the history has no epochs yet");
  const hasValidation = history.valLoss.some((v) => !Number.isNaN(v));
  const wanted = options.series ?? (hasValidation ? ["training", "validation"] : ["training"]);
  const scale = options.percent && metric !== "loss" ? 100 : 1;
  const pick = (which: "training" | "validation"): number[] => {
    const arrays = {
      training: { error: history.trainError, loss: history.trainLoss, accuracy: history.trainAccuracy },
      validation: { error: history.valError, loss: history.valLoss, accuracy: history.valAccuracy },
    };
    return arrays[which][metric].map((v) => v * scale);
  };
  const series: Series[] = wanted.map((which) => ({
    name: which === "training" ? "Training" : (options.validationName ?? "Validation"),
    values: pick(which),
    x: history.epochs,
  }));
  const yTitle = `${TITLES[metric]}${scale === 100 ? " (%)" : ""}`;
  return lineChartSpec(series, { xTitle: "Epoch", yTitle, title: options.title, width: options.width, height: options.height, points: true });
}

import { figureSpec, VegaLiteSpec } from "./style.js";

/**
 * Class names, colouring and size of a confusion-matrix plot.
 *
 * @example
 * confusionMatrixSpec(modelConfusionMatrix(model, test), { classNames: ["cat", "dog"], normalize: true });
 */
export interface ConfusionMatrixOptions {
  /** Class names in label order (default "0", "1", …). */
  classNames?: string[];
  /** Colour by row share (each actual class sums to 1) instead of counts (default false). */
  normalize?: boolean;
  title?: string;
  /** Side of the square plot (default 320). */
  size?: number;
}

/**
 * A confusion-matrix heat map: actual class down, predicted class across, counts in the cells.
 *
 * @example
 * showFigure(confusionMatrixSpec(modelConfusionMatrix(model, test)), { label: "fig-confusion", caption: "Test confusion matrix." });
 */
export function confusionMatrixSpec(matrix: number[][], options: ConfusionMatrixOptions = {}): VegaLiteSpec {
  const n = matrix.length;
  if (n === 0 || matrix.some((row) => row.length !== n)) throw new Error(`confusion matrix must be square, got ${n} rows of lengths ${matrix.map((r) => r.length).join(", ")}`);
  const names = options.classNames ?? matrix.map((_, i) => String(i));
  if (names.length !== n) throw new Error(`confusion matrix has ${n} classes but ${names.length} class names`);
  const rows: { actual: string; predicted: string; count: number; share: number }[] = [];
  matrix.forEach((row, a) => {
    const total = row.reduce((s, c) => s + c, 0);
    row.forEach((count, p) => rows.push({ actual: names[a], predicted: names[p], count, share: total ? count / total : 0 }));
  });
  const colorField = options.normalize ? "share" : "count";
  const max = Math.max(...rows.map((r) => r[colorField]));
  const size = options.size ?? 320;
  return figureSpec(
    {
      data: { values: rows },
      encoding: {
        x: { field: "predicted", type: "ordinal", sort: names, title: "Predicted class", axis: { labelAngle: 0, grid: false } },
        y: { field: "actual", type: "ordinal", sort: names, title: "Actual class", axis: { grid: false } },
      },
      layer: [
        {
          mark: "rect",
          encoding: {
            color: { field: colorField, type: "quantitative", title: options.normalize ? "Share" : "Count", scale: { scheme: "blues" } },
            tooltip: [
              { field: "actual", title: "Actual" },
              { field: "predicted", title: "Predicted" },
              { field: "count", title: "Count" },
            ],
          },
        },
        {
          mark: { type: "text", fontSize: n > 10 ? 8 : 10 },
          encoding: {
            text: { field: "count", type: "quantitative" },
            color: { condition: { test: `datum.${colorField} > ${max / 2}`, value: "white" }, value: "black" },
          },
        },
      ],
    },
    { title: options.title, width: size, height: size },
  );
}

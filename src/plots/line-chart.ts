import { colorScale, figureSpec, VegaLiteSpec } from "./style.js";

/**
 * One named series of y values (x = xStart, xStart+1, … unless `x` is given).
 *
 * @example
 * const series: Series[] = [{ name: "lr 0.1", values: h1.trainLoss }, { name: "lr 0.01", values: h2.trainLoss }];
 */
export interface Series {
  name: string;
  values: number[];
  x?: number[];
  /** Draw this series dashed (e.g. a baseline next to measured curves). */
  dashed?: boolean;
}

/**
 * Axis titles, scale and size of a line chart.
 *
 * @example
 * lineChartSpec(series, { xTitle: "Iteration", yTitle: "Training loss", logY: true, points: false });
 */
export interface LineChartOptions {
  /** Title of the x axis (e.g. "Epoch", "Iteration"). */
  xTitle: string;
  /** Title of the y axis (e.g. "Training loss"). */
  yTitle: string;
  /** The x of the first value when a series has no `x` (default 1). */
  xStart?: number;
  /** Legend title (default none). */
  legendTitle?: string;
  /** Logarithmic y axis. */
  logY?: boolean;
  /** Show a point on every value (default: when there are at most 50 values). */
  points?: boolean;
  /** d3 format of the y axis labels and tooltips, e.g. ".1%" or percentFormat(values) (default Vega's). */
  yFormat?: string;
  /** Where the legend goes: "right" of the plot (default) or "bottom", in a row (for narrow panels). */
  legend?: "right" | "bottom";
  title?: string;
  width?: number;
  height?: number;
}

/**
 * Flattens series into long-format rows {x, y, series}; non-finite values are left out.
 *
 * @example
 * seriesRows([{ name: "loss", values: [0.9, 0.5] }]); // [{ x: 1, y: 0.9, series: "loss" }, { x: 2, y: 0.5, series: "loss" }]
 */
export function seriesRows(series: Series[], xStart = 1): { x: number; y: number; series: string }[] {
  const rows: { x: number; y: number; series: string }[] = [];
  for (const s of series) {
    s.values.forEach((y, i) => {
      if (Number.isFinite(y)) rows.push({ x: s.x ? s.x[i] : xStart + i, y, series: s.name });
    });
  }
  return rows;
}

/**
 * A line chart of one or more series, e.g. the training loss per epoch for three learning rates.
 *
 * @example
 * lineChartSpec(
 *   [{ name: "lr 0.0001", values: h1.trainLoss }, { name: "lr 0.01", values: h2.trainLoss }],
 *   { xTitle: "Epoch", yTitle: "Training loss" },
 * );
 */
export function lineChartSpec(series: Series | Series[], options: LineChartOptions): VegaLiteSpec {
  const list = Array.isArray(series) ? series : [series];
  if (list.length === 0) throw new Error("lineChartSpec needs at least one series");
  const names = list.map((s) => s.name);
  const longest = Math.max(...list.map((s) => s.values.length));
  const points = options.points ?? longest <= 50;
  // Integer steps (epochs, iterations) print as integers, also when a run has a single epoch.
  const integerX = list.every((s) => (s.x ?? []).every(Number.isInteger));
  if (options.legend !== undefined && options.legend !== "right" && options.legend !== "bottom") {
    throw new Error(`lineChartSpec: invalid legend position "${options.legend}" (expected "right" or "bottom")`);
  }
  const legend = list.length === 1 && !options.legendTitle
    ? { legend: null }
    : options.legend === "bottom" ? { legend: { orient: "bottom", direction: "horizontal" } } : {};
  // Dashes as a scale on the series (same title and legend as the colours, so Vega-Lite draws one
  // legend whose symbols show both).
  const dashes = list.some((s) => s.dashed)
    ? {
      strokeDash: {
        field: "series",
        type: "nominal",
        title: options.legendTitle ?? null,
        scale: { domain: names, range: list.map((s) => (s.dashed ? [6, 4] : [1, 0])) },
        sort: names,
        ...legend,
      },
    }
    : {};
  return figureSpec(
    {
      data: { values: seriesRows(list, options.xStart ?? 1) },
      mark: { type: "line", point: points },
      encoding: {
        x: { field: "x", type: "quantitative", title: options.xTitle, axis: { tickMinStep: 1, ...(integerX ? { format: "d" } : {}) } },
        y: {
          field: "y",
          type: "quantitative",
          title: options.yTitle,
          scale: options.logY ? { type: "log" } : { zero: false },
          ...(options.yFormat ? { axis: { format: options.yFormat } } : {}),
        },
        color: {
          field: "series",
          type: "nominal",
          title: options.legendTitle ?? null,
          scale: colorScale(names),
          sort: names,
          ...legend,
        },
        ...dashes,
        tooltip: [
          { field: "series", type: "nominal", title: options.legendTitle ?? "Series" },
          { field: "x", type: "quantitative", title: options.xTitle },
          { field: "y", type: "quantitative", title: options.yTitle, format: options.yFormat ?? ".4f" },
        ],
      },
    },
    options,
  );
}

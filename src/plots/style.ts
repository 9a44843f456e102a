// The house style of every figure: size, fonts, and labels that are never cut
// (without node-canvas, text width is estimated, so labelLimit: 0 on axes and legends).

/**
 * A Vega-Lite v5 spec: a plain JSON object (vega-lite itself is not imported here).
 *
 * @example
 * const spec: VegaLiteSpec = learningCurveSpec(history);
 * showFigure(spec, { caption: "Error per epoch." });
 */
export type VegaLiteSpec = Record<string, unknown>;

/**
 * Default width of every figure, in pixels.
 *
 * @example
 * lineChartSpec(series, { xTitle: "Epoch", yTitle: "Loss", width: 2 * FIGURE_WIDTH });
 */
export const FIGURE_WIDTH = 480;
/**
 * Default height of every figure, in pixels.
 *
 * @example
 * learningCurveSpec(history, { height: FIGURE_HEIGHT / 2 });
 */
export const FIGURE_HEIGHT = 280;

/**
 * Colours of the usual series, the same in every figure.
 *
 * @example
 * const validationColour = SERIES_COLORS[1]; // orange, as in every learning curve
 */
export const SERIES_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

/**
 * The shared top level of a spec: schema, size, config; `body` is merged in.
 *
 * @example
 * figureSpec({ data: { values }, mark: "line", encoding: { ... } }, { title: "Loss" });
 */
export function figureSpec(body: VegaLiteSpec, options: { title?: string; width?: number; height?: number } = {}): VegaLiteSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? FIGURE_WIDTH,
    height: options.height ?? FIGURE_HEIGHT,
    ...body,
    config: {
      font: "DejaVu Sans",
      view: { stroke: null },
      axis: { labelLimit: 0, titleFontSize: 12, labelFontSize: 11, titleFontWeight: "normal", grid: true, gridOpacity: 0.5 },
      legend: { labelLimit: 0, titleLimit: 0, labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", orient: "right" },
      title: { fontSize: 13, fontWeight: "normal" },
      line: { strokeWidth: 2 },
    },
  };
}

/**
 * The colour scale for a list of series names, in SERIES_COLORS order.
 *
 * @example
 * colorScale(["Training", "Validation"]); // { domain: […], range: ["#1f77b4", "#ff7f0e"] }
 */
export function colorScale(names: string[]): { domain: string[]; range: string[] } {
  return { domain: names, range: names.map((_, i) => SERIES_COLORS[i % SERIES_COLORS.length]) };
}

/**
 * A d3 percent format (".0%", ".1%", ".2%", …) with just enough decimals that the axis ticks of
 * these values read differently: over [0.9841, 0.9849] ".2%" (98.42%, 98.44%, …), where ".1%"
 * would print 98.4% on every tick. `ticks` is the most ticks the axis may draw (default 10; Vega-Lite
 * draws about one per 40 pixels), since more ticks are closer together and need more decimals.
 *
 * @example
 * lineChartSpec(series, { xTitle: "N", yTitle: "Accuracy", yFormat: percentFormat(accuracies) });
 */
export function percentFormat(values: number[], options: { ticks?: number } = {}): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return ".0%";
  const ticks = options.ticks ?? 10;
  if (!(Number.isInteger(ticks) && ticks >= 1)) throw new Error(`percentFormat: invalid ticks ${ticks} (expected an integer >= 1)`);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  // One value (or all equal): the axis shows it alone; one decimal is enough for it.
  if (hi === lo) return ".1%";
  const step = tickStep(lo, hi, ticks) * 100;
  // Decimals of a tick step that is 1, 2 or 5 × 10^k percent: -k when k < 0.
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  return `.${decimals}%`;
}

/** The step between d3's (and so Vega's) "nice" ticks over [lo, hi]: 1, 2 or 5 × 10^k. */
function tickStep(lo: number, hi: number, count: number): number {
  const raw = (hi - lo) / count;
  let step = 10 ** Math.floor(Math.log10(raw));
  const error = raw / step;
  if (error >= Math.sqrt(50)) step *= 10;
  else if (error >= Math.sqrt(10)) step *= 5;
  else if (error >= Math.sqrt(2)) step *= 2;
  return step;
}

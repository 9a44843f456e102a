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

// Plots: Vega-Lite v5 specs as plain JSON (display them with showFigure).
export { figureSpec, colorScale, FIGURE_WIDTH, FIGURE_HEIGHT, SERIES_COLORS } from "./style.js";
export type { VegaLiteSpec } from "./style.js";
export { lineChartSpec, seriesRows } from "./line-chart.js";
export type { Series, LineChartOptions } from "./line-chart.js";
export { learningCurveSpec } from "./learning-curve.js";
export type { CurveMetric, LearningCurveOptions } from "./learning-curve.js";
export { meanStdBandSpec, meanAndStd } from "./band.js";
export type { BandOptions } from "./band.js";
export { confusionMatrixSpec } from "./confusion-matrix.js";
export type { ConfusionMatrixOptions } from "./confusion-matrix.js";
export { encodePng, pngDataUrl } from "./png.js";
export { imageGridSpec, datasetImages } from "./image-grid.js";
export type { ImageGridOptions, GridImage } from "./image-grid.js";
export { comparisonCurveSpec } from "./comparison.js";
export type { ComparisonOptions } from "./comparison.js";
export { convFilterImages } from "./filters.js";
export type { FilterImageOptions } from "./filters.js";

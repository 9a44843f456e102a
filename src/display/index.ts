// Display: Markdown, figures, tables, progress and the engine record, as Jupyter mime bundles
// with labreport metadata (the report build's renderer relies on these exact shapes).
export { inKernel, writeDisplay, newDisplayId } from "./jupyter-display.js";
export type { DisplayMessage } from "./jupyter-display.js";
export { showMarkdown } from "./markdown.js";
export { showFigure } from "./figure.js";
export type { FigureOptions } from "./figure.js";
export { showTable, toTableData, tableMarkdown, tableText } from "./table.js";
export { tableHtml } from "../contract/html.js";
export type { TableData, TableInput, TableOptions, Cell } from "./table.js";
export { ProgressDisplay, progressHtml } from "./progress.js";
export type { ProgressOptions } from "./progress.js";
export { selectEngine } from "./engine.js";

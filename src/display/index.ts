// Display: Markdown, figures, tables, progress and the engine record, as Jupyter mime bundles
// with labreport metadata (the format is src/contract/report-outputs.ts). Only what a notebook
// author calls is exported; the writer (jupyter-display.ts) and the table forms stay in their modules.
export { showMarkdown } from "./markdown.js";
export { showFigure } from "./figure.js";
export type { FigureOptions } from "./figure.js";
export { showTable } from "./table.js";
export type { TableInput, TableOptions, Cell } from "./table.js";
export { ProgressDisplay } from "./progress.js";
export type { ProgressOptions } from "./progress.js";
export { selectEngine } from "./engine.js";

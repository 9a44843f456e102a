// The execute stage's public face: the build pipeline imports from here.
export { cellName, executeNotebook } from "./execute";
export type { CellFailure, CellProgress, DisplayEvent, ExecuteOptions, ExecuteResult } from "./execute";
export { resolveTslab } from "./jupyter-kernel";
export { planCells, restoreSkipped } from "./cell-plan";
export type { CellPlan } from "./cell-plan";

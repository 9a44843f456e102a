// Which cells the kernel runs, and which may fail: the cell options that govern execution.
// `//| eval: false` cells are handed to the kernel empty (it skips empty cells) and get their source
// back afterwards, so they stay in the executed notebook unexecuted, with no outputs, as in Quarto;
// `//| error: true` cells are expected to fail and never stop the run.
import { parseCellOptions } from "../cell-options.js";
import { joinSource, type Notebook } from "../notebook.js";

export interface CellPlan {
  /** The notebook as the kernel sees it: unevaluated cells emptied. */
  forKernel: Notebook;
  /** Indexes of the cells with `eval: false`. */
  skipped: number[];
  /** Indexes of the cells with `error: true`. */
  errorCells: Set<number>;
}

export function planCells(nb: Notebook): CellPlan {
  const forKernel = structuredClone(nb);
  const skipped: number[] = [];
  const errorCells = new Set<number>();
  forKernel.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    const { options } = parseCellOptions(joinSource(cell.source));
    if (options.error) errorCells.add(i);
    if (!options.eval) {
      skipped.push(i);
      cell.source = "";
    }
  });
  return { forKernel, skipped, errorCells };
}

/** The executed notebook with the unevaluated cells' source put back. */
export function restoreSkipped(executed: Notebook, original: Notebook, plan: CellPlan): Notebook {
  for (const i of plan.skipped) executed.cells[i]!.source = original.cells[i]!.source;
  return executed;
}

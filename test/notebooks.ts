// In-memory notebooks for tests: the cells and outputs a test needs, without nbformat's boilerplate.
import { Cell, CodeCell, Notebook, Output } from "../src/report/notebook.js";

export const md = (source: string | string[]): Cell => ({ cell_type: "markdown", metadata: {}, source });
export const raw = (source: string): Cell => ({ cell_type: "raw", metadata: {}, source });
/** A code cell; with outputs it reads as executed (execution_count 1), without as not yet run. */
export const code = (source: string, outputs: Output[] = []): CodeCell => ({
  cell_type: "code",
  metadata: {},
  execution_count: outputs.length ? 1 : null,
  source,
  outputs,
});
export const notebook = (...cells: Cell[]): Notebook => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });
export const stdout = (text: string): Output => ({ output_type: "stream", name: "stdout", text });

/** Report HTML without its stylesheet (KaTeX's CSS would match many patterns). */
export function body(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/g, "");
}

/** The report's visible text, tags removed and white space collapsed. */
export function textOf(html: string): string {
  return body(html).replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
}

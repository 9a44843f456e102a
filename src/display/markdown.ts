import { writeDisplay } from "./jupyter-display.js";

/**
 * Displays Markdown (rendered by Jupyter and by the report build).
 *
 * @example
 * showMarkdown(`Final validation accuracy: **${(acc * 100).toFixed(1)}%**`);
 */
export function showMarkdown(md: string): void {
  if (typeof md !== "string") throw new Error(`showMarkdown needs a string, got ${typeof md}`);
  writeDisplay({ data: { "text/markdown": md, "text/plain": md } });
}

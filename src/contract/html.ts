// The HTML that both sides of the contract write: escaping, and a table as Jupyter shows it after
// showTable and as the report prints it (report.css styles table.data; Jupyter right-aligns cells).
import type { TableCell, TableData } from "./report-outputs.js";
import { cellText, columnDecimals } from "./table-numbers.js";

/** Text made safe inside HTML elements and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * The table as an HTML <table class="data">: each numeric column with one number of decimals (at
 * most `digits`), numbers right-aligned (td.num), short labels kept on one line (td.nowrap).
 *
 * @example
 * tableHtml({ columns: ["model", "loss"], rows: [["MLP", 4.58], ["CNN", 5.2]] }); // … 4.58 … 5.20 …
 */
export function tableHtml(table: TableData, options: { digits?: number } = {}): string {
  const decimals = columnDecimals(table, options.digits);
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  // Short labels ("MLP 784-512-10") never break inside a token; long text still wraps.
  const cls = (v: TableCell) => (typeof v === "number" ? "num" : typeof v === "string" && v.length <= 24 ? "nowrap" : "");
  const rows = table.rows
    .map((r) => `<tr>${r.map((v, c) => `<td class="${cls(v)}">${escapeHtml(cellText(v, decimals[c], true))}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table class="data"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

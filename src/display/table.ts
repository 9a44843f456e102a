// Tables: one normalised form ({columns, rows}) rendered as JSON for the report build,
// HTML for Jupyter, Markdown and aligned plain text.
import { tableHtml } from "../contract/html.js";
import { TABLE_MIME, TableCell, TableData, labreportMetadata } from "../contract/report-outputs.js";
import { cellText, columnDecimals, roundedText } from "../contract/table-numbers.js";
import { writeDisplay } from "./jupyter-display.js";
import { checkLabel } from "./labels.js";

/**
 * One table cell: text, a number, or empty (null).
 *
 * @example
 * const row: Cell[] = ["SVM", 0.86, null];
 */
export type Cell = TableCell;

export type { TableData };

/**
 * What showTable accepts: records (one object per row, columns in first-seen key order) or columns + rows.
 * Records are typed as `object` so that interfaces without an index signature (EpochLogs from
 * `history.rows()`, LayerSummary from `summarizeModel`) are accepted; other cells are shown as text.
 *
 * @example
 * showTable([{ model: "SVM", accuracy: 0.86 }, { model: "CNN", accuracy: 0.97 }]);
 * showTable({ columns: ["model", "accuracy"], rows: [["SVM", 0.86]] });
 */
export type TableInput = readonly object[] | TableColumnsRows;
export interface TableColumnsRows {
  columns: string[];
  rows: (Cell | undefined)[][];
}

/**
 * The cross-reference label, caption and rounding of a table.
 *
 * @example
 * showTable(history.table(), { label: "tbl-epochs", caption: "The run, epoch by epoch.", digits: 3 });
 */
export interface TableOptions {
  /** Cross-reference label, starting with "tbl-". */
  label?: string;
  /** The table's caption. */
  caption?: string;
  /** Decimal places for non-integer numbers (default: as given); tiny numbers keep this many significant digits. */
  digits?: number;
}

/**
 * Normalises table input into {columns, rows}, rounding non-integers to `digits` places.
 *
 * @example
 * toTableData([{ lr: 0.01, accuracy: 0.93 }]); // { columns: ["lr", "accuracy"], rows: [[0.01, 0.93]] }
 */
export function toTableData(input: TableInput, digits?: number): TableData {
  let columns: string[];
  let rows: (Cell | undefined)[][];
  if (Array.isArray(input)) {
    const records = input as readonly object[]; // isArray does not narrow readonly arrays
    columns = [];
    for (const record of records) for (const key of Object.keys(record)) if (!columns.includes(key)) columns.push(key);
    rows = records.map((record) => columns.map((c) => (record as Record<string, Cell | undefined>)[c]));
  } else if (input && Array.isArray((input as TableColumnsRows).columns) && Array.isArray((input as TableColumnsRows).rows)) {
    columns = (input as TableColumnsRows).columns.map(String);
    rows = (input as TableColumnsRows).rows;
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== columns.length) {
        throw new Error(`invalid table row ${i}: ${JSON.stringify(row)} (expected ${columns.length} cells)`);
      }
    });
  } else {
    throw new Error(`invalid table: ${JSON.stringify(input)?.slice(0, 80)} (expected an array of records or {columns, rows})`);
  }
  return { columns, rows: rows.map((row) => row.map((cell) => normalizeCell(cell, digits))) };
}

function normalizeCell(cell: unknown, digits?: number): Cell {
  if (cell === undefined || cell === null) return null;
  if (typeof cell === "number") {
    if (!Number.isFinite(cell)) return Number.isNaN(cell) ? null : cell;
    return digits !== undefined && !Number.isInteger(cell) ? Number(roundedText(cell, digits)) : cell;
  }
  return typeof cell === "object" ? JSON.stringify(cell) : String(cell);
}

/** Which columns hold only numbers (right-aligned). */
function numericColumns(table: TableData): boolean[] {
  return table.columns.map((_, c) => table.rows.length > 0 && table.rows.every((r) => r[c] === null || typeof r[c] === "number"));
}

/**
 * The table as a GitHub-flavoured Markdown table.
 *
 * @example
 * tableMarkdown(toTableData([{ a: 1 }])); // "| a |\n|--:|\n| 1 |"
 */
export function tableMarkdown(table: TableData, options: { digits?: number } = {}): string {
  const numeric = numericColumns(table);
  const decimals = columnDecimals(table, options.digits);
  const escape = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(table.columns.map(escape)),
    `|${numeric.map((n) => (n ? "--:" : ":--")).join("|")}|`,
    ...table.rows.map((row) => line(row.map((cell, c) => escape(cellText(cell, decimals[c], false))))),
  ].join("\n");
}

/**
 * The table as aligned plain text (numbers right-aligned).
 *
 * @example
 * tableText(toTableData([{ lr: 0.01, acc: 0.97 }]));
 * // "lr    acc\n----  ----\n0.01  0.97"
 */
export function tableText(table: TableData, options: { digits?: number } = {}): string {
  const numeric = numericColumns(table);
  const decimals = columnDecimals(table, options.digits);
  const cells = table.rows.map((row) => row.map((cell, c) => cellText(cell, decimals[c], false)));
  const widths = table.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (r: string[]) => r.map(pad).join("  ").trimEnd();
  return [line(table.columns), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/**
 * Displays a (numbered, captioned) table.
 *
 * @example
 * showTable(
 *   [{ "learning rate": 0.0001, accuracy: 0.97 }, { "learning rate": 0.01, accuracy: 0.93 }],
 *   { label: "tbl-lr", caption: "Test accuracy per learning rate.", digits: 3 },
 * );
 */
export function showTable(input: TableInput, options: TableOptions = {}): void {
  checkLabel(options.label, "tbl");
  const table = toTableData(input, options.digits);
  writeDisplay({
    data: {
      [TABLE_MIME]: table,
      "text/html": tableHtml(table, { digits: options.digits }),
      "text/markdown": tableMarkdown(table, { digits: options.digits }),
      "text/plain": tableText(table, { digits: options.digits }),
    },
    metadata: labreportMetadata({ kind: "table", label: options.label, caption: options.caption }),
  });
}

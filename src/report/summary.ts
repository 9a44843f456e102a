// The batch summary of a build over many notebooks (a grader's folder of submissions): one row per
// notebook, printed as a table in the terminal and written as CSV and HTML beside the reports.
import * as path from "node:path";
import { commitFiles } from "./commit.js";
import { escapeHtml as esc } from "../contract/html.js";

export interface BatchRow {
  notebook: string;
  status: "built" | "failed";
  seconds: number;
  pages?: number;
  figures?: number;
  tables?: number;
  /** "executed", "frozen (…)" or "rendered from stored outputs". */
  execution?: string;
  /** The one-line error of a failed notebook. */
  error?: string;
}

const COLUMNS = ["notebook", "status", "time (s)", "pages", "figures", "tables", "error"] as const;

function cells(r: BatchRow): string[] {
  return [r.notebook, r.status, r.seconds.toFixed(1), String(r.pages ?? ""), String(r.figures ?? ""), String(r.tables ?? ""), r.error ?? ""];
}

/** Pages of a PDF that Chromium printed (its page objects are written uncompressed). */
export function countPdfPages(pdf: Uint8Array): number | undefined {
  return Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString("latin1").match(/\/Type\s*\/Page\b(?!s)/g)?.length || undefined;
}

export function summaryCsv(rows: BatchRow[]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [COLUMNS.join(","), ...rows.map((r) => cells(r).map(quote).join(","))].join("\n") + "\n";
}

export function summaryHtml(rows: BatchRow[], title = "labreport build summary"): string {
  const built = rows.filter((r) => r.status === "built").length;
  const body = rows
    .map((r) => `<tr class="${r.status}">${cells(r).map((c, i) => `<td${i >= 2 && i <= 5 ? ' class="num"' : ""}>${esc(c)}</td>`).join("")}</tr>`)
    .join("\n");
  return `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ccc;text-align:left}td.num{text-align:right}tr.failed td{background:#fdf0ee}</style>
<h1>${esc(title)}</h1><p>${built} of ${rows.length} notebooks built.</p>
<table><thead><tr>${COLUMNS.map((c) => `<th>${c}</th>`).join("")}</tr></thead><tbody>
${body}
</tbody></table>
`;
}

/** The summary as aligned text for the terminal (errors cut to keep one line per notebook). */
export function summaryText(rows: BatchRow[]): string {
  const table = [COLUMNS.map(String), ...rows.map((r) => cells(r).map((c, i) => (i === 6 && c.length > 60 ? `${c.slice(0, 57)}...` : c)))];
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  return table.map((row) => row.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd()).join("\n");
}

/** Writes summary.csv and summary.html into the reports folder (together, as commit.ts writes a report); returns their paths. */
export function writeSummary(outDir: string, rows: BatchRow[]): string[] {
  const csv = path.join(outDir, "summary.csv");
  const html = path.join(outDir, "summary.html");
  commitFiles([{ path: csv, data: summaryCsv(rows) }, { path: html, data: summaryHtml(rows) }], "choose another --out folder");
  return [csv, html];
}

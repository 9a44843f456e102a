// One notebook output → what the report shows for it. Knows the mime types and the metadata
// conventions of labreport's display helpers (metadata.labreport.kind = figure | table | progress | engine).
import { DisplayDataOutput, ExecuteResultOutput, Output, joinSource } from "../notebook.js";

export interface LabreportMeta {
  kind?: "figure" | "table" | "progress" | "engine";
  label?: string;
  caption?: string;
  [key: string]: unknown;
}

export interface TableData {
  columns: string[];
  rows: (string | number | null)[][];
}

/** What an output is, for layout and numbering. */
export type OutputView =
  | { type: "vegalite"; spec: unknown; meta: LabreportMeta }
  | { type: "image"; mime: "image/svg+xml" | "image/png" | "image/jpeg"; data: string; meta: LabreportMeta }
  | { type: "table"; table: TableData; meta: LabreportMeta }
  | { type: "html"; html: string; meta: LabreportMeta }
  | { type: "markdown"; markdown: string }
  | { type: "latex"; latex: string }
  | { type: "text"; text: string; stream: "stdout" | "stderr" | "result" }
  | { type: "error"; ename: string; evalue: string; traceback: string }
  | { type: "hidden"; meta: LabreportMeta };

const VEGALITE = /^application\/vnd\.vegalite\.v\d+\+json$/;
const TABLE_MIME = "application/vnd.labreport.table+json";
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

function text(value: unknown): string {
  return Array.isArray(value) ? value.join("") : String(value ?? "");
}

/** Jupyter may store a JSON mime as an object or (older writers, tslab's string form) as its text. */
function json(value: unknown): unknown {
  if (typeof value !== "string" && !Array.isArray(value)) return value;
  try {
    return JSON.parse(text(value));
  } catch {
    return undefined;
  }
}

function viewBundle(out: DisplayDataOutput | ExecuteResultOutput): OutputView {
  const data = out.data;
  const meta = ((out.metadata ?? {}).labreport ?? {}) as LabreportMeta;
  if (meta.kind === "progress" || meta.kind === "engine") return { type: "hidden", meta };
  const tableData = data[TABLE_MIME] !== undefined ? (json(data[TABLE_MIME]) as TableData | undefined) : undefined;
  if (tableData && Array.isArray(tableData.columns) && Array.isArray(tableData.rows)) {
    return { type: "table", table: tableData, meta };
  }
  const vegaMime = Object.keys(data).find((m) => VEGALITE.test(m));
  if (vegaMime) {
    const spec = json(data[vegaMime]);
    if (spec && typeof spec === "object") return { type: "vegalite", spec, meta };
  }
  for (const mime of ["image/svg+xml", "image/png", "image/jpeg"] as const) {
    if (data[mime] !== undefined) return { type: "image", mime, data: text(data[mime]), meta };
  }
  if (data["text/html"] !== undefined) return { type: "html", html: text(data["text/html"]), meta };
  if (data["text/markdown"] !== undefined) return { type: "markdown", markdown: text(data["text/markdown"]) };
  if (data["text/latex"] !== undefined) return { type: "latex", latex: text(data["text/latex"]) };
  if (data["text/plain"] !== undefined) return { type: "text", text: stripAnsi(text(data["text/plain"])), stream: "result" };
  return { type: "hidden", meta };
}

/**
 * HTML a cell displayed, made safe to place inside the report: scripts do not run when printing, and a
 * <style> or stylesheet <link> would restyle the whole report (`body { color: red }`), so they go.
 */
export function inertHtml(html: string): string {
  return html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<(script|style)\b[^>]*\/?>/gi, "")
    .replace(/<link\b[^>]*>/gi, "");
}

export function viewOutput(out: Output): OutputView {
  switch (out.output_type) {
    case "stream":
      return { type: "text", text: stripAnsi(joinSource(out.text)), stream: out.name };
    case "error":
      return { type: "error", ename: out.ename, evalue: out.evalue, traceback: stripAnsi(out.traceback.join("\n")) };
    case "display_data":
    case "execute_result":
      return viewBundle(out);
    default:
      return { type: "hidden", meta: {} };
  }
}

/** The engine record that the library's useEngine() leaves in the notebook, if any. */
export function findEngineRecord(outputs: Output[]): LabreportMeta | undefined {
  for (const out of outputs) {
    if (out.output_type !== "display_data") continue;
    const meta = (out.metadata?.labreport ?? {}) as LabreportMeta;
    if (meta.kind === "engine") return meta;
  }
  return undefined;
}

// One notebook output → what the report shows for it. The MIME types and metadata records of
// labreport's display helpers are read through the contract (src/contract/report-outputs.ts).
import { EngineMeta, LabreportMeta, TableData, VEGALITE_MIME_PATTERN, readJsonMime, readLabreportMeta, readTableData } from "../../contract/report-outputs.js";
import { DisplayDataOutput, ExecuteResultOutput, Output, joinSource } from "../notebook.js";

/** What an output is, for layout and numbering. */
export type OutputView =
  | { type: "vegalite"; spec: unknown; meta: LabreportMeta | undefined }
  | { type: "image"; mime: "image/svg+xml" | "image/png" | "image/jpeg"; data: string; meta: LabreportMeta | undefined }
  | { type: "table"; table: TableData; meta: LabreportMeta | undefined }
  | { type: "html"; html: string; meta: LabreportMeta | undefined }
  | { type: "markdown"; markdown: string }
  | { type: "latex"; latex: string }
  | { type: "text"; text: string; stream: "stdout" | "stderr" | "result" }
  | { type: "error"; ename: string; evalue: string; traceback: string }
  | { type: "hidden"; meta: LabreportMeta | undefined };

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

function text(value: unknown): string {
  return Array.isArray(value) ? value.join("") : String(value ?? "");
}

function viewBundle(out: DisplayDataOutput | ExecuteResultOutput): OutputView {
  const data = out.data;
  const meta = readLabreportMeta(out.metadata);
  if (meta?.kind === "progress" || meta?.kind === "engine") return { type: "hidden", meta };
  const table = readTableData(data);
  if (table) return { type: "table", table, meta };
  const vegaMime = Object.keys(data).find((m) => VEGALITE_MIME_PATTERN.test(m));
  if (vegaMime) {
    const spec = readJsonMime(data[vegaMime]);
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
      return { type: "hidden", meta: undefined };
  }
}

/** The engine record that the library's useEngine() leaves in the notebook, if any. */
export function findEngineRecord(outputs: Output[]): EngineMeta | undefined {
  for (const out of outputs) {
    if (out.output_type !== "display_data") continue;
    const meta = readLabreportMeta(out.metadata);
    if (meta?.kind === "engine") return meta;
  }
  return undefined;
}

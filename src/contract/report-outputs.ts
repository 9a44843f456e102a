// The contract between a notebook and its report: what labreport's display helpers (src/display/)
// write into a notebook's outputs, and what the report build (src/report/) reads back from them.
// Both sides import this module, so the format is stated once: the MIME types, the table's JSON,
// and the `metadata.labreport` record, one shape per `kind`.

/** A table's JSON, which the report renders as a numbered table. */
export const TABLE_MIME = "application/vnd.labreport.table+json";
/** The Vega-Lite version showFigure writes. */
export const VEGALITE_MIME = "application/vnd.vegalite.v5+json";
/** Any Vega-Lite version the report reads (notebooks written by other tools may hold v4 or v6). */
export const VEGALITE_MIME_PATTERN = /^application\/vnd\.vegalite\.v\d+\+json$/;

/** One table cell: text, a number, or empty (null). */
export type TableCell = string | number | null;

/** A table in its normalised form (the JSON under TABLE_MIME). */
export interface TableData {
  columns: string[];
  rows: TableCell[][];
}

/** showFigure's record: the figure's cross-reference label and caption. */
export interface FigureMeta {
  kind: "figure";
  label?: string;
  caption?: string;
}

/** showTable's record: the table's cross-reference label and caption. */
export interface TableMeta {
  kind: "table";
  label?: string;
  caption?: string;
}

/** A live progress display: shown while a build runs, left out of the report. */
export interface ProgressMeta {
  kind: "progress";
}

/** The engine the notebook trained on: the report's run information names it. */
export interface EngineMeta {
  kind: "engine";
  name: string;
  backend: string;
  reason: string;
}

/** `metadata.labreport` of an output, by kind. */
export type LabreportMeta = FigureMeta | TableMeta | ProgressMeta | EngineMeta;
export type LabreportKind = LabreportMeta["kind"];

/** An output's metadata holding one labreport record (a type alias, so it fits Record<string, unknown>). */
export type LabreportMetadata = { labreport: LabreportMeta };

/** The metadata a display helper sends with its output. */
export function labreportMetadata(meta: LabreportMeta): LabreportMetadata {
  return { labreport: meta };
}

const optionalText = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/**
 * The labreport record in an output's metadata, or undefined when there is none or its kind is not
 * one of ours. Fields of the wrong type are dropped, so the render side can trust the shape.
 */
export function readLabreportMeta(metadata: unknown): LabreportMeta | undefined {
  const record = (metadata as { labreport?: unknown } | null | undefined)?.labreport;
  if (record === null || typeof record !== "object") return undefined;
  const r = record as Record<string, unknown>;
  switch (r.kind) {
    case "figure":
    case "table": {
      const meta: FigureMeta | TableMeta = { kind: r.kind };
      const label = optionalText(r.label);
      const caption = optionalText(r.caption);
      if (label !== undefined) meta.label = label;
      if (caption !== undefined) meta.caption = caption;
      return meta;
    }
    case "progress":
      return { kind: "progress" };
    case "engine":
      if (typeof r.name !== "string") return undefined;
      return { kind: "engine", name: r.name, backend: optionalText(r.backend) ?? "", reason: optionalText(r.reason) ?? "" };
    default:
      return undefined;
  }
}

/** The cross-reference label and caption a record gives its output (figures and tables only). */
export function labelAndCaption(meta: LabreportMeta | undefined): { label?: string; caption?: string } {
  return meta?.kind === "figure" || meta?.kind === "table" ? { label: meta.label, caption: meta.caption } : {};
}

function text(value: unknown): string {
  return Array.isArray(value) ? value.join("") : String(value ?? "");
}

/** A JSON MIME value: Jupyter stores it as an object, older writers (and tslab's string form) as its text. */
export function readJsonMime(value: unknown): unknown {
  if (typeof value !== "string" && !Array.isArray(value)) return value;
  try {
    return JSON.parse(text(value));
  } catch {
    return undefined;
  }
}

/** The table under TABLE_MIME in a MIME bundle, or undefined when absent or not {columns, rows}. */
export function readTableData(bundle: Record<string, unknown>): TableData | undefined {
  if (bundle[TABLE_MIME] === undefined) return undefined;
  const table = readJsonMime(bundle[TABLE_MIME]) as Partial<TableData> | undefined;
  if (!table || !Array.isArray(table.columns) || !Array.isArray(table.rows) || !table.rows.every(Array.isArray)) return undefined;
  return { columns: table.columns, rows: table.rows };
}

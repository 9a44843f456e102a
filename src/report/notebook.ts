// The notebook as stored on disk: the subset of nbformat 4 that the build reads and writes.
// Reading validates just enough to give one clear error for a file that is not a notebook;
// writing keeps every field it did not understand, so Jupyter opens the result unchanged.
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "./user-error.js";

export type MimeBundle = Record<string, unknown>;

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: string | string[];
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient?: { display_id?: string };
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CellMetadata {
  tags?: string[];
  [key: string]: unknown;
}
interface CellBase {
  id?: string;
  source: string | string[];
  metadata: CellMetadata;
}
export interface CodeCell extends CellBase {
  cell_type: "code";
  execution_count: number | null;
  outputs: Output[];
}
export interface MarkdownCell extends CellBase {
  cell_type: "markdown";
  attachments?: Record<string, MimeBundle>;
}
export interface RawCell extends CellBase {
  cell_type: "raw";
}
export type Cell = CodeCell | MarkdownCell | RawCell;

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** Jupyter stores multi-line strings either whole or as a list of lines. */
export function joinSource(source: string | string[]): string {
  return Array.isArray(source) ? source.join("") : source;
}

export function parseNotebook(text: string, file: string): Notebook {
  let raw: unknown;
  try {
    // Editors on Windows may start the file with a byte-order mark, which JSON.parse rejects.
    raw = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    throw new UserError(
      `${file}: not a readable notebook (invalid JSON: ${(err as Error).message}); open and re-save it in Jupyter, or restore it from version control`,
    );
  }
  const nb = raw as Partial<Notebook>;
  if (typeof nb !== "object" || nb === null || !Array.isArray(nb.cells)) {
    throw new UserError(`${file}: not a Jupyter notebook (no "cells" list); pass an .ipynb file saved by Jupyter`);
  }
  if (nb.nbformat !== 4) {
    throw new UserError(
      `${file}: nbformat ${String(nb.nbformat)} is not supported; convert it with "jupyter nbconvert --to notebook --nbformat 4"`,
    );
  }
  for (const [i, cell] of nb.cells.entries()) {
    const c = cell as Partial<Cell>;
    if (!c || !["code", "markdown", "raw"].includes(String(c.cell_type)) || c.source === undefined) {
      throw new UserError(`${file}: cell ${i + 1} is malformed (needs cell_type and source); repair it in Jupyter`);
    }
    c.metadata ??= {};
    // Windows line endings would hide `//| option` lines and front matter from the patterns that read them.
    if (/\r\n/.test(joinSource(c.source))) c.source = joinSource(c.source).replace(/\r\n/g, "\n");
    if (c.cell_type === "code") {
      (c as CodeCell).outputs ??= [];
      (c as CodeCell).execution_count ??= null;
    }
  }
  return { nbformat: 4, nbformat_minor: nb.nbformat_minor ?? 5, metadata: nb.metadata ?? {}, cells: nb.cells };
}

export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`${file}: no such notebook; check the path (notebooks live in notebooks/)`);
    if (code === "EISDIR") throw new UserError(`${file}: a folder, not a notebook; pass the .ipynb file in it`);
    throw new UserError(`${file}: cannot read (${code ?? (err as Error).message}); check the file's permissions`);
  }
  return parseNotebook(text, file);
}

/** "x" for notebooks/x.ipynb: the name of its report files, of its freeze store, and its fallback title. */
export function reportName(file: string): string {
  return path.basename(file).replace(/\.ipynb$/i, "");
}

/** The notebook as Jupyter writes it (one-space indent, final newline). */
export function notebookText(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + "\n";
}

// Freeze: a notebook's last good execution, stored beside it so that a rebuild renders it again
// without re-running hours of training. Quarto's `freeze` is the model (opt in with `freeze: auto` in
// the front matter; `_freeze/` lives in the repository), with a finer key: Quarto hashes the whole
// source file, so editing prose re-executes; here the key is the code cells (the parameters cell holds
// the parameter values), and the library the notebook imports. Prose edits render from the store.
//
//   notebooks/x.ipynb  →  notebooks/_freeze/x.json = { key, executedAt, run, notebook }
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CodeCell, Notebook, joinSource, reportName } from "./notebook.js";
import { commitFiles } from "./commit.js";
import { UserError } from "./user-error.js";
import { parseCellOptions } from "./cell-options.js";
import type { RunInfo } from "./render/report.js";

/** What a stored execution depends on; each part is a hash, so the build can say which one changed. */
export interface FreezeKey {
  /** The code cells' sources, in order (after --param values were applied). */
  code: string;
  /** The labreport library and engine sources (src/ without the report build), and tfjs's version. */
  library: string;
}

export interface FrozenExecution {
  format: 1;
  key: FreezeKey;
  run: RunInfo;
  notebook: Notebook;
}

/** `freeze` in the front matter, as Quarto spells it: false (default), "auto", or true (never re-execute while stored). */
export type FreezeMode = false | "auto" | true;

export type FreezeLookup =
  | { status: "hit"; stored: FrozenExecution; why: string; warning?: undefined }
  | { status: "miss"; why: string; warning?: string };

/** Where the store of `notebooks/x.ipynb` lives: `notebooks/_freeze/x.json`. */
export function freezePath(notebookFile: string): string {
  return path.join(path.dirname(notebookFile), "_freeze", `${reportName(notebookFile)}.json`);
}

function sha256(parts: Iterable<string>): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}

/**
 * Only what runs matters: Markdown, raw cells, outputs, tags and the display options of a cell
 * (`//| fig-cap: …`, `echo`, `label`) can change without a rerun; `eval` and the code itself cannot.
 */
export function codeHash(nb: Notebook): string {
  return sha256(
    nb.cells
      .filter((c): c is CodeCell => c.cell_type === "code")
      .map((c) => {
        const { options, code } = parseCellOptions(joinSource(c.source));
        return options.eval ? code : `//| eval: false\n${code}`;
      }),
  );
}

// dist/src/report/freeze.js → the repository root.
const ROOT = path.resolve(__dirname, "..", "..", "..");
/** The report pipeline and the CLI do not change what a notebook computes. */
const NOT_LIBRARY = [path.join("src", "report") + path.sep, path.join("src", "cli.ts")];

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full) : [full];
  });
}

let libraryHashCache: string | undefined;

/**
 * The library a notebook imports: every source file under src/ except the report build (TypeScript
 * and the engine's C++), and the installed tfjs version. Sources, not dist/, so that a fresh clone
 * computes the same hash before and after compiling.
 */
export function libraryHash(root = ROOT): string {
  if (root === ROOT && libraryHashCache) return libraryHashCache;
  const files = listFiles(path.join(root, "src"))
    .map((f) => path.relative(root, f))
    .filter((f) => !NOT_LIBRARY.some((p) => f === p || f.startsWith(p)))
    .sort();
  let tfjs = "";
  try {
    tfjs = JSON.parse(fs.readFileSync(path.join(root, "node_modules", "@tensorflow", "tfjs-core", "package.json"), "utf8")).version;
  } catch {
    // No installed tfjs: the sources alone decide.
  }
  const hash = sha256([`tfjs ${tfjs}`, ...files.flatMap((f) => [f.split(path.sep).join("/"), fs.readFileSync(path.join(root, f), "utf8")])]);
  if (root === ROOT) libraryHashCache = hash;
  return hash;
}

export function freezeKey(configured: Notebook): FreezeKey {
  return { code: codeHash(configured), library: libraryHash() };
}

/** Reads the front matter's `freeze` (also under `execute:`, as Quarto nests it). */
export function freezeMode(front: Record<string, unknown>, file: string): FreezeMode {
  const execute = front.execute as Record<string, unknown> | undefined;
  const value = front.freeze ?? (execute && typeof execute === "object" ? execute.freeze : undefined);
  if (value === undefined || value === false || value === "false") return false;
  if (value === true || value === "true") return true;
  if (value === "auto") return "auto";
  throw new UserError(`${file}: front matter "freeze: ${String(value)}" is not one of auto, true, false; write "freeze: auto" to re-execute only when code, parameters or the library change`);
}

/** Looks the notebook up in its store; a corrupt store is a warning and a re-execution, never a failure. */
export function lookupFrozen(notebookFile: string, key: FreezeKey, mode: FreezeMode): FreezeLookup {
  const file = freezePath(notebookFile);
  if (!fs.existsSync(file)) return { status: "miss", why: "nothing stored yet" };
  let stored: FrozenExecution;
  try {
    stored = JSON.parse(fs.readFileSync(file, "utf8"));
    if (stored?.format !== 1 || !stored.key || !stored.notebook || !Array.isArray(stored.notebook.cells)) throw new Error("not a labreport freeze file");
  } catch (err) {
    const reason = (err as Error).message.split("\n")[0];
    return { status: "miss", why: "stored execution unreadable", warning: `${file} is corrupt (${reason}); re-executing the notebook, which replaces it` };
  }
  const when = stored.run.executedAt ? ` since ${stored.run.executedAt}` : "";
  if (stored.key.code === key.code && stored.key.library === key.library) {
    return { status: "hit", stored, why: `code, parameters and library unchanged${when}` };
  }
  const changed = [stored.key.code !== key.code ? "code or parameters" : "", stored.key.library !== key.library ? "library" : ""].filter(Boolean).join(" and ");
  if (mode === true) return { status: "hit", stored, why: `freeze: true, although the ${changed} changed${when}` };
  return { status: "miss", why: `${changed} changed` };
}

/** Stores an execution; returns a warning line when the store cannot be written (see writeFrozenStore). */
export function storeFrozen(notebookFile: string, entry: Omit<FrozenExecution, "format">): string | undefined {
  return writeFrozenStore(notebookFile, JSON.stringify({ format: 1, ...entry }, null, 1) + "\n");
}

/**
 * Writes the store's text (a whole file, or nothing). A store that cannot be written (a read-only
 * _freeze/, a file in its place) is a warning, not an error: it comes after a run that may have taken
 * hours, and the report of that run is fine; only the next build has to run the notebook again.
 * Returns that warning line, naming the file and the fix.
 */
export function writeFrozenStore(notebookFile: string, text: string): string | undefined {
  const file = freezePath(notebookFile);
  const fix = `this execution is not stored (the report is written, but the next build runs the notebook again); make ${path.dirname(file)} a writable folder`;
  try {
    commitFiles([{ path: file, data: text }], fix);
    return undefined;
  } catch (err) {
    if (err instanceof UserError) return err.message;
    throw err;
  }
}

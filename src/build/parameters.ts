// papermill's convention for TypeScript: the cell tagged `parameters` declares the run configuration
// (`const epochs = 2;`), and `--param epochs=10` replaces a declaration's value before execution.
// The executed notebook shows the replaced line with a comment saying what it was.
import { CodeCell, Notebook, UserError, joinSource } from "./notebook.js";

const DECLARATION = /^(\s*(?:export\s+)?(?:const|let|var)\s+)([A-Za-z_$][\w$]*)(\s*(?::\s*[^=]+?)?\s*=\s*)(.+?)(;?)(\s*\/\/.*)?$/;

export function findParametersCell(nb: Notebook): number {
  return nb.cells.findIndex((c) => c.cell_type === "code" && (c.metadata.tags ?? []).includes("parameters"));
}

/** Parses `name=value` (value as JSON when it parses, else a string). */
export function parseParameter(arg: string): [string, unknown] {
  const eq = arg.indexOf("=");
  if (eq <= 0) throw new UserError(`--param ${arg}: expected name=value, e.g. --param epochs=10`);
  const name = arg.slice(0, eq).trim();
  const text = arg.slice(eq + 1);
  try {
    return [name, JSON.parse(text)];
  } catch {
    return [name, text];
  }
}

function literal(text: string): unknown {
  try {
    return JSON.parse(text.trim());
  } catch {
    return text.trim();
  }
}

/** The declarations of the parameters cell with their values as written. */
export function declaredParameters(nb: Notebook): Record<string, unknown> {
  const index = findParametersCell(nb);
  if (index < 0) return {};
  const out: Record<string, unknown> = {};
  for (const line of joinSource(nb.cells[index].source).split("\n")) {
    const m = DECLARATION.exec(line);
    if (m) out[m[2]] = literal(m[4]);
  }
  return out;
}

/**
 * Returns a copy of nb whose parameters cell uses the given values. Every name must be declared
 * there: a misspelt parameter is an error, not a silently ignored option.
 */
export function applyParameters(nb: Notebook, values: Record<string, unknown>, file: string): Notebook {
  const names = Object.keys(values);
  if (names.length === 0) return nb;
  const index = findParametersCell(nb);
  if (index < 0) {
    throw new UserError(`${file}: no cell is tagged "parameters", so --param ${names[0]} has nothing to set; tag the cell that declares the run configuration`);
  }
  const declared = declaredParameters(nb);
  for (const name of names) {
    if (!(name in declared)) {
      throw new UserError(`${file}: parameter "${name}" is not declared in the parameters cell (declared: ${Object.keys(declared).join(", ") || "none"})`);
    }
  }
  const cell = nb.cells[index] as CodeCell;
  const lines = joinSource(cell.source).split("\n").map((line) => {
    const m = DECLARATION.exec(line);
    if (!m || !(m[2] in values)) return line;
    return `${m[1]}${m[2]}${m[3]}${JSON.stringify(values[m[2]])}${m[5] || ";"} // set by --param (was ${m[4].trim()})`;
  });
  const copy = structuredClone(nb);
  copy.cells[index] = { ...cell, source: lines.join("\n") };
  return copy;
}

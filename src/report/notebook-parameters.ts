// papermill's convention for TypeScript: the cell tagged `parameters` declares the run configuration
// (`const epochs = 2;`), and `--param epochs=10` replaces a declaration's value before execution.
// The executed notebook shows the replaced value with a comment saying what it was.
//
// Declarations are found by a small scanner rather than a line pattern, because students write
// values over several lines (`const seeds = [\n 1,\n 2,\n];`), with types (`let rates: number[] = …`),
// trailing comments, single quotes, and no semicolons.
import { CodeCell, Notebook, joinSource } from "./notebook.js";
import { UserError } from "./user-error.js";

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

/** One `name = value` of the parameters cell: where its value is, and the value when it is a literal. */
export interface Declaration {
  name: string;
  /** The value's source text, as written. */
  text: string;
  start: number;
  end: number;
  /** The value when the text is a literal (JSON, a quoted string, a plain number); else undefined. */
  value?: unknown;
  literal: boolean;
}

const DECLARATION_START = /(?:export\s+)?(?:const|let|var)\s+/y;
const DECLARATOR = /\s*([A-Za-z_$][\w$]*)\s*/y;

/** The top-level declarations of a cell's source, in order. */
export function scanDeclarations(source: string): Declaration[] {
  const found: Declaration[] = [];
  let pos = 0;
  while (pos < source.length) {
    pos = skipSpaceAndComments(source, pos);
    DECLARATION_START.lastIndex = pos;
    if (DECLARATION_START.test(source)) {
      pos = DECLARATION_START.lastIndex;
      // declarator list: name [: type] = value {, name [: type] = value}
      for (;;) {
        DECLARATOR.lastIndex = pos;
        const m = DECLARATOR.exec(source);
        if (!m) break;
        pos = DECLARATOR.lastIndex;
        if (source[pos] === ":") pos = skipType(source, pos + 1);
        if (source[pos] !== "=" || source[pos + 1] === "=") break;
        const start = skipSpaceAndComments(source, pos + 1);
        const end = skipExpression(source, start);
        const text = source.slice(start, end).replace(/\s+$/, "");
        const parsed = literalValue(text);
        found.push({ name: m[1], text, start, end: start + text.length, ...parsed });
        pos = end;
        const next = skipSpaceAndComments(source, pos);
        if (source[next] !== ",") break;
        pos = next + 1;
      }
    }
    pos = skipStatement(source, pos);
  }
  return found;
}

/** The value of a literal as TypeScript would read it, or literal: false for anything else. */
function literalValue(written: string): { value?: unknown; literal: boolean } {
  // `2 as number` is how --param writes a widened scalar (see applyParameters).
  const text = written.replace(/\s+as\s+(number|string|boolean)\s*$/, "");
  try {
    // JSON, give or take the trailing commas of a list written one item a line.
    return { value: JSON.parse(text.replace(/,(\s*[\]}])/g, "$1")), literal: true };
  } catch {
    // not JSON: try the other literal forms below
  }
  const quoted = /^'((?:[^'\\\n]|\\.)*)'$/.exec(text) ?? /^`((?:[^`\\$]|\\.|\$(?!\{))*)`$/.exec(text);
  if (quoted) {
    try {
      return { value: JSON.parse(`"${quoted[1].replace(/\\'/g, "'").replace(/\\`/g, "`").replace(/"/g, '\\"')}"`), literal: true };
    } catch {
      return { literal: false };
    }
  }
  if (/^[-+]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:e[-+]?\d+)?$/i.test(text)) return { value: Number(text.replace(/_/g, "")), literal: true };
  return { literal: false };
}

function skipSpaceAndComments(s: string, pos: number): number {
  for (;;) {
    while (pos < s.length && /\s/.test(s[pos])) pos++;
    if (s.startsWith("//", pos)) {
      const nl = s.indexOf("\n", pos);
      pos = nl < 0 ? s.length : nl;
    } else if (s.startsWith("/*", pos)) {
      const close = s.indexOf("*/", pos + 2);
      pos = close < 0 ? s.length : close + 2;
    } else return pos;
  }
}

/** Skips a string, template or comment starting at pos; returns the position after it, or pos. */
function skipQuoted(s: string, pos: number): number {
  const c = s[pos];
  if (c === '"' || c === "'" || c === "`") {
    let i = pos + 1;
    while (i < s.length && s[i] !== c) {
      if (s[i] === "\\") i++;
      else if (c !== "`" && s[i] === "\n") break;
      i++;
    }
    return i + 1;
  }
  if (s.startsWith("//", pos)) {
    const nl = s.indexOf("\n", pos);
    return nl < 0 ? s.length : nl;
  }
  if (s.startsWith("/*", pos)) {
    const close = s.indexOf("*/", pos + 2);
    return close < 0 ? s.length : close + 2;
  }
  return pos;
}

/** A type annotation ends at `=` (not `=>`) outside brackets. */
function skipType(s: string, pos: number): number {
  let depth = 0;
  while (pos < s.length) {
    const after = skipQuoted(s, pos);
    if (after !== pos) {
      pos = after;
      continue;
    }
    const c = s[pos];
    if ("([{<".includes(c)) depth++;
    else if (")]}".includes(c) || (c === ">" && s[pos - 1] !== "=")) depth--;
    else if (c === "=" && s[pos + 1] !== ">" && depth <= 0) return pos;
    else if ((c === ";" || c === "\n") && depth <= 0) return pos;
    pos++;
  }
  return pos;
}

/** A value ends at `,` `;` or a line break outside brackets (a line ending in an operator goes on). */
function skipExpression(s: string, pos: number): number {
  let depth = 0;
  let last = "";
  while (pos < s.length) {
    const after = skipQuoted(s, pos);
    if (after !== pos) {
      if (!s.startsWith("//", pos) && !s.startsWith("/*", pos)) last = s[after - 1];
      else if (depth <= 0) return pos; // a comment after the value
      pos = after;
      continue;
    }
    const c = s[pos];
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth <= 0 && (c === ";" || c === ",")) return pos;
    else if (depth <= 0 && c === "\n" && !/[=+\-*/%&|?:.,(]$/.test(last)) {
      const next = skipSpaceAndComments(s, pos);
      if (!/^[.?+\-*/%&|]/.test(s.slice(next, next + 1)) || s.startsWith("//", next)) return pos;
    }
    if (!/\s/.test(c)) last = c;
    pos++;
  }
  return pos;
}

/** Skips to the start of the next top-level statement line. */
function skipStatement(s: string, pos: number): number {
  let depth = 0;
  while (pos < s.length) {
    const after = skipQuoted(s, pos);
    if (after !== pos) {
      pos = after;
      continue;
    }
    const c = s[pos];
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth = Math.max(0, depth - 1);
    else if (c === "\n" && depth === 0) return pos + 1;
    pos++;
  }
  return pos;
}

function parametersSource(nb: Notebook): string | undefined {
  const index = findParametersCell(nb);
  return index < 0 ? undefined : joinSource(nb.cells[index].source);
}

/** The declarations of the parameters cell with their values as written (source text when not a literal). */
export function declaredParameters(nb: Notebook): Record<string, unknown> {
  const source = parametersSource(nb);
  if (source === undefined) return {};
  return Object.fromEntries(scanDeclarations(source).map((d) => [d.name, d.literal ? d.value : d.text]));
}

/** name → the value as the report shows it: as written in the (configured) parameters cell, on one line. */
export function parameterSummary(nb: Notebook): Record<string, string> {
  const source = parametersSource(nb);
  const oneLine = (text: string) =>
    text.replace(/\s+as\s+(number|string|boolean)\s*$/, "").replace(/\s+/g, " ").replace(/([[{(]) /g, "$1").replace(/,? ([\]})])/g, "$1");
  return Object.fromEntries((source === undefined ? [] : scanDeclarations(source)).map((d) => [d.name, oneLine(d.text)]));
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * The value to write for one --param, checked against the declared literal: a number stays a number,
 * a list a list. A declared string takes any scalar as text (`--param run=2024` means "2024").
 */
function checkedValue(decl: Declaration, value: unknown, file: string): unknown {
  if (!decl.literal || decl.value === null || value === null) return value;
  const declared = decl.value;
  if (typeof declared === "string") {
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (typeof value === "string") return value;
  } else if (kindOf(declared) === kindOf(value)) return value;
  const example = typeof declared === "boolean" ? "true or false" : Array.isArray(declared) ? `a JSON list like ${JSON.stringify(declared)}` : `e.g. ${JSON.stringify(declared)}`;
  throw new UserError(
    `${file}: --param ${decl.name}=${typeof value === "string" ? value : JSON.stringify(value)}: ${decl.name} is ${kindOf(declared)} (declared ${decl.text.replace(/\s+/g, " ")}), give ${example}`,
  );
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
  const cell = nb.cells[index] as CodeCell;
  let source = joinSource(cell.source);
  const declarations = scanDeclarations(source);
  for (const name of names) {
    if (!declarations.some((d) => d.name === name)) {
      throw new UserError(`${file}: parameter "${name}" is not declared in the parameters cell (declared: ${declarations.map((d) => d.name).join(", ") || "none"})`);
    }
  }
  // From the last declaration back, so that earlier offsets stay valid.
  for (const decl of [...declarations].reverse()) {
    if (!(decl.name in values)) continue;
    const value = checkedValue(decl, values[decl.name], file);
    // `const epochs = 30;` has the literal type 30, so once --param made it 2, the notebook's own
    // `epochs === 30` would fail tslab's type check ("no overlap"); a widened scalar keeps it valid.
    const scalar = typeof value === "number" || typeof value === "string" || typeof value === "boolean";
    const text = `${JSON.stringify(value)}${scalar ? ` as ${typeof value}` : ""}`;
    const was = `set by --param (was ${decl.text.replace(/\s+/g, " ").replace(/\*\//g, "* /")})`;
    const lineEnd = source.indexOf("\n", decl.end) < 0 ? source.length : source.indexOf("\n", decl.end);
    const restOfLine = source.slice(decl.end, lineEnd);
    // The statement ends on this line: note the old value in a line comment (replacing one there).
    if (/^\s*;?\s*(\/\/.*)?$/.test(restOfLine)) source = `${source.slice(0, decl.start)}${text}; // ${was}${source.slice(lineEnd)}`;
    else source = `${source.slice(0, decl.start)}${text} /* ${was} */${source.slice(decl.end)}`;
  }
  const copy = structuredClone(nb);
  copy.cells[index] = { ...cell, source };
  return copy;
}

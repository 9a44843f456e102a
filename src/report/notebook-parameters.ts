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
    const after = skipComment(s, pos);
    if (after === undefined) return pos;
    pos = after;
  }
}

// The one scanner behind the ends of a declaration's type, value and statement: `walk` goes through
// the source a piece at a time, counting brackets, and each end is a stop rule over its pieces.

/** What the walk meets: one character of code, a comment, or a literal (string, template, regex). */
interface Piece {
  kind: "code" | "comment" | "literal";
  start: number;
  end: number;
  /** Bracket depth before the piece (never below 0). */
  depth: number;
}

/** After these words a `/` starts a regular expression; after any other word or a number, it divides. */
const BEFORE_REGEX = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);

/**
 * The pieces of the source from pos, with the bracket depth. A comment or literal is one piece, so
 * brackets, quotes, slashes and line breaks inside it never count; code inside a template's `${…}` is
 * walked as code (nested templates included). `types`: in a type annotation `<…>` are brackets too
 * (except the `>` of `=>`).
 */
function* walk(s: string, pos: number, types = false): Generator<Piece> {
  let depth = 0;
  // The last piece that is neither space nor a comment: whether a `/` divides or starts a regex.
  let prev: Piece | undefined;
  while (pos < s.length) {
    const c = s[pos];
    let kind: Piece["kind"] = "comment";
    let end = skipComment(s, pos);
    if (end === undefined) {
      kind = "literal";
      if (c === '"' || c === "'") end = skipString(s, pos);
      else if (c === "`") end = skipTemplate(s, pos);
      else if (c === "/" && regexMayStart(s, prev)) end = skipRegex(s, pos);
    }
    if (end === undefined) {
      kind = "code";
      end = pos + 1;
    }
    const piece: Piece = { kind, start: pos, end, depth };
    yield piece;
    if (kind === "code") {
      if ("([{".includes(c) || (types && c === "<")) depth++;
      else if (")]}".includes(c) || (types && c === ">" && s[pos - 1] !== "=")) depth = Math.max(0, depth - 1);
    }
    if (kind === "literal" || (kind === "code" && !/\s/.test(c))) prev = piece;
    pos = end;
  }
}

/** The end of a comment starting at pos (a line comment ends before its line break), or undefined. */
function skipComment(s: string, pos: number): number | undefined {
  if (s.startsWith("//", pos)) {
    const nl = s.indexOf("\n", pos);
    return nl < 0 ? s.length : nl;
  }
  if (s.startsWith("/*", pos)) {
    const close = s.indexOf("*/", pos + 2);
    return close < 0 ? s.length : close + 2;
  }
  return undefined;
}

/** The end of a '…' or "…" string; one left open ends at its line's end. */
function skipString(s: string, pos: number): number {
  for (let i = pos + 1; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === s[pos]) return i + 1;
    else if (s[i] === "\n") return i;
  }
  return s.length;
}

/** The end of a `…` template; each `${…}` in it is code, which may hold templates of its own. */
function skipTemplate(s: string, pos: number): number {
  for (let i = pos + 1; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === "`") return i + 1;
    else if (s.startsWith("${", i)) i = skipSubstitution(s, i + 2) - 1;
  }
  return s.length;
}

/** The end of the code of a `${…}` that starts at pos (after its `${`): its closing brace, included. */
function skipSubstitution(s: string, pos: number): number {
  for (const p of walk(s, pos)) if (p.kind === "code" && p.depth === 0 && s[p.start] === "}") return p.end;
  return s.length;
}

/** Whether a `/` after `prev` starts a regular expression (JavaScript's rule, as far as a value needs it). */
function regexMayStart(s: string, prev: Piece | undefined): boolean {
  if (!prev) return true;
  if (prev.kind === "literal") return false;
  const word = /[\w$]+$/.exec(s.slice(0, prev.end))?.[0];
  if (word !== undefined) return BEFORE_REGEX.has(word);
  return !")]}".includes(s[prev.start]);
}

/** The end of a /regex/flags at pos, or undefined when the line holds none (then `/` is division). */
function skipRegex(s: string, pos: number): number | undefined {
  let inClass = false;
  for (let i = pos + 1; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") i++;
    else if (c === "\n") return undefined;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "/") {
      let end = i + 1;
      while (end < s.length && /[A-Za-z]/.test(s[end])) end++;
      return end;
    }
  }
  return undefined;
}

/** A type annotation ends at `=` (not `=>`), `;` or a line break outside brackets. */
function skipType(s: string, pos: number): number {
  for (const p of walk(s, pos, true)) {
    const c = s[p.start];
    if (p.kind === "code" && p.depth === 0 && ((c === "=" && s[p.start + 1] !== ">") || c === ";" || c === "\n")) return p.start;
  }
  return s.length;
}

/** A character that, ending a line, carries the value on to the next. */
const CONTINUES = /[=+\-*/%&|?:.,(]/;

/** A value ends at `,` `;`, a comment or a line break outside brackets (a line ending in an operator goes on). */
function skipExpression(s: string, pos: number): number {
  let continues = false;
  for (const p of walk(s, pos)) {
    if (p.kind === "comment") {
      if (p.depth === 0) return p.start; // a comment after the value
      continue;
    }
    if (p.kind === "literal") {
      continues = false;
      continue;
    }
    const c = s[p.start];
    if (p.depth === 0 && (c === ";" || c === ",")) return p.start;
    if (p.depth === 0 && c === "\n" && !continues) {
      // …unless the next line starts with one (`.map(…)` under the value).
      const next = skipSpaceAndComments(s, p.start);
      if (!/^[.?+\-*/%&|]/.test(s.slice(next, next + 1)) || s.startsWith("//", next)) return p.start;
    }
    if (!/\s/.test(c)) continues = CONTINUES.test(c);
  }
  return s.length;
}

/** Skips to the start of the next top-level statement line. */
function skipStatement(s: string, pos: number): number {
  for (const p of walk(s, pos)) if (p.kind === "code" && p.depth === 0 && s[p.start] === "\n") return p.end;
  return s.length;
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

// Equation numbers, one sequence for the whole report. Quarto's labelled `$$ … $$ {#eq-x}` and the
// LaTeX environments students paste in (`\begin{equation}`, `align`, `gather`, …) share it: left to
// KaTeX, the environments would be numbered by a counter of their own and two equations would both
// read "(1)". Each numbered row gets an explicit \tag{n} instead; `\nonumber`/`\notag` rows get none,
// and `\label{eq-x}` binds the row's number to @eq-x. Code (fenced blocks, `inline code`) is left alone.
import { CrossRefs, LABEL_PATTERN } from "./crossref.js";

const ENVIRONMENTS = "equation|align|gather|alignat|flalign|multline";
// One alternation so that everything is met in document order: inline code, then display math
// `$$…$$` with an optional {#eq-x}, then a bare numbered environment.
const PIECES = new RegExp(
  [
    /(`+)[\s\S]*?\1/.source,
    /\$\$([\s\S]+?)\$\$([ \t]*\{#(eq-[A-Za-z0-9_-]+)\})?/.source,
    String.raw`\\begin\{(${ENVIRONMENTS})\}(\{\d+\})?([\s\S]*?)\\end\{\5\}`,
  ].join("|"),
  "g",
);
const LABEL = /\\label\{([^}]*)\}/g;
const NO_NUMBER = /\\(?:nonumber|notag)\b/;
const SINGLE_ROW = new Set(["equation", "multline"]);

export function numberDisplayMath(source: string, refs: CrossRefs): string {
  return splitFences(source)
    .map(({ code, text }) => (code ? text : text.replace(PIECES, (all, ...m: (string | undefined)[]) => piece(all, m, refs))))
    .join("");
}

function piece(all: string, m: (string | undefined)[], refs: CrossRefs): string {
  const [ticks, tex, , label, env, arg, body] = m;
  if (ticks !== undefined) return all;
  if (tex !== undefined) {
    if (label === undefined) return `$$${numberEnvironments(tex, refs)}$$`;
    // The whole display is one numbered equation: environments inside it number nothing themselves.
    const n = refs.next("eq", label);
    const inner = stripLabels(tex.replace(new RegExp(String.raw`\\(begin|end)\{(${ENVIRONMENTS})\}`, "g"), "\\$1{$2*}")).trim();
    return `<span id="${label}" class="eq-anchor"></span>\n$$${inner} \\tag{${n}}$$`;
  }
  return environment(env!, arg ?? "", body!, refs);
}

function numberEnvironments(tex: string, refs: CrossRefs): string {
  return tex.replace(new RegExp(String.raw`\\begin\{(${ENVIRONMENTS})\}(\{\d+\})?([\s\S]*?)\\end\{\1\}`, "g"), (_all, env: string, arg: string | undefined, body: string) =>
    environment(env, arg ?? "", body, refs),
  );
}

/** `\begin{align}` rows → `\begin{align*}` rows with explicit tags from the shared sequence. */
function environment(env: string, arg: string, body: string, refs: CrossRefs): string {
  const rows = SINGLE_ROW.has(env) ? [body] : splitRows(body);
  const tagged = rows.map((row, i) => {
    const last = i === rows.length - 1;
    if (!SINGLE_ROW.has(env) && last && row.trim() === "" && rows.length > 1) return row; // a trailing \\
    if (NO_NUMBER.test(row)) return stripLabels(row.replace(new RegExp(NO_NUMBER.source, "g"), ""));
    const labels = [...row.matchAll(LABEL)].map((l) => l[1]).filter((l) => LABEL_PATTERN.test(l) && l.startsWith("eq-"));
    const n = refs.next("eq", labels[0]);
    return `${stripLabels(row).replace(/\s+$/, "")} \\tag{${n}}${/\s$/.test(row) ? " " : ""}`;
  });
  return `\\begin{${env}*}${arg}${tagged.join("\\\\")}\\end{${env}*}`;
}

/** KaTeX prints \label as text; the row's eq- label is bound to its number already. */
function stripLabels(tex: string): string {
  return tex.replace(LABEL, "");
}

/** Rows of an alignment: split at `\\` outside braces and nested environments. */
function splitRows(body: string): string[] {
  const rows: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "\\") {
      if (body.startsWith("\\begin{", i)) depth++;
      else if (body.startsWith("\\end{", i)) depth--;
      else if (body[i + 1] === "\\" && depth === 0) {
        rows.push(body.slice(start, i));
        start = i + 2;
      }
      i++; // an escaped character is never a brace
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}") depth--;
  }
  rows.push(body.slice(start));
  return rows;
}

/** The source cut into fenced code blocks (left as written) and the text between them. */
function splitFences(source: string): { code: boolean; text: string }[] {
  const parts: { code: boolean; text: string }[] = [];
  const lines = source.split(/(?<=\n)/);
  let fence: string | undefined;
  let current: string[] = [];
  const flush = (code: boolean) => {
    if (current.length) parts.push({ code, text: current.join("") });
    current = [];
  };
  for (const line of lines) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === undefined && m) {
      flush(false);
      fence = m[1];
      current.push(line);
    } else if (fence !== undefined && m && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) {
      current.push(line);
      flush(true);
      fence = undefined;
    } else current.push(line);
  }
  flush(fence !== undefined);
  return parts;
}

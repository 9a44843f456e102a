// Quarto-style cell options: `//| key: value` lines at the top of a code cell.
// Declared once as data, used both to validate and to document (`labreport options`). The syntax is
// shared; the meaning is not: execute/cell-plan.ts reads the options that govern execution (eval,
// error), render/ the ones that govern the page (echo, output, include, warning, labels, captions,
// sub-captions, layout-ncol, figure size).
import { load as parseYaml } from "js-yaml";
import { UserError } from "./user-error.js";

interface OptionSpec {
  /** "list": a YAML list of strings (or `true`, for letters without captions). */
  type: "boolean" | "string" | "number" | "list";
  default?: boolean | string;
  description: string;
}

export const CELL_OPTIONS = {
  echo: { type: "boolean", default: true, description: "show the cell's code in the report" },
  eval: { type: "boolean", default: true, description: "run the cell; false leaves it unexecuted" },
  output: { type: "boolean", default: true, description: "show the cell's outputs in the report" },
  include: { type: "boolean", default: true, description: "false hides both code and outputs (the cell still runs)" },
  label: { type: "string", description: "cross-reference label of the cell's figure or table: fig-… or tbl-…" },
  "fig-cap": { type: "string", description: "caption of the cell's figure (numbered 'Figure n')" },
  "tbl-cap": { type: "string", description: "caption of the cell's table (numbered 'Table n')" },
  warning: { type: "boolean", default: true, description: "show the cell's stderr output in the report" },
  error: { type: "boolean", default: false, description: "the cell is expected to fail: its error is shown and the next cells still run" },
  "lst-label": { type: "string", description: "cross-reference label of the cell's code as a numbered listing: lst-…" },
  "lst-cap": { type: "string", description: "caption of the cell's code, shown as 'Listing n'" },
  "fig-subcap": { type: "list", description: "captions (a), (b), … of the cell's figures, shown side by side under one numbered caption" },
  "layout-ncol": { type: "number", description: "how many of the cell's figures sit side by side in a row" },
  "fig-width": { type: "number", description: "width of the cell's figures, in inches" },
  "fig-height": { type: "number", description: "height of the cell's figures, in inches" },
} satisfies Record<string, OptionSpec>;

export interface CellOptions {
  echo: boolean;
  eval: boolean;
  output: boolean;
  include: boolean;
  warning: boolean;
  error: boolean;
  label?: string;
  "fig-cap"?: string;
  "tbl-cap"?: string;
  "lst-label"?: string;
  "lst-cap"?: string;
  /** Sub-captions of the cell's figures; `true` letters them without captions. */
  "fig-subcap"?: string[] | true;
  "layout-ncol"?: number;
  "fig-width"?: number;
  "fig-height"?: number;
}

export interface ParsedCell {
  options: CellOptions;
  /** The code without its option lines, as the listing shows it. */
  code: string;
  /** Problems found, one line each (unknown option, wrong type). */
  problems: string[];
}

const OPTION_LINE = /^\s*\/\/\|\s?(.*)$/;

export function parseCellOptions(source: string): ParsedCell {
  const lines = source.split("\n");
  let n = 0;
  while (n < lines.length && OPTION_LINE.test(lines[n])) n++;
  const yaml = lines.slice(0, n).map((l) => OPTION_LINE.exec(l)![1]).join("\n");
  const options: CellOptions = { echo: true, eval: true, output: true, include: true, warning: true, error: false };
  const problems: string[] = [];
  if (n > 0) {
    let parsed: unknown;
    try {
      parsed = parseYaml(yaml);
    } catch (err) {
      // The usual cause: a caption holding ": " ("fig-cap: Loss: per epoch"), which YAML reads as a mapping.
      const colon = yaml.split("\n").find((l) => /^[\w-]+:\s.*:\s/.test(l) && !/^[\w-]+:\s*["']/.test(l));
      const hint = colon ? `; quote the value that contains ": ", e.g. //| ${colon.replace(/^([\w-]+):\s*(.*)$/, '$1: "$2"')}` : "";
      problems.push(`cell options are not valid YAML (${(err as Error).message.split("\n")[0]})${hint}`);
    }
    if (parsed !== undefined && parsed !== null && (typeof parsed !== "object" || Array.isArray(parsed))) {
      problems.push(`cell options must be "key: value" lines, got "${yaml.split("\n")[0]}" (write e.g. //| echo: false)`);
    } else if (parsed && typeof parsed === "object") {
      for (const [key, value] of Object.entries(parsed)) {
        const spec = (CELL_OPTIONS as Record<string, OptionSpec>)[key];
        if (!spec) {
          const near = nearest(key, Object.keys(CELL_OPTIONS));
          problems.push(`unknown cell option "${key}"${near ? `; did you mean "${near}"?` : ` (known: ${Object.keys(CELL_OPTIONS).join(", ")})`}`);
          continue;
        }
        const typed = typedValue(spec, value);
        if (typed === undefined) problems.push(`cell option "${key}" must be ${TYPE_WORDS[spec.type]}, got ${JSON.stringify(value)}`);
        else (options as unknown as Record<string, unknown>)[key] = typed;
      }
    }
  }
  return { options, code: lines.slice(n).join("\n").replace(/^\n+/, "").replace(/\s+$/, ""), problems };
}

const TYPE_WORDS: Record<OptionSpec["type"], string> = {
  boolean: "a boolean (true or false)",
  string: "a string",
  number: "a positive number",
  list: 'a list of captions, e.g. ["Train", "Test"]',
};

/** The value as the option's type holds it, or undefined when it is of another type. */
function typedValue(spec: OptionSpec, value: unknown): unknown {
  switch (spec.type) {
    case "number":
      return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
    case "list":
      if (value === true) return true;
      return Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number") ? value.map(String) : undefined;
    default:
      return typeof value === spec.type ? value : undefined;
  }
}

/** Levenshtein distance, for "did you mean" on a misspelt option or label. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The candidate closest to `word`, if one is within two edits (a typo, not another word). */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = editDistance(word, name);
    if (d <= 2 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

/**
 * Every code cell's options, checked before a notebook runs (a typo should not wait for an hour of
 * training): the first problem is an error naming the notebook and the cell.
 */
export function checkCellOptions(cells: readonly { cell_type: string; source: string | string[] }[], file: string): void {
  const problems = cells.flatMap((cell, i) =>
    cell.cell_type === "code" ? parseCellOptions(Array.isArray(cell.source) ? cell.source.join("") : cell.source).problems.map((p) => `${file}: cell ${i + 1}: ${p}`) : [],
  );
  if (problems.length) throw new UserError(problems.join("\n"));
}

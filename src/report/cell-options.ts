// Quarto-style cell options: `//| key: value` lines at the top of a code cell.
// Declared once as data, used both to validate and to document (`labreport options`). The syntax is
// shared; the meaning is not: execute/cell-plan.ts reads the options that govern execution (eval,
// error), render/ the ones that govern the page (echo, output, include, warning, labels, captions).
import { load as parseYaml } from "js-yaml";

interface OptionSpec {
  type: "boolean" | "string";
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
          problems.push(`unknown cell option "${key}" (known: ${Object.keys(CELL_OPTIONS).join(", ")})`);
        } else if (typeof value !== spec.type) {
          problems.push(`cell option "${key}" must be a ${spec.type}, got ${JSON.stringify(value)}`);
        } else {
          (options as unknown as Record<string, unknown>)[key] = value;
        }
      }
    }
  }
  return { options, code: lines.slice(n).join("\n").replace(/^\n+/, "").replace(/\s+$/, ""), problems };
}

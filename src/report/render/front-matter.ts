// The report's title block comes from YAML front matter in the notebook's first cell, as in Quarto:
// a raw cell, or a Markdown cell that starts with a --- block (prose may follow it in the same cell).
import { load as parseYaml } from "js-yaml";
import { Cell, joinSource } from "../notebook.js";
import { UserError } from "../user-error.js";

export interface FrontMatter {
  title?: string;
  subtitle?: string;
  author?: unknown;
  date?: string;
  course?: string;
  instructor?: string;
  abstract?: string;
  /** Number the headings (default true). */
  "number-sections"?: boolean;
  [key: string]: unknown;
}

const BLOCK = /^\s*---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)/;

/**
 * Finds front matter; returns it, the index of the cell that holds it, and any prose after the block
 * in that cell. A raw cell with invalid YAML is an error (it was meant as front matter); a Markdown
 * cell whose --- block is not a YAML mapping is just Markdown (--- is also a horizontal rule).
 */
export function readFrontMatter(cells: Cell[], file: string): { front: FrontMatter; cellIndex?: number; rest?: string } {
  const first = cells.findIndex((c) => joinSource(c.source).trim() !== "");
  if (first < 0) return { front: {} };
  const cell = cells[first];
  if (cell.cell_type === "code") return { front: {} };
  const source = joinSource(cell.source);
  const match = BLOCK.exec(source);
  if (!match) return { front: {} };
  let data: unknown;
  try {
    data = parseYaml(match[1]);
  } catch (err) {
    if (cell.cell_type === "markdown") return { front: {} };
    // js-yaml counts lines from the block; the author counts them in the cell.
    const e = err as { reason?: string; mark?: { line: number } };
    const firstLine = source.slice(0, match.index + match[0].indexOf(match[1])).split("\n").length;
    const what = e.reason && e.mark ? `${e.reason} at line ${e.mark.line + firstLine}` : (err as Error).message.split("\n")[0];
    throw new UserError(`${file}: front matter in cell ${first + 1} is not valid YAML (${what}); fix the --- block (quote values that contain ": ")`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    if (cell.cell_type === "markdown") return { front: {} };
    throw new UserError(`${file}: front matter in cell ${first + 1} is not a list of "key: value" lines; write e.g. "title: My report" between the --- lines`);
  }
  // Prose after the block is shown for a Markdown cell; a raw cell is never shown (as in nbconvert).
  const rest = cell.cell_type === "markdown" ? source.slice(match[0].length) : undefined;
  return { front: normalize(data as Record<string, unknown>), cellIndex: first, rest };
}

/** What the author wrote, as text: YAML reads `title: 2024` as a number and 2019-02-11 as a Date. */
function normalize(data: Record<string, unknown>): FrontMatter {
  const front: FrontMatter = { ...data };
  for (const [k, v] of Object.entries(front)) {
    if (v instanceof Date) front[k] = v.toISOString().slice(0, 10);
    else if (typeof v === "number" && k !== "number-sections") front[k] = String(v);
  }
  // Quarto's keywords for the build's date.
  if (front.date === "today" || front.date === "now" || front.date === "last-modified") front.date = new Date().toISOString().slice(0, 10);
  return front;
}

/** Authors as Quarto accepts them: a name, a list of names, or objects with a `name` (and more). */
export function authorNames(author: unknown): string[] {
  const list = Array.isArray(author) ? author : author === undefined || author === null ? [] : [author];
  return list
    .map((a) => {
      if (a && typeof a === "object") {
        const name = (a as { name?: unknown }).name;
        if (name && typeof name === "object") {
          const n = name as { literal?: unknown; given?: unknown; family?: unknown };
          return String(n.literal ?? [n.given, n.family].filter(Boolean).join(" "));
        }
        return name === undefined ? "" : String(name);
      }
      return String(a);
    })
    .filter((a) => a.trim() !== "");
}

/** A front-matter value shown as one line of text (a list is joined with commas). */
export function asText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (Array.isArray(value)) return value.map((v) => asText(v) ?? "").filter(Boolean).join(", ");
  if (typeof value === "object") return undefined;
  return String(value);
}

/**
 * Authors as the title block shows them: the name, then what identifies the student to a grader
 * (`id`, `netid`, `student-id`, `email`, `affiliation`), e.g. "Xingkai Wang (netid xwg510)".
 */
export function authorLines(author: unknown): string[] {
  const list = Array.isArray(author) ? author : author === undefined || author === null ? [] : [author];
  const names = authorNames(list);
  let k = 0;
  return list.flatMap((a) => {
    const name = authorNames([a])[0];
    if (name === undefined) return [];
    k++;
    if (!a || typeof a !== "object") return [name];
    const o = a as Record<string, unknown>;
    const details = [
      ["netid", "netid"], ["id", "id"], ["student-id", "student id"], ["email", ""], ["affiliation", ""],
    ].flatMap(([key, word]) => {
      const v = asText(key === "affiliation" && Array.isArray(o.affiliations) ? o.affiliations : o[key]);
      return v === undefined ? [] : [word ? `${word} ${v}` : v];
    });
    return [details.length ? `${name} (${details.join(", ")})` : name];
  }).slice(0, Math.max(names.length, k));
}

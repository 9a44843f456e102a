// The report's title block comes from YAML front matter in the notebook's first raw cell
// (or a first Markdown cell that starts with ---), as in Quarto.
import { load as parseYaml } from "js-yaml";
import { Cell, joinSource } from "../notebook.js";

export interface FrontMatter {
  title?: string;
  subtitle?: string;
  author?: string | string[];
  date?: string;
  course?: string;
  instructor?: string;
  /** Number the headings (default true). */
  "number-sections"?: boolean;
  [key: string]: unknown;
}

const BLOCK = /^\s*---\s*\n([\s\S]*?)\n---\s*$/;

/** Finds front matter; returns it and the index of the cell that holds it (not rendered as prose). */
export function readFrontMatter(cells: Cell[], file: string): { front: FrontMatter; cellIndex?: number } {
  const first = cells.findIndex((c) => joinSource(c.source).trim() !== "");
  if (first < 0) return { front: {} };
  const cell = cells[first];
  if (cell.cell_type === "code") return { front: {} };
  const match = BLOCK.exec(joinSource(cell.source));
  if (!match) return { front: {} };
  let data: unknown;
  try {
    data = parseYaml(match[1]);
  } catch (err) {
    throw new Error(`${file}: front matter in cell ${first + 1} is not valid YAML (${(err as Error).message.split("\n")[0]}); fix the --- block`);
  }
  const front = (data && typeof data === "object" ? data : {}) as FrontMatter;
  // YAML turns an unquoted 2019-02-11 into a Date; the report shows what the author wrote.
  for (const [k, v] of Object.entries(front)) if (v instanceof Date) front[k] = v.toISOString().slice(0, 10);
  return { front, cellIndex: first };
}

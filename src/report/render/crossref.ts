// Quarto-style cross-references: labels (fig-, tbl-, eq-, sec-) get numbers in document order,
// and `@fig-name` in prose becomes "Figure 2" linking to it. Citations of the bibliography ride along.
import { Citations } from "./bibliography.js";

export type RefKind = "fig" | "tbl" | "eq" | "sec" | "lst";

export interface RefTarget {
  kind: RefKind;
  /** "3" for figures, tables and equations; "2.1" for sections. */
  number: string;
}

const WORDS: Record<RefKind, string> = { fig: "Figure", tbl: "Table", eq: "Equation", sec: "Section", lst: "Listing" };

export const LABEL_PATTERN = /^(fig|tbl|eq|sec|lst)-[A-Za-z0-9_-]+$/;

export function refKind(label: string): RefKind | undefined {
  return LABEL_PATTERN.test(label) ? (label.split("-")[0] as RefKind) : undefined;
}

/** Numbers for every label in a document; figures, tables and equations count separately. */
export class CrossRefs {
  private readonly targets = new Map<string, RefTarget>();
  private readonly counters: Record<"fig" | "tbl" | "eq" | "lst", number> = { fig: 0, tbl: 0, eq: 0, lst: 0 };
  readonly warnings: string[] = [];
  /** Where the text being rendered comes from ("cell 3"), for the error a missing label gives. */
  where = "";
  /** References to labels that do not exist, with where they were written. */
  readonly missing: { label: string; where: string }[] = [];
  /** The document's bibliography, when its front matter has one: `[@key]` cites from it. */
  citations = new Citations([]);

  /** Takes the next number of the kind (figure, table, equation) and binds the label to it, if any. */
  next(kind: "fig" | "tbl" | "eq" | "lst", label?: string): number {
    const n = ++this.counters[kind];
    if (label) this.bind(label, { kind, number: String(n) });
    return n;
  }

  bind(label: string, target: RefTarget): void {
    if (this.targets.has(label)) this.warnings.push(`label ${label} is defined twice; references use the first`);
    else this.targets.set(label, target);
  }

  labels(): string[] {
    return [...this.targets.keys()];
  }

  get(label: string): RefTarget | undefined {
    return this.targets.get(label);
  }

  /** The text a reference shows: "Figure 2", or "?@fig-x" (Quarto's marker) when the label is unknown. */
  text(label: string): string {
    const target = this.targets.get(label);
    if (!target) {
      if (!this.missing.some((m) => m.label === label && m.where === this.where)) this.missing.push({ label, where: this.where });
      return `?@${label}`;
    }
    return `${WORDS[target.kind]} ${target.number}`;
  }
}

export function captionPrefix(kind: "fig" | "tbl" | "lst", n: number): string {
  return `${WORDS[kind]} ${n}`;
}

// Citations, as in Quarto/pandoc: entries from the front matter (`references:` or `bibliography:` as a
// list) or from a BibTeX file (`bibliography: refs.bib`), cited in prose as `[@key]` or `[@a; @b]`,
// numbered in order of first citation, and listed in a References section at the end of the report.
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../user-error.js";

export interface BibEntry {
  id: string;
  authors: string[];
  title?: string;
  year?: string;
  /** Journal, proceedings, publisher or "arXiv:…". */
  venue?: string;
  url?: string;
}

/** CSL-YAML as Quarto writes it (`author: [{family, given}]`, `issued: {date-parts: [[2015]]}`), or plain strings. */
function fromYaml(item: Record<string, unknown>, where: string): BibEntry {
  const id = item.id ?? item.key;
  if (typeof id !== "string" || !id) throw new UserError(`${where}: a reference has no "id" (write e.g. "- id: kingma2015")`);
  const names = Array.isArray(item.author) ? item.author : item.author === undefined ? [] : [item.author];
  const authors = names.map((a) => {
    if (a && typeof a === "object") {
      const n = a as { family?: string; given?: string; literal?: string };
      return n.literal ?? [n.given, n.family].filter(Boolean).join(" ");
    }
    return String(a);
  });
  const issued = item.issued as { "date-parts"?: unknown[][] } | string | number | undefined;
  const year = item.year ?? (typeof issued === "object" && issued ? issued["date-parts"]?.[0]?.[0] : issued);
  const venue = item["container-title"] ?? item.journal ?? item.booktitle ?? item.publisher ?? item.venue;
  return { id, authors, title: item.title as string | undefined, year: year === undefined ? undefined : String(year), venue: venue as string | undefined, url: (item.URL ?? item.url) as string | undefined };
}

/** A small BibTeX reader: `@type{key, field = {value} | "value" | number, …}`, braces nested. */
export function parseBibtex(text: string, file: string): BibEntry[] {
  const entries: BibEntry[] = [];
  const at = /@(\w+)\s*\{\s*([^,\s]+)\s*,/g;
  let m: RegExpExecArray | null;
  while ((m = at.exec(text))) {
    if (/^(comment|string|preamble)$/i.test(m[1])) continue;
    const fields: Record<string, string> = {};
    let i = at.lastIndex;
    for (;;) {
      const f = /^\s*([\w-]+)\s*=\s*/.exec(text.slice(i));
      if (!f) break;
      i += f[0].length;
      let value = "";
      if (text[i] === "{") {
        let depth = 0;
        const start = i;
        for (; i < text.length; i++) {
          if (text[i] === "{") depth++;
          else if (text[i] === "}" && --depth === 0) break;
        }
        value = text.slice(start + 1, i++);
      } else if (text[i] === '"') {
        const end = text.indexOf('"', i + 1);
        value = text.slice(i + 1, end);
        i = end + 1;
      } else {
        const v = /^[^,}\s]+/.exec(text.slice(i));
        value = v ? v[0] : "";
        i += value.length;
      }
      fields[f[1].toLowerCase()] = value.replace(/[{}]/g, "").replace(/\s+/g, " ").trim();
      const comma = /^\s*,/.exec(text.slice(i));
      if (!comma) break;
      i += comma[0].length;
    }
    at.lastIndex = i;
    const authors = (fields.author ?? "").split(/\s+and\s+/).filter(Boolean).map((a) => {
      const [family, given] = a.split(/\s*,\s*/);
      return given ? `${given} ${family}` : family;
    });
    entries.push({ id: m[2], authors, title: fields.title, year: fields.year, venue: fields.journal ?? fields.booktitle ?? fields.publisher ?? fields.eprint, url: fields.url });
  }
  if (!entries.length && text.trim()) throw new UserError(`${file}: no BibTeX entries found; entries look like @article{key, author = {…}, title = {…}, year = {2015}}`);
  return entries;
}

/** The entries a notebook's front matter makes available. */
export function readBibliography(front: Record<string, unknown>, notebookFile: string, baseDir = path.dirname(notebookFile)): BibEntry[] {
  const entries: BibEntry[] = [];
  const sources = [front.references, front.bibliography].flatMap((v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]));
  for (const source of sources) {
    if (typeof source === "string") {
      const file = path.resolve(baseDir, source);
      if (!fs.existsSync(file)) throw new UserError(`${notebookFile}: bibliography ${source} not found (looked in ${baseDir}); put the .bib file beside the notebook or fix the path`);
      entries.push(...parseBibtex(fs.readFileSync(file, "utf8"), file));
    } else if (source && typeof source === "object") entries.push(fromYaml(source as Record<string, unknown>, notebookFile));
  }
  return entries;
}

/** Numbers entries in order of first citation. */
export class Citations {
  private readonly byId: Map<string, BibEntry>;
  private readonly order: string[] = [];
  readonly warnings: string[] = [];

  constructor(entries: BibEntry[]) {
    this.byId = new Map(entries.map((e) => [e.id, e]));
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** "[1]" or "[1, 2]"; an unknown key shows as "?@key" (as pandoc) and is reported. */
  cite(ids: string[]): string {
    const parts = ids.map((id) => {
      if (!this.byId.has(id)) {
        this.warnings.push(`citation @${id} is not in the bibliography`);
        return `?@${id}`;
      }
      if (!this.order.includes(id)) this.order.push(id);
      return String(this.order.indexOf(id) + 1);
    });
    return `[${parts.join(", ")}]`;
  }

  /** The cited entries, in citation order. */
  cited(): BibEntry[] {
    return this.order.map((id) => this.byId.get(id)!);
  }
}

/** One entry as the References list prints it: "Authors (year). Title. Venue." */
export function formatEntry(e: BibEntry): string {
  const authors = e.authors.length > 2 ? `${e.authors.slice(0, -1).join(", ")} and ${e.authors.at(-1)}` : e.authors.join(" and ");
  return [authors && `${authors}${e.year ? ` (${e.year})` : ""}.`, !authors && e.year ? `(${e.year}).` : "", e.title && `${e.title}.`, e.venue && `${e.venue}.`, e.url]
    .filter(Boolean)
    .join(" ");
}

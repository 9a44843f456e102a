// The page around the report: templates/report.html with {{slots}}, templates/report.css, and the
// KaTeX stylesheet with its fonts inlined, so the HTML prints with no network and no other files.
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../user-error.js";

export interface TemplateSlots {
  title: string;
  /** Author and subject (course and assignment) for the PDF's document information and running header. */
  author?: string;
  subject?: string;
  titleBlock: string;
  runInfo: string;
  body: string;
}

export const DEFAULT_TEMPLATE_DIR = path.resolve(__dirname, "..", "..", "..", "..", "templates");

let katexCss: string | undefined;

/** KaTeX's CSS with each font's woff2 file embedded as a data URL (other formats dropped). */
function inlineKatexCss(): string {
  if (katexCss) return katexCss;
  const dist = path.dirname(require.resolve("katex/dist/katex.min.css"));
  const css = fs.readFileSync(path.join(dist, "katex.min.css"), "utf8");
  katexCss = css.replace(/src:([^;}]+)/g, (_all, sources: string) => {
    const woff2 = /url\((fonts\/[^)]+\.woff2)\)/.exec(sources);
    if (!woff2) return `src:${sources}`;
    const data = fs.readFileSync(path.join(dist, woff2[1])).toString("base64");
    return `src:url(data:font/woff2;base64,${data}) format("woff2")`;
  });
  return katexCss;
}

function readTemplateFile(dir: string, name: string): string {
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    throw new UserError(`${file}: template file missing; restore templates/ from the repository or pass --template <dir> with report.html and report.css`);
  }
}

/** Fails before a notebook runs (minutes, perhaps) when the template it would be rendered with is missing. */
export function checkTemplate(templateDir: string | undefined): void {
  for (const name of ["report.html", "report.css"]) readTemplateFile(templateDir ?? DEFAULT_TEMPLATE_DIR, name);
}

export function fillTemplate(templateDir: string | undefined, slots: TemplateSlots): string {
  const dir = templateDir ?? DEFAULT_TEMPLATE_DIR;
  const read = (name: string) => readTemplateFile(dir, name);
  const attr = (text: string) => text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const meta = [
    slots.author ? `<meta name="author" content="${attr(slots.author)}">` : "",
    slots.subject ? `<meta name="description" content="${attr(slots.subject)}">` : "",
  ].filter(Boolean);
  const values: Record<string, string> = {
    ...slots,
    meta: meta.join("\n"),
    title: attr(slots.title),
    styles: `${inlineKatexCss()}\n${read("report.css")}`,
  };
  return read("report.html").replace(/\{\{(\w+)\}\}/g, (all, key: string) => values[key] ?? all);
}

// Executed notebook → the report's HTML. Two passes over the cells:
//   1. number: sections, equations, figures and tables get numbers in document order;
//   2. render: Markdown prose, code listings and outputs, with every `@label` resolved.
// The page itself (title block, styles) comes from the template (template.ts).
import * as path from "node:path";
import katex from "katex";
import { CodeCell, Notebook, joinSource } from "../notebook.js";
import { CellOptions, parseCellOptions } from "./cell-options.js";
import { CrossRefs, captionPrefix, refKind } from "./crossref.js";
import { FrontMatter, readFrontMatter } from "./front-matter.js";
import { MarkdownRenderer, escapeHtml, highlight } from "./markdown.js";
import { LabreportMeta, OutputView, TableData, findEngineRecord, viewOutput } from "./outputs.js";
import { embedImages } from "./images.js";
import { fillTemplate } from "./template.js";
import { vegaLiteToSvg } from "../../plots/svg.js";

/** Facts about the run that the report states (the "run information" box). */
export interface RunInfo {
  executedAt?: string;
  durationMs?: number;
  kernel?: string;
  parameters?: Record<string, unknown>;
  /** Set when the notebook was not executed by this build (rendered from an executed .ipynb). */
  note?: string;
}

export interface RenderOptions {
  /** The notebook's path, for messages and as the fallback title. */
  file: string;
  run?: RunInfo;
  templateDir?: string;
  /** Folder that relative image paths in Markdown are read from (default: the notebook's folder). */
  baseDir?: string;
}

export interface RenderedReport {
  html: string;
  title: string;
  figures: number;
  tables: number;
  /** Things the author should fix (unknown references, bad options), one line each. */
  warnings: string[];
}

interface CellPlan {
  options: CellOptions;
  code: string;
  views: OutputView[];
  /** Figure/table number of each output, by output index. */
  numbers: Map<number, { kind: "fig" | "tbl"; n: number; label?: string; caption?: string }>;
}

const md = new MarkdownRenderer();

function isFigure(v: OutputView): boolean {
  return v.type === "vegalite" || v.type === "image";
}

function isTable(v: OutputView): boolean {
  return v.type === "table" || v.type === "html";
}

function metaOf(v: OutputView): LabreportMeta {
  return "meta" in v ? v.meta : {};
}

export async function renderReport(nb: Notebook, opts: RenderOptions): Promise<RenderedReport> {
  const warnings: string[] = [];
  const refs = new CrossRefs();
  const { front, cellIndex: frontCell } = readFrontMatter(nb.cells, opts.file);
  const numberSections = front["number-sections"] !== false;
  let title = typeof front.title === "string" ? front.title : undefined;

  // Pass 1: numbers.
  const sectionNumbers = new Map<number, (string | undefined)[]>();
  const counters = [0, 0, 0, 0, 0, 0];
  const markdownSources = new Map<number, string>();
  const headingsPerCell = nb.cells.map((cell, i) => {
    if (cell.cell_type !== "markdown" || i === frontCell) return [];
    let source = joinSource(cell.source);
    // Without a title in front matter, a first-level heading at the very top is the title.
    if (title === undefined) {
      const m = /^\s*#\s+(.+?)\s*(?:\n|$)/.exec(source);
      if (m) {
        title = m[1];
        source = source.slice(m[0].length);
      }
    }
    markdownSources.set(i, source);
    for (const label of md.equationLabels(source)) refs.next("eq", label);
    return md.headings(source);
  });
  const numbered = headingsPerCell.flat().filter((h) => h.numbered);
  const topLevel = numbered.length ? Math.min(...numbered.map((h) => h.level)) : 1;
  headingsPerCell.forEach((headings, i) => {
    const numbers = headings.map((h) => {
      if (!numberSections || !h.numbered || h.level > topLevel + 2) return undefined;
      const depth = h.level - topLevel;
      counters[depth]++;
      for (let d = depth + 1; d < counters.length; d++) counters[d] = 0;
      const number = counters.slice(0, depth + 1).map((c) => Math.max(c, 1)).join(".");
      if (h.label) refs.bind(h.label, { kind: "sec", number });
      return number;
    });
    sectionNumbers.set(i, numbers);
  });

  const plans = new Map<number, CellPlan>();
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    const parsed = parseCellOptions(joinSource(cell.source));
    for (const p of parsed.problems) warnings.push(`cell ${i + 1}: ${p}`);
    const { options } = parsed;
    const views = (cell as CodeCell).outputs.map(viewOutput);
    const numbers: CellPlan["numbers"] = new Map();
    if (options.label !== undefined && !refKind(options.label)) {
      warnings.push(`cell ${i + 1}: label "${options.label}" must start with fig- or tbl-`);
    }
    if (options.include && options.output) {
      let cellLabelUsed = false;
      views.forEach((v, k) => {
        const meta = metaOf(v);
        const kind = isFigure(v) ? "fig" : isTable(v) && (v.type === "table" || options["tbl-cap"]) ? "tbl" : undefined;
        if (!kind) return;
        // The cell's own label/caption apply to its first output of the matching kind.
        const cellLabel = !cellLabelUsed && options.label?.startsWith(`${kind}-`) ? options.label : undefined;
        const cellCaption = !cellLabelUsed ? (kind === "fig" ? options["fig-cap"] : options["tbl-cap"]) : undefined;
        const label = meta.label ?? cellLabel;
        const caption = meta.caption ?? cellCaption;
        if (cellLabel || cellCaption) cellLabelUsed = true;
        if (label === undefined && caption === undefined) return; // unnumbered, as in Quarto
        if (label !== undefined && refKind(label) !== kind) warnings.push(`cell ${i + 1}: label "${label}" should start with ${kind}-`);
        numbers.set(k, { kind, n: refs.next(kind, label), label, caption });
      });
    }
    plans.set(i, { options, code: parsed.code, views, numbers });
  });

  // Pass 2: HTML.
  const parts: string[] = [];
  let engine: LabreportMeta | undefined;
  for (const [i, cell] of nb.cells.entries()) {
    if (i === frontCell) continue;
    if (cell.cell_type === "markdown") {
      const source = markdownSources.get(i) ?? joinSource(cell.source);
      if (!source.trim()) continue;
      const rendered = embedImages(md.render(source, refs, sectionNumbers.get(i)), opts.baseDir ?? path.dirname(opts.file), cell.attachments);
      for (const name of rendered.missing) warnings.push(`cell ${i + 1}: image ${name} not found`);
      parts.push(`<section class="prose">${rendered.html}</section>`);
    } else if (cell.cell_type === "code") {
      engine ??= findEngineRecord((cell as CodeCell).outputs);
      parts.push(await renderCodeCell(plans.get(i)!, i, refs, warnings));
    }
    // Raw cells are for other formats (as in nbconvert): not shown.
  }
  warnings.push(...refs.warnings);

  const html = fillTemplate(opts.templateDir, {
    title: title ?? opts.file.replace(/^.*\//, "").replace(/\.ipynb$/, ""),
    titleBlock: titleBlock(front, title ?? opts.file),
    runInfo: runInfoBlock(opts.run, engine),
    body: parts.join("\n"),
  });
  const count = (kind: "fig" | "tbl") => [...plans.values()].reduce((s, p) => s + [...p.numbers.values()].filter((x) => x.kind === kind).length, 0);
  return { html, title: title ?? opts.file, figures: count("fig"), tables: count("tbl"), warnings };
}

async function renderCodeCell(plan: CellPlan, cellIndex: number, refs: CrossRefs, warnings: string[]): Promise<string> {
  const { options } = plan;
  if (!options.include) return "";
  const pieces: string[] = [];
  if (options.echo && plan.code.trim()) pieces.push(highlight(plan.code, "typescript"));
  if (options.output) {
    // Consecutive text of one stream reads as one block, as in Jupyter.
    let pendingText: { stream: string; text: string } | undefined;
    const flush = () => {
      if (pendingText && pendingText.text.trim()) {
        pieces.push(`<pre class="output ${pendingText.stream}">${escapeHtml(pendingText.text.replace(/\s+$/, ""))}</pre>`);
      }
      pendingText = undefined;
    };
    for (const [k, view] of plan.views.entries()) {
      if (view.type === "text") {
        if (view.stream === "stderr" && !options.warning) continue;
        if (pendingText && pendingText.stream === view.stream) pendingText.text += view.text;
        else {
          flush();
          pendingText = { stream: view.stream, text: view.text };
        }
        continue;
      }
      flush();
      pieces.push(await renderView(view, plan.numbers.get(k), cellIndex, refs, warnings));
    }
    flush();
  }
  return pieces.length ? `<div class="cell">${pieces.join("\n")}</div>` : "";
}

async function renderView(
  view: OutputView,
  number: { kind: "fig" | "tbl"; n: number; label?: string; caption?: string } | undefined,
  cellIndex: number,
  refs: CrossRefs,
  warnings: string[],
): Promise<string> {
  const caption = (kind: "fig" | "tbl") =>
    number ? `<span class="caption-prefix">${captionPrefix(kind, number.n)}:</span> ${inlineMarkdown(number.caption ?? "")}` : "";
  const id = number?.label ? ` id="${escapeHtml(number.label)}"` : "";
  switch (view.type) {
    case "vegalite":
    case "image": {
      let body: string;
      if (view.type === "vegalite") {
        try {
          body = await vegaLiteToSvg(view.spec);
        } catch (err) {
          warnings.push(`cell ${cellIndex + 1}: ${(err as Error).message}`);
          return `<pre class="output stderr">${escapeHtml((err as Error).message)}</pre>`;
        }
      } else if (view.mime === "image/svg+xml") body = view.data;
      else body = `<img src="data:${view.mime};base64,${view.data.replace(/\s/g, "")}" alt="">`;
      const cap = number ? `<figcaption>${caption("fig")}</figcaption>` : "";
      return `<figure class="figure"${id}>${body}${cap}</figure>`;
    }
    case "table":
    case "html": {
      const body = view.type === "table" ? tableHtml(view.table) : view.html;
      if (!number) return `<div class="output html">${body}</div>`;
      return `<figure class="table"${id}><figcaption>${caption("tbl")}</figcaption>${body}</figure>`;
    }
    case "markdown":
      // Markdown written by code (showMarkdown) is prose too: its @references resolve like the cells'.
      return `<div class="output markdown">${md.render(view.markdown, refs)}</div>`;
    case "latex":
      return `<div class="output latex">${katex.renderToString(view.latex.replace(/^\$+|\$+$/g, ""), { displayMode: true, throwOnError: false })}</div>`;
    case "error":
      return `<pre class="output error">${escapeHtml(`${view.ename}: ${view.evalue}`)}</pre>`;
    case "hidden":
    case "text":
      return "";
  }
}

function inlineMarkdown(text: string): string {
  return md.render(text, new CrossRefs()).replace(/^<p>|<\/p>\s*$/g, "");
}

function formatCell(value: string | number | null): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isInteger(value) ? value.toLocaleString("en-US") : String(value);
  return escapeHtml(value);
}

export function tableHtml(table: TableData): string {
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const rows = table.rows
    .map((r) => `<tr>${r.map((v) => `<td class="${typeof v === "number" ? "num" : ""}">${formatCell(v)}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table class="data"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function titleBlock(front: FrontMatter, title: string): string {
  const line = (cls: string, value: unknown) =>
    value === undefined || value === null || value === "" ? "" : `<div class="${cls}">${escapeHtml(String(value))}</div>`;
  const authors = Array.isArray(front.author) ? front.author.join(", ") : front.author;
  const meta = [
    front.course !== undefined ? `<span>${escapeHtml(String(front.course))}</span>` : "",
    front.instructor !== undefined ? `<span>Instructor: ${escapeHtml(String(front.instructor))}</span>` : "",
    front.date !== undefined ? `<span>${escapeHtml(String(front.date))}</span>` : "",
  ].filter(Boolean);
  return [
    `<header class="title-block">`,
    `<h1 class="title">${escapeHtml(title)}</h1>`,
    line("subtitle", front.subtitle),
    line("author", authors),
    meta.length ? `<div class="meta">${meta.join(" · ")}</div>` : "",
    `</header>`,
  ].join("\n");
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function runInfoBlock(run: RunInfo | undefined, engine: LabreportMeta | undefined): string {
  const rows: [string, string][] = [];
  if (engine) rows.push(["Engine", `${String(engine.name)}${engine.reason ? ` (${String(engine.reason)})` : ""}`]);
  if (run?.kernel) rows.push(["Kernel", run.kernel]);
  if (run?.executedAt) rows.push(["Executed", run.executedAt]);
  if (run?.durationMs !== undefined) rows.push(["Run time", formatDuration(run.durationMs)]);
  if (run?.parameters && Object.keys(run.parameters).length) {
    rows.push(["Parameters", Object.entries(run.parameters).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ")]);
  }
  if (run?.note) rows.push(["Note", run.note]);
  if (!rows.length) return "";
  const body = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("");
  return `<table class="run-info">${body}</table>`;
}

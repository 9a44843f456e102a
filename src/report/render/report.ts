// Executed notebook → the report's HTML. Two passes over the cells:
//   1. number: sections, equations, figures and tables get numbers in document order;
//   2. render: Markdown prose, code listings and outputs, with every `@label` resolved.
// The page itself (title block, styles) comes from the template (template.ts).
import * as path from "node:path";
import katex from "katex";
import { CodeCell, Notebook, joinSource, reportName } from "../notebook.js";
import { CellOptions, nearest, parseCellOptions } from "../cell-options.js";
import { tagRemovals } from "./cell-tags.js";
import { UserError } from "../user-error.js";
import { CrossRefs, captionPrefix, refKind } from "./crossref.js";
import { FrontMatter, asText, authorLines, authorNames, readFrontMatter } from "./front-matter.js";
import { Citations, formatEntry, readBibliography } from "./bibliography.js";
import { Heading, MarkdownRenderer, highlight } from "./markdown.js";
import { forPaper } from "./paper.js";
import { OutputView, findEngineRecord, inertHtml, viewOutput } from "./outputs.js";
import { EngineMeta, labelAndCaption } from "../../contract/report-outputs.js";
import { escapeHtml, tableHtml } from "../../contract/html.js";
import { embedImages } from "./images.js";
import { fillTemplate } from "./template.js";
import { shapeText, withoutKernelFrames } from "./text-output.js";
import { vegaLiteToSvg } from "../../svg/vega-lite-svg.js";

/** Facts about the run that the report states (the "run information" box). */
export interface RunInfo {
  executedAt?: string;
  durationMs?: number;
  kernel?: string;
  /** name → value as the report shows it (parameterSummary: as written, or as given by --param). */
  parameters?: Record<string, string>;
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
  /** Things the author may want to fix (a missing image, a label used twice), one line each. */
  warnings: string[];
}

interface CellPlan {
  options: CellOptions;
  code: string;
  views: OutputView[];
  /** The listing number of the cell's code (`lst-label` / `lst-cap`). */
  listing?: { n: number; label?: string; caption?: string };
  /** Figure/table number of each output, by output index (for a panel: on its first figure). */
  numbers: Map<number, { kind: "fig" | "tbl"; n: number; label?: string; caption?: string }>;
  /** `fig-subcap` / `layout-ncol`: the cell's figures as one panel, side by side. */
  panel?: { members: number[]; subcaptions?: string[]; ncol: number };
  /** Its Markdown outputs, by output index, as pass 1 numbered them. */
  prose: Map<number, Prose>;
}

/** A piece of prose: a Markdown cell, or the Markdown output `output` of a code cell. */
interface Prose {
  cell: number;
  output?: number;
  /** With its equations numbered. */
  source: string;
  headings: Heading[];
  /** The section number of each heading, in order (undefined: unnumbered). */
  numbers?: (string | undefined)[];
}

/** One entry of the table of contents (`toc: true`). */
interface TocEntry {
  depth: number;
  number?: string;
  text: string;
  label?: string;
  cell: number;
}

const md = new MarkdownRenderer();

function isFigure(v: OutputView): boolean {
  return v.type === "vegalite" || v.type === "image";
}

function isTable(v: OutputView): boolean {
  return v.type === "table" || v.type === "html";
}

/** The label and caption that the output's own labreport record gives it (showFigure, showTable). */
function ownLabel(v: OutputView): { label?: string; caption?: string } {
  return "meta" in v ? labelAndCaption(v.meta) : {};
}

export async function renderReport(nb: Notebook, opts: RenderOptions): Promise<RenderedReport> {
  const warnings: string[] = [];
  // What must be fixed before the report is right (a misspelt option, a reference to nothing): errors.
  const errors: string[] = [];
  const refs = new CrossRefs();
  const { front, cellIndex: frontCell, rest: afterFront } = readFrontMatter(nb.cells, opts.file);
  const numberSections = front["number-sections"] !== false;
  refs.citations = new Citations(readBibliography(front, opts.file, opts.baseDir));
  // `code: appendix` (as seed 004's report does): the code listings are gathered in an appendix.
  const codeInAppendix = front.code === "appendix";
  const appendix: string[] = [];
  const markdownSources = new Map<number, string>();
  if (frontCell !== undefined && afterFront?.trim()) markdownSources.set(frontCell, afterFront);
  let title = asText(front.title);
  // Without a title in front matter, a first-level heading opening the notebook is the title
  // (only there: a "# Part 2" further down is a section).
  const opening = nb.cells.findIndex((c, i) => (i === frontCell ? afterFront ?? "" : joinSource(c.source)).trim() !== "");
  if (title === undefined && nb.cells[opening]?.cell_type === "markdown") {
    const lead = md.leadingTitle(markdownSources.get(opening) ?? joinSource(nb.cells[opening].source));
    if (lead) {
      title = lead.title;
      markdownSources.set(opening, lead.rest);
    }
  }
  const fallbackTitle = reportName(opts.file);

  // Every code cell's options (its `//|` lines, with nbconvert's and Jupyter Book's tags, which say the
  // same as include/echo/output in all spellings) and outputs: pass 1 needs to know which are shown.
  const codeCells = new Map<number, { options: CellOptions; code: string; views: OutputView[] }>();
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    const parsed = parseCellOptions(joinSource(cell.source));
    for (const p of parsed.problems) errors.push(`cell ${i + 1}: ${p}`);
    const removed = tagRemovals(cell);
    const options: CellOptions = {
      ...parsed.options,
      include: parsed.options.include && !removed.cell,
      echo: parsed.options.echo && !removed.input,
      output: parsed.options.output && !removed.output,
    };
    codeCells.set(i, { options, code: parsed.code, views: cell.outputs.map(viewOutput) });
  });

  // Pass 1: numbers. Prose is the Markdown cells, the front matter cell (for what follows its ---
  // block) and the Markdown that shown code cells display (showMarkdown): its headings and equations
  // are numbered in one sequence with the cells', in document order.
  const prose: Prose[] = [];
  nb.cells.forEach((cell, i) => {
    const code = codeCells.get(i);
    if (code) {
      if (!code.options.include || !code.options.output) return;
      code.views.forEach((view, k) => {
        if (view.type !== "markdown") return;
        const source = md.numberEquations(view.markdown, refs);
        prose.push({ cell: i, output: k, source, headings: md.headings(source) });
      });
      return;
    }
    if (i === frontCell ? !markdownSources.has(i) : cell.cell_type !== "markdown" || tagRemovals(cell).cell) return;
    // Equations are numbered here, in document order, so that references before them resolve.
    const source = md.numberEquations(markdownSources.get(i) ?? joinSource(cell.source), refs);
    markdownSources.set(i, source);
    prose.push({ cell: i, source, headings: md.headings(source) });
  });
  const numbered = prose.flatMap((p) => p.headings).filter((h) => h.numbered);
  const topLevel = numbered.length ? Math.min(...numbered.map((h) => h.level)) : 1;
  const tocDepth = typeof front["toc-depth"] === "number" ? front["toc-depth"] : 3;
  const toc: TocEntry[] = [];
  const counters = [0, 0, 0, 0, 0, 0];
  for (const p of prose) {
    p.numbers = p.headings.map((h) => {
      const entry: TocEntry | undefined =
        h.numbered && h.level >= topLevel && h.level < topLevel + tocDepth ? { depth: h.level - topLevel, text: h.text, label: h.label, cell: p.cell } : undefined;
      if (entry) toc.push(entry);
      if (!numberSections || !h.numbered || h.level > topLevel + 2) return undefined;
      const depth = h.level - topLevel;
      counters[depth]++;
      for (let d = depth + 1; d < counters.length; d++) counters[d] = 0;
      const number = counters.slice(0, depth + 1).map((c) => Math.max(c, 1)).join(".");
      if (h.label) refs.bind(h.label, { kind: "sec", number });
      if (entry) entry.number = number;
      return number;
    });
  }
  const sectionNumbers = new Map(prose.filter((p) => p.output === undefined).map((p) => [p.cell, p.numbers]));

  const plans = new Map<number, CellPlan>();
  nb.cells.forEach((cell, i) => {
    const codeCell = codeCells.get(i);
    if (!codeCell) return;
    const { options, views } = codeCell;
    const numbers: CellPlan["numbers"] = new Map();
    if (options.label !== undefined && !refKind(options.label)) {
      errors.push(`cell ${i + 1}: label "${options.label}" must start with fig- or tbl-`);
    }
    let cellLabelUsed = false;
    // Several figures of one cell as one numbered panel, side by side, lettered (a), (b), … (Quarto's fig-subcap).
    let panel: CellPlan["panel"];
    const figureIndices = views.flatMap((v, k) => (isFigure(v) ? [k] : []));
    const subcap = options["fig-subcap"];
    if (options.include && options.output && figureIndices.length > 0 && (subcap !== undefined || (options["layout-ncol"] ?? 1) > 1)) {
      panel = {
        members: figureIndices,
        subcaptions: subcap === undefined ? undefined : figureIndices.map((k, j) => (subcap === true ? undefined : subcap[j]) ?? ownLabel(views[k]).caption ?? ""),
        ncol: Math.max(1, Math.min(Math.round(options["layout-ncol"] ?? 1), figureIndices.length)),
      };
      const label = options.label?.startsWith("fig-") ? options.label : undefined;
      if (label !== undefined || options["fig-cap"] !== undefined) {
        numbers.set(figureIndices[0], { kind: "fig", n: refs.next("fig", label), label, caption: options["fig-cap"] });
        cellLabelUsed = label !== undefined;
      }
      if (subcap !== true && subcap !== undefined && subcap.length !== figureIndices.length) {
        warnings.push(`cell ${i + 1}: fig-subcap has ${subcap.length} captions for ${figureIndices.length} figures`);
      }
    }
    if (options.include && options.output) {
      views.forEach((v, k) => {
        if (panel && isFigure(v)) return;
        const meta = ownLabel(v);
        const kind = isFigure(v) ? "fig" : isTable(v) && (v.type === "table" || options["tbl-cap"]) ? "tbl" : undefined;
        if (!kind) return;
        // The cell's own label/caption apply to its first output of the matching kind.
        const cellLabel = !cellLabelUsed && options.label?.startsWith(`${kind}-`) ? options.label : undefined;
        const cellCaption = !cellLabelUsed ? (kind === "fig" ? options["fig-cap"] : options["tbl-cap"]) : undefined;
        const label = meta.label ?? cellLabel;
        const caption = meta.caption ?? cellCaption;
        if (cellLabel || cellCaption) cellLabelUsed = true;
        if (label === undefined && caption === undefined) return; // unnumbered, as in Quarto
        if (label !== undefined && refKind(label) !== kind) errors.push(`cell ${i + 1}: label "${label}" should start with ${kind}-`);
        numbers.set(k, { kind, n: refs.next(kind, label), label, caption });
      });
    }
    // A label whose figure never appeared leaves every @reference to it dangling: say where. A cell
    // that never ran (eval: false, or stopped before) has nothing to show and is not the label's fault.
    const kind = options.label === undefined ? undefined : refKind(options.label);
    const ran = (cell as CodeCell).execution_count !== null || (cell as CodeCell).outputs.length > 0;
    if ((kind === "fig" || kind === "tbl") && !cellLabelUsed && options.include && options.output && ran) {
      warnings.push(`cell ${i + 1}: label "${options.label}" is on a cell that shows no ${kind === "fig" ? "figure" : "table"}; display one in that cell or move the label`);
    }
    const listingLabel = options["lst-label"];
    if (listingLabel !== undefined && refKind(listingLabel) !== "lst") errors.push(`cell ${i + 1}: lst-label "${listingLabel}" must start with lst-`);
    const listing = listingLabel !== undefined || options["lst-cap"] !== undefined
      ? { n: refs.next("lst", refKind(listingLabel ?? "") === "lst" ? listingLabel : undefined), label: listingLabel, caption: options["lst-cap"] }
      : undefined;
    const outputProse = new Map(prose.filter((p) => p.cell === i && p.output !== undefined).map((p) => [p.output!, p]));
    plans.set(i, { options, code: codeCell.code, views, numbers, listing, panel, prose: outputProse });
  });

  // The table of contents, once every label is bound (a heading may hold a reference).
  const tocHtml = front.toc === true ? tableOfContents(toc, refs) : "";

  // Pass 2: HTML.
  const parts: string[] = [];
  let engine: EngineMeta | undefined;
  for (const [i, cell] of nb.cells.entries()) {
    if (i === frontCell && !markdownSources.has(i)) continue;
    refs.where = `cell ${i + 1}`;
    if (cell.cell_type === "markdown" && tagRemovals(cell).cell) continue;
    if (cell.cell_type === "markdown" || i === frontCell) {
      const source = markdownSources.get(i) ?? joinSource(cell.source);
      if (!source.trim()) continue;
      const attachments = cell.cell_type === "markdown" ? cell.attachments : undefined;
      const rendered = embedImages(md.render(source, refs, sectionNumbers.get(i)), opts.baseDir ?? path.dirname(opts.file), attachments);
      for (const name of rendered.missing) warnings.push(`cell ${i + 1}: image ${name} not found`);
      parts.push(`<section class="prose">${rendered.html}</section>`);
    } else if (cell.cell_type === "code") {
      engine ??= findEngineRecord((cell as CodeCell).outputs);
      const plan = plans.get(i)!;
      if (codeInAppendix && plan.options.echo && plan.options.include && plan.code.trim()) {
        appendix.push(listingHtml(plan, refs));
        parts.push(await renderCodeCell({ ...plan, options: { ...plan.options, echo: false } }, i, refs, warnings));
      } else parts.push(await renderCodeCell(plan, i, refs, warnings));
    }
    // Raw cells are for other formats (as in nbconvert): not shown.
  }
  if (appendix.length) {
    parts.push(`<section class="prose appendix"><h2>Appendix: code</h2><p>The code of the report, in the order it ran.</p>${appendix.join("\n")}</section>`);
  }
  const cited = refs.citations.cited();
  if (cited.length) {
    parts.push(`<section class="prose references"><h2>References</h2><ol>${cited.map((e) => `<li>${inlineMarkdown(formatEntry(e))}</li>`).join("")}</ol></section>`);
  }
  warnings.push(...refs.warnings, ...refs.citations.warnings);
  for (const m of refs.missing) {
    const near = nearest(m.label, refs.labels().filter((l) => refKind(l) === refKind(m.label)));
    errors.push(`${m.where}: reference @${m.label} has no matching label; ${near ? `did you mean @${near}?` : "label a figure, table, equation, section or listing with it, or fix the reference"}`);
  }
  if (errors.length) throw new UserError(errors.map((e) => `${opts.file}: ${e}`).join("\n"));

  const plainTitle = title === undefined ? fallbackTitle : plainText(title);
  const html = fillTemplate(opts.templateDir, {
    title: plainTitle,
    author: authorNames(front.author).join(", ") || undefined,
    subject: [asText(front.course), plainTitle].filter(Boolean).join(" — "),
    titleBlock: titleBlock(front, title ?? escapeMarkdown(fallbackTitle)) + tocHtml,
    runInfo: runInfoBlock(opts.run, engine),
    body: parts.join("\n"),
  });
  const count = (kind: "fig" | "tbl") => [...plans.values()].reduce((s, p) => s + [...p.numbers.values()].filter((x) => x.kind === kind).length, 0);
  return { html, title: plainTitle, figures: count("fig"), tables: count("tbl"), warnings };
}

async function renderCodeCell(plan: CellPlan, cellIndex: number, refs: CrossRefs, warnings: string[]): Promise<string> {
  const { options } = plan;
  if (!options.include) return "";
  const pieces: string[] = [];
  if (options.echo && plan.code.trim()) pieces.push(listingHtml(plan, refs));
  if (options.output) {
    // Consecutive text of one stream reads as one block, as in Jupyter.
    let pendingText: { stream: string; text: string } | undefined;
    const flush = () => {
      if (pendingText && pendingText.text.trim()) {
        const shaped = shapeText(pendingText.stream === "stderr" ? withoutKernelFrames(pendingText.text) : pendingText.text);
        const cut = shaped.omitted
          ? `\n<span class="omitted">[… ${shaped.omitted.toLocaleString("en-US")} lines omitted here; the executed notebook has the full output …]</span>\n${escapeHtml(shaped.tail ?? "")}`
          : "";
        pieces.push(`<pre class="output ${pendingText.stream}">${escapeHtml(shaped.head)}${cut}</pre>`);
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
      if (plan.panel?.members.includes(k)) {
        if (k === plan.panel.members[0]) pieces.push(await renderPanel(plan, cellIndex, refs, warnings));
        continue;
      }
      const prose = plan.prose.get(k);
      // Markdown written by code (showMarkdown) is prose too: numbered headings, @references resolved.
      if (prose) pieces.push(`<div class="output markdown">${md.render(prose.source, refs, prose.numbers)}</div>`);
      else pieces.push(await renderView(view, plan.numbers.get(k), cellIndex, refs, warnings, figureSize(options)));
    }
    flush();
  }
  return pieces.length ? `<div class="cell">${pieces.join("\n")}</div>` : "";
}

/** The cell's code; with `lst-cap`/`lst-label`, as a numbered listing that is never split across pages. */
function listingHtml(plan: CellPlan, refs: CrossRefs): string {
  const code = highlight(plan.code, "typescript");
  if (!plan.listing) return code;
  const id = plan.listing.label ? ` id="${escapeHtml(plan.listing.label)}"` : "";
  const cap = `<figcaption><span class="caption-prefix">${captionPrefix("lst", plan.listing.n)}:</span> ${inlineMarkdown(plan.listing.caption ?? "", refs)}</figcaption>`;
  return `<figure class="code-listing"${id}>${code}${cap}</figure>`;
}

/** `fig-width` / `fig-height` (inches, as in Quarto) as CSS for the figure's <svg> or <img>. */
function figureSize(options: CellOptions): string | undefined {
  const w = options["fig-width"];
  const h = options["fig-height"];
  if (w === undefined && h === undefined) return undefined;
  return `width:${w === undefined ? "auto" : `${w}in`};height:${h === undefined ? "auto" : `${h}in`};max-width:100%`;
}

/** The figure's picture: the Vega-Lite spec as SVG, or the image; sized when the cell says so. */
async function figureBody(view: OutputView & { type: "vegalite" | "image" }, size: string | undefined): Promise<string> {
  let body: string;
  if (view.type === "vegalite") body = await vegaLiteToSvg(view.spec);
  else if (view.mime === "image/svg+xml") body = view.data;
  else body = `<img src="data:${view.mime};base64,${view.data.replace(/\s/g, "")}" alt="">`;
  // An attribute given twice keeps its first value in HTML, so this style wins over one of the SVG's own.
  return size ? body.replace(/<(svg|img)\b/, `<$1 style="${size}"`) : body;
}

/** The cell's figures side by side (`layout-ncol`), lettered with `fig-subcap`, under one caption. */
async function renderPanel(plan: CellPlan, cellIndex: number, refs: CrossRefs, warnings: string[]): Promise<string> {
  const panel = plan.panel!;
  const number = plan.numbers.get(panel.members[0]);
  const size = figureSize(plan.options) ?? "width:100%;height:auto";
  const subfigures: string[] = [];
  for (const [j, k] of panel.members.entries()) {
    const view = plan.views[k] as OutputView & { type: "vegalite" | "image" };
    let body: string;
    try {
      body = await figureBody(view, size);
    } catch (err) {
      warnings.push(`cell ${cellIndex + 1}: ${(err as Error).message}`);
      body = `<pre class="output stderr">${escapeHtml((err as Error).message)}</pre>`;
    }
    const sub = panel.subcaptions ? `<figcaption>(${String.fromCharCode(97 + j)}) ${inlineMarkdown(panel.subcaptions[j] ?? "", refs)}</figcaption>` : "";
    subfigures.push(`<figure class="subfigure">${body}${sub}</figure>`);
  }
  const id = number?.label ? ` id="${escapeHtml(number.label)}"` : "";
  const cap = number ? `<figcaption><span class="caption-prefix">${captionPrefix("fig", number.n)}:</span> ${inlineMarkdown(number.caption ?? "", refs)}</figcaption>` : "";
  return `<figure class="figure panel"${id}><div class="subfigures" style="grid-template-columns:repeat(${panel.ncol},minmax(0,1fr))">${subfigures.join("")}</div>${cap}</figure>`;
}

/** `toc: true`: the numbered sections after the title block, linked where a heading has a label. */
function tableOfContents(entries: TocEntry[], refs: CrossRefs): string {
  if (!entries.length) return "";
  const items = entries.map((e) => {
    refs.where = `cell ${e.cell + 1}`;
    const text = `${e.number ? `<span class="toc-number">${e.number}</span> ` : ""}${inlineMarkdown(e.text, refs)}`;
    return `<li class="toc-depth-${e.depth}">${e.label ? `<a href="#${escapeHtml(e.label)}">${text}</a>` : text}</li>`;
  });
  return `<nav class="toc"><div class="toc-title">Contents</div><ul>${items.join("")}</ul></nav>`;
}

async function renderView(
  view: OutputView,
  number: { kind: "fig" | "tbl"; n: number; label?: string; caption?: string } | undefined,
  cellIndex: number,
  refs: CrossRefs,
  warnings: string[],
  size?: string,
): Promise<string> {
  const caption = (kind: "fig" | "tbl") =>
    number ? `<span class="caption-prefix">${captionPrefix(kind, number.n)}:</span> ${inlineMarkdown(number.caption ?? "", refs)}` : "";
  const id = number?.label ? ` id="${escapeHtml(number.label)}"` : "";
  switch (view.type) {
    case "vegalite":
    case "image": {
      let body: string;
      try {
        body = await figureBody(view, size);
      } catch (err) {
        warnings.push(`cell ${cellIndex + 1}: ${(err as Error).message}`);
        return `<pre class="output stderr">${escapeHtml((err as Error).message)}</pre>`;
      }
      const cap = number ? `<figcaption>${caption("fig")}</figcaption>` : "";
      return `<figure class="figure"${id}>${body}${cap}</figure>`;
    }
    case "table":
    case "html": {
      const body = forPaper(view.type === "table" ? tableHtml(view.table) : inertHtml(view.html));
      if (!number) return `<div class="output html">${body}</div>`;
      return `<figure class="table"${id}><figcaption>${caption("tbl")}</figcaption>${body}</figure>`;
    }
    case "markdown":
      // Shown as prose by renderCodeCell; a cell whose outputs are shown has every one in its plan.
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

/** Inline Markdown (captions, titles); with the document's refs, `@fig-x` in a caption resolves. */
function inlineMarkdown(text: string, refs: CrossRefs = new CrossRefs()): string {
  return md.renderInline(text, refs);
}

/** The title as the footer and the window title show it: Markdown and math delimiters dropped. */
function plainText(markdown: string): string {
  return markdown.replace(/\$+([^$]+)\$+/g, "$1").replace(/\\([\\`*_{}[\]<>#$@|])/g, "$1").replace(/[*`]/g, "").trim();
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#$@|]/g, "\\$&");
}

/**
 * The engine as a reader wants it: what it is and, in words, why it was chosen. The raw reason (an
 * exception message when tfjs-node failed to load) stays in the executed notebook's metadata.
 */
export function describeEngine(name: string, reason: string | undefined): string {
  const what: Record<string, string> = {
    native: "native (labreport's C++ kernels on OpenBLAS and oneDNN",
    "tfjs-node": "tfjs-node (TensorFlow's C library",
    "tfjs-node-gpu": "tfjs-node-gpu (TensorFlow's C library on the GPU",
    cpu: "cpu (TensorFlow.js in plain JavaScript",
  };
  const notes: string[] = [];
  const r = reason ?? "";
  if (/forced/i.test(r)) notes.push("chosen with LABREPORT_ENGINE");
  if (/tfjs-node(?!-gpu) (unavailable|not installed)|Cannot find module '@tensorflow\/tfjs-node'/.test(r)) notes.push("tfjs-node not installed");
  if (/native engine unavailable/.test(r)) notes.push("native engine not built");
  const head = what[name] ?? `${name} (`;
  const tail = notes.length ? `; ${notes.join("; ")})` : ")";
  return head.endsWith("(") ? `${name}${notes.length ? ` (${notes.join("; ")})` : ""}` : head + tail;
}

/** The title block; title and subtitle may hold inline Markdown and math ("$k$-means"). */
function titleBlock(front: FrontMatter, title: string): string {
  const line = (cls: string, value: string | undefined, markdown = false) =>
    value === undefined ? "" : `<div class="${cls}">${markdown ? inlineMarkdown(value) : escapeHtml(value)}</div>`;
  const authors = authorLines(front.author);
  const instructor = asText(authorNames(front.instructor).join(", "));
  const meta = [asText(front.course), instructor && `Instructor: ${instructor}`, asText(front.date)].filter((m): m is string => Boolean(m));
  const abstract = asText(front.abstract);
  return [
    `<header class="title-block">`,
    `<h1 class="title">${inlineMarkdown(title)}</h1>`,
    line("subtitle", asText(front.subtitle), true),
    line("author", authors.length ? authors.join(", ") : undefined),
    meta.length ? `<div class="meta">${meta.map((m) => `<span>${escapeHtml(m)}</span>`).join(" · ")}</div>` : "",
    abstract ? `<div class="abstract"><span class="abstract-title">Abstract</span>${md.render(abstract, new CrossRefs())}</div>` : "",
    `</header>`,
  ].join("\n");
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function runInfoBlock(run: RunInfo | undefined, engine: EngineMeta | undefined): string {
  const rows: [string, string][] = [];
  if (engine) rows.push(["Engine", describeEngine(engine.name, engine.reason)]);
  if (run?.kernel) rows.push(["Kernel", run.kernel]);
  if (run?.executedAt) rows.push(["Executed", run.executedAt]);
  if (run?.durationMs !== undefined) rows.push(["Run time", formatDuration(run.durationMs)]);
  if (run?.parameters && Object.keys(run.parameters).length) {
    rows.push(["Parameters", Object.entries(run.parameters).map(([k, v]) => `${k} = ${v}`).join(", ")]);
  }
  if (run?.note) rows.push(["Note", run.note]);
  if (!rows.length) return "";
  const body = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("");
  return `<table class="run-info">${body}</table>`;
}

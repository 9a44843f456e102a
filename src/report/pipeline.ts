// One build of one notebook:
//   1. load      notebooks/x.ipynb → Notebook (clear error if unreadable)
//   2. configure apply --param values to the cell tagged `parameters`
//   3. execute   on the tslab kernel in the notebook's folder → executed Notebook
//   4. render    executed Notebook → report HTML (template, KaTeX, Vega-Lite SVG)
//   5. print     HTML → PDF with Chromium
// Side effects happen only at the end, and only for a good run: reports/x.ipynb and reports/x.pdf are
// replaced together after everything succeeded, so a failed run never replaces a good report.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser } from "puppeteer-core";
import { readLabreportMeta } from "../contract/report-outputs.js";
import { executeNotebook } from "./execute/index.js";
import { FreezeMode, freezeKey, freezeMode, freezePath, lookupFrozen, storeFrozen } from "./freeze.js";
import { CodeCell, Notebook, joinSource, readNotebook, writeFileAtomic, writeNotebook } from "./notebook.js";
import { UserError } from "./user-error.js";
import { applyParameters, parameterSummary } from "./notebook-parameters.js";
import { printPdf } from "./print/pdf.js";
import { ProgressSink } from "./progress.js";
import { checkCellOptions, parseCellOptions } from "./render/cell-options.js";
import { readFrontMatter } from "./render/front-matter.js";
import { RunInfo, renderReport } from "./render/report.js";
import { checkTemplate } from "./render/template.js";
import { countPdfPages } from "./summary.js";

export interface BuildOptions {
  /** Where reports go (default: reports/ beside notebooks/). */
  outDir: string;
  parameters?: Record<string, unknown>;
  /** false: render the notebook's stored outputs without running it. */
  execute?: boolean;
  /** Also keep the report's HTML beside the PDF. */
  html?: boolean;
  templateDir?: string;
  cellTimeoutMs?: number;
  /** Execute even when the notebook's stored execution (`freeze: auto`) is current. */
  rerun?: boolean;
  /** A failing cell's error goes into the report and the next cells still run. */
  allowErrors?: boolean;
  progress: ProgressSink;
  browser?: Browser;
}

export interface BuildResult {
  notebook: string;
  pdf: string;
  executed?: string;
  figures: number;
  tables: number;
  /** Pages of the printed PDF. */
  pages?: number;
  warnings: string[];
  /** "executed (why)", "frozen (why)" or "rendered from stored outputs". */
  execution: string;
}

export function reportName(file: string): string {
  return path.basename(file).replace(/\.ipynb$/i, "");
}

/**
 * Cells with `//| eval: false` are handed to the kernel empty (it skips empty cells), then restored;
 * cells with `//| error: true` are expected to fail.
 */
function withoutUnevaluated(nb: Notebook): { forKernel: Notebook; skipped: number[]; errorCells: Set<number> } {
  const forKernel = structuredClone(nb);
  const skipped: number[] = [];
  const errorCells = new Set<number>();
  forKernel.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    const { options } = parseCellOptions(joinSource(cell.source));
    if (options.error) errorCells.add(i);
    if (!options.eval) {
      skipped.push(i);
      cell.source = "";
    }
  });
  return { forKernel, skipped, errorCells };
}

/** labreport runs TypeScript notebooks; a notebook saved with another kernel would fail cell by cell. */
export function checkKernel(nb: Notebook, file: string): void {
  const spec = nb.metadata.kernelspec as { name?: string; language?: string } | undefined;
  const language = (nb.metadata.language_info as { name?: string } | undefined)?.name;
  const name = spec?.name ?? (language !== undefined ? `${language} language` : undefined);
  if (name === undefined || name === "tslab" || spec?.language === "typescript") return;
  if (spec === undefined && /^(typescript|javascript)$/i.test(language ?? "")) return;
  throw new UserError(`${file}: written for the "${name}" kernel, but labreport runs TypeScript notebooks on tslab; switch the notebook's kernel to TypeScript in Jupyter`);
}

/**
 * Problems that would only show after the notebook ran (front matter that is not YAML, a missing
 * template) are found before it runs: an assignment's training can take an hour.
 */
function checkBeforeRunning(nb: Notebook, file: string, templateDir: string | undefined, execute: boolean): FreezeMode {
  // Rendering stored outputs works for any kernel's notebook (as nbconvert does); running needs tslab.
  if (execute) checkKernel(nb, file);
  const { front } = readFrontMatter(nb.cells, file);
  checkCellOptions(nb.cells, file);
  checkTemplate(templateDir);
  return freezeMode(front, file);
}

export interface ExecuteStageOptions {
  cellTimeoutMs?: number;
  /** Show a failing cell's error in the report and run the next cells (papermill's --allow-errors). */
  allowErrors?: boolean;
  progress?: ProgressSink;
  /** Where the partial run of a failing notebook is written (named in the error). */
  failedPath: string;
}

/**
 * The execute stage, as `build` and `labreport execute` both run it: `eval: false` cells skipped,
 * the cell timeout applied, a failing cell an error naming it (the partial run kept for inspection).
 */
export async function executeStage(configured: Notebook, file: string, opts: ExecuteStageOptions): Promise<{ executed: Notebook; run: RunInfo }> {
  const { forKernel, skipped, errorCells } = withoutUnevaluated(configured);
  const result = await executeNotebook(forKernel, {
    cwd: path.dirname(path.resolve(file)),
    file,
    cellTimeoutMs: opts.cellTimeoutMs,
    allowErrors: opts.allowErrors,
    errorCells,
    onCell: (p) => opts.progress?.cell(p.codeCellNumber, p.codeCellCount, p.phase, p.elapsedMs),
    onDisplay: (d) => {
      const text = d.data["text/plain"];
      if (readLabreportMeta(d.metadata)?.kind === "progress" && typeof text === "string") opts.progress?.detail(text);
    },
  });
  const executed = result.notebook;
  for (const i of skipped) executed.cells[i].source = configured.cells[i].source;
  if (result.failure) {
    writeNotebook(opts.failedPath, executed);
    const f = result.failure;
    throw new UserError(
      `${file}: cell ${f.cellIndex + 1} (code cell ${f.codeCellNumber}) failed: ${f.message} — fix it and rebuild; ` +
        `the previous report is kept, the failed run is in ${opts.failedPath}`,
    );
  }
  for (const e of result.allowedErrors ?? []) opts.progress?.info(`  note: ${file}: cell ${e.cellIndex + 1} (code cell ${e.codeCellNumber}) failed and the run went on: ${e.message}`);
  const k = result.kernelInfo;
  const run: RunInfo = {
    executedAt: new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC"),
    durationMs: result.durationMs,
    kernel: k ? `${k.implementation} ${k.implementationVersion}${k.languageVersion ? ` (TypeScript ${k.languageVersion})` : ""}, Node ${process.version}` : undefined,
    parameters: parameterSummary(configured),
  };
  return { executed, run };
}

export async function buildNotebook(file: string, opts: BuildOptions): Promise<BuildResult> {
  const name = reportName(file);
  const pdfPath = path.join(opts.outDir, `${name}.pdf`);
  const executedPath = path.join(opts.outDir, `${name}.ipynb`);

  // 1-2. load and configure
  const source = readNotebook(file);
  const freeze = checkBeforeRunning(source, file, opts.templateDir, opts.execute !== false);
  // `--out` set to the notebook's own folder would put the executed copy over the user's notebook.
  if (opts.execute !== false && path.resolve(executedPath) === path.resolve(file)) {
    throw new UserError(`${file}: --out ${opts.outDir} would write the executed notebook over this notebook; choose another --out folder (e.g. reports/)`);
  }
  const configured = applyParameters(source, opts.parameters ?? {}, file);
  let executed = configured;
  let run: RunInfo = { note: "rendered from stored outputs, not re-executed" };
  let execution = "rendered from stored outputs";

  // 3. execute, or take the stored execution when code, parameters and library are unchanged
  const key = freeze !== false && opts.execute !== false ? freezeKey(configured) : undefined;
  const lookup = key && !opts.rerun ? lookupFrozen(file, key, freeze) : undefined;
  if (lookup?.warning) opts.progress.info(`  warning: ${lookup.warning}`);
  if (lookup?.status === "hit") {
    executed = lookup.stored.notebook;
    // Prose and raw cells come from the notebook as it is now: editing them never needs a rerun.
    // Code cells are matched in order (the key guarantees the same code cells).
    const storedCode = executed.cells.filter((c) => c.cell_type === "code");
    executed = { ...executed, cells: configured.cells.map((cell) => (cell.cell_type === "code" ? storedCode.shift() ?? cell : cell)) };
    run = { ...lookup.stored.run, note: `frozen: rendered from the stored execution (${path.relative(process.cwd(), freezePath(file))})` };
    execution = `frozen (${lookup.why})`;
  } else if (opts.execute !== false) {
    ({ executed, run } = await executeStage(configured, file, {
      cellTimeoutMs: opts.cellTimeoutMs,
      allowErrors: opts.allowErrors,
      progress: opts.progress,
      failedPath: path.join(opts.outDir, `${name}.failed.ipynb`),
    }));
    execution = opts.rerun ? "executed (--rerun)" : lookup ? `executed (${lookup.why})` : "executed";
    // Only a build at the notebook's own parameters is stored: a quick draft with --param must not
    // replace the full run that the next plain build renders from.
    if (key && Object.keys(opts.parameters ?? {}).length === 0) {
      storeFrozen(file, { key, run, notebook: executed });
      execution += `, stored in ${path.relative(process.cwd(), freezePath(file))}`;
    } else if (key) execution += ", not stored (--param given)";
  } else if (!executed.cells.some((c) => c.cell_type === "code" && (c as CodeCell).outputs.length > 0)) {
    throw new UserError(`${file}: has no stored outputs to render; build it without --no-execute`);
  }

  // 4. render
  const report = await renderReport(executed, { file, run, templateDir: opts.templateDir });
  for (const w of report.warnings) opts.progress.info(`  warning: ${file}: ${w}`);

  // 5. print, then replace the previous report in one step
  const pdf = await printPdf(report.html, { browser: opts.browser, footerText: report.title });
  if (opts.execute !== false) writeNotebook(executedPath, executed);
  if (opts.html) writeFileAtomic(path.join(opts.outDir, `${name}.html`), report.html);
  writeFileAtomic(pdfPath, pdf);
  fs.rmSync(path.join(opts.outDir, `${name}.failed.ipynb`), { force: true });
  return {
    notebook: file,
    pdf: pdfPath,
    executed: opts.execute !== false ? executedPath : undefined,
    figures: report.figures,
    tables: report.tables,
    pages: countPdfPages(pdf),
    warnings: report.warnings,
    execution,
  };
}

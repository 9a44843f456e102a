// The report's three stages, and one build of one notebook as their composition:
//   execute   notebook (+ --param values) → executed notebook, on the tslab kernel in its folder
//   render    executed notebook → report HTML (template, KaTeX, Vega-Lite SVG)
//   print     HTML → PDF with Chromium
// build = load, check, execute (or take the stored execution, freeze.ts), render, print, then commit:
// reports/x.ipynb, x.html and x.pdf are replaced together after everything succeeded, so a failed run
// never replaces a good report. Each CLI command (execute, render, pdf) is one stage on its own.
// What the stages take and give is declared in stage-types.ts.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser } from "puppeteer-core";
import { readLabreportMeta } from "../contract/report-outputs.js";
import { commitFiles } from "./commit.js";
import { cellName, executeNotebook, planCells, restoreSkipped } from "./execute/index.js";
import { FreezeMode, freezeKey, freezeMode, freezePath, lookupFrozen, storeFrozen } from "./freeze.js";
import { CodeCell, Notebook, notebookText, readNotebook, reportName } from "./notebook.js";
import { UserError } from "./user-error.js";
import { applyParameters, parameterSummary } from "./notebook-parameters.js";
import { documentInfo, printPdf } from "./print/pdf.js";
import { ProgressSink } from "./progress.js";
import { checkCellOptions } from "./cell-options.js";
import { readFrontMatter } from "./render/front-matter.js";
import { renderReport } from "./render/report.js";
import { checkTemplate } from "./render/template.js";
import { STORED_OUTPUTS_NOTE } from "./stage-types.js";
import type { ExecuteStageOptions, ExecutedNotebook, PrintStageOptions, RenderStageOptions, RenderedReport, RunInfo } from "./stage-types.js";
import { countPdfPages } from "./summary.js";

export type { ExecuteStageOptions, ExecutedNotebook, PrintStageOptions, RenderStageOptions, RenderedReport } from "./stage-types.js";

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
  /** Extra environment for the kernel (a queue worker's: where its searches may fan out). */
  kernelEnv?: Record<string, string>;
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

export { reportName } from "./notebook.js";

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

/** A code cell raised: the build's one-line error, and the failing cell and its message for callers that rephrase it. */
export class CellFailedError extends UserError {
  constructor(
    readonly file: string,
    readonly cell: { cellIndex: number; codeCellNumber: number; message: string },
    readonly failedPath: string,
  ) {
    super(
      `${file}: ${cellName(cell)} failed: ${cell.message} — fix it and rebuild; ` +
        `the previous report is kept, the failed run is in ${failedPath}`,
    );
  }
}

/**
 * The execute stage, as `build` and `labreport execute` both run it: --param values applied,
 * `eval: false` cells left unexecuted, the cell timeout applied, a failing cell an error naming it
 * (the partial run kept in options.failedPath for inspection).
 */
export async function execute(notebook: Notebook, options: ExecuteStageOptions): Promise<ExecutedNotebook> {
  const { file } = options;
  checkKernel(notebook, file);
  const configured = applyParameters(notebook, options.parameters ?? {}, file);
  const plan = planCells(configured);
  const result = await executeNotebook(plan.forKernel, {
    cwd: path.dirname(path.resolve(file)),
    file,
    cellTimeoutMs: options.cellTimeoutMs,
    env: options.env,
    allowErrors: options.allowErrors,
    errorCells: plan.errorCells,
    onCell: (p) => options.progress?.cell(p.codeCellNumber, p.codeCellCount, p.phase, p.elapsedMs),
    onDisplay: (d) => {
      const text = d.data["text/plain"];
      if (readLabreportMeta(d.metadata)?.kind === "progress" && typeof text === "string") options.progress?.detail(text);
    },
  });
  const executed = restoreSkipped(result.notebook, configured, plan);
  if (result.failure) {
    commitFiles([{ path: options.failedPath, data: notebookText(executed) }], "choose another output folder");
    throw new CellFailedError(file, result.failure, options.failedPath);
  }
  for (const e of result.allowedErrors ?? []) options.progress?.info(`  note: ${file}: ${cellName(e)} failed and the run went on: ${e.message}`);
  const k = result.kernelInfo;
  const run: RunInfo = {
    executedAt: new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC"),
    durationMs: result.durationMs,
    kernel: k ? `${k.implementation} ${k.implementationVersion}${k.languageVersion ? ` (TypeScript ${k.languageVersion})` : ""}, Node ${process.version}` : undefined,
    parameters: parameterSummary(configured),
  };
  return { notebook: executed, run };
}

/** The render stage: executed notebook → the report's HTML (front matter, template, figures, math). */
export async function render(executed: ExecutedNotebook, options: RenderStageOptions): Promise<RenderedReport> {
  return renderReport(executed.notebook, { file: options.file, run: executed.run, templateDir: options.templateDir });
}

/** The print stage: the report's HTML → PDF bytes, with the title (default: the HTML's <title>) in the footer. */
export async function print(html: string, options: PrintStageOptions = {}): Promise<Uint8Array> {
  // The <title> as text (documentInfo unescapes it): printPdf escapes the footer itself.
  const footerText = options.footerText ?? documentInfo(html).title ?? "";
  return printPdf(html, { browser: options.browser, footerText });
}

export interface ReportFiles {
  pdf: string;
  executed: string;
  html: string;
  failed: string;
}

/** Where a notebook's report files go in the --out folder (a local build and a queued one write the same). */
export function reportFiles(file: string, outDir: string): ReportFiles {
  const name = reportName(file);
  return {
    pdf: path.join(outDir, `${name}.pdf`),
    executed: path.join(outDir, `${name}.ipynb`),
    html: path.join(outDir, `${name}.html`),
    failed: path.join(outDir, `${name}.failed.ipynb`),
  };
}

/**
 * Replaces a notebook's previous report, all its files together, once its build succeeded (a local
 * build and a queued one alike), and removes a failed run left by an earlier build.
 */
export function commitReport(paths: ReportFiles, outputs: { executed?: string; html?: string; pdf: Uint8Array }): void {
  commitFiles(
    [
      ...(outputs.executed !== undefined ? [{ path: paths.executed, data: outputs.executed }] : []),
      ...(outputs.html !== undefined ? [{ path: paths.html, data: outputs.html }] : []),
      { path: paths.pdf, data: outputs.pdf },
    ],
    "choose another --out folder",
  );
  fs.rmSync(paths.failed, { force: true });
}

/** One notebook's build: the three stages, or the stored execution in place of the first, then one commit. */
export async function buildNotebook(file: string, opts: BuildOptions): Promise<BuildResult> {
  const paths = reportFiles(file, opts.outDir);
  const { pdf: pdfPath, executed: executedPath, failed: failedPath } = paths;
  const executes = opts.execute !== false;

  // load, and find what would only fail after a long run
  const source = readNotebook(file);
  const freeze = checkBeforeRunning(source, file, opts.templateDir, executes);
  // `--out` set to the notebook's own folder would put the executed copy over the user's notebook.
  if (executes) checkNotOverwritten(file, executedPath, `--out ${opts.outDir}`, "choose another --out folder (e.g. reports/)");
  const configured = applyParameters(source, opts.parameters ?? {}, file);

  // execute, or take the stored execution when code, parameters and library are unchanged
  let executed: ExecutedNotebook = { notebook: configured, run: { note: STORED_OUTPUTS_NOTE } };
  let execution = "rendered from stored outputs";
  const key = freeze !== false && executes ? freezeKey(configured) : undefined;
  // --param asks for a run at other values: it executes even under `freeze: true` (and is not stored).
  const drafting = Object.keys(opts.parameters ?? {}).length > 0;
  const lookup = key && !opts.rerun && !drafting ? lookupFrozen(file, key, freeze) : undefined;
  if (lookup?.warning) opts.progress.info(`  warning: ${lookup.warning}`);
  if (lookup?.status === "hit") {
    // Prose and raw cells come from the notebook as it is now: editing them never needs a rerun.
    // Code cells are matched in order (the key guarantees the same code cells).
    // Under `freeze: true` the code may have changed since: then the stored notebook is rendered as
    // it ran, prose included, since its code cells no longer pair with today's.
    const sameCode = lookup.stored.key.code === key!.code;
    const storedCode = lookup.stored.notebook.cells.filter((c) => c.cell_type === "code");
    executed = {
      notebook: sameCode
        ? { ...lookup.stored.notebook, cells: configured.cells.map((cell) => (cell.cell_type === "code" ? storedCode.shift() ?? cell : cell)) }
        : lookup.stored.notebook,
      run: { ...lookup.stored.run, note: `frozen: rendered from the stored execution (${path.relative(process.cwd(), freezePath(file))})` },
    };
    execution = `frozen (${lookup.why})`;
  } else if (executes) {
    // Parameters are applied above (the freeze key needs them), so the stage gets none to apply again.
    executed = await execute(configured, { file, cellTimeoutMs: opts.cellTimeoutMs, allowErrors: opts.allowErrors, progress: opts.progress, failedPath, env: opts.kernelEnv });
    execution = opts.rerun ? "executed (--rerun)" : drafting && key ? "executed (--param given)" : lookup ? `executed (${lookup.why})` : "executed";
    // Only a build at the notebook's own parameters is stored: a quick draft with --param must not
    // replace the full run that the next plain build renders from.
    if (key && !drafting) {
      const unstored = storeFrozen(file, { key, run: executed.run, notebook: executed.notebook });
      if (unstored) opts.progress.info(`  warning: ${unstored}`);
      execution += unstored ? ", not stored (see the warning)" : `, stored in ${path.relative(process.cwd(), freezePath(file))}`;
    } else if (key) execution += ", not stored";
  } else if (!configured.cells.some((c) => c.cell_type === "code" && (c as CodeCell).outputs.length > 0)) {
    throw new UserError(`${file}: has no stored outputs to render; build it without --no-execute`);
  }

  const report = await render(executed, { file, templateDir: opts.templateDir });
  for (const w of report.warnings) opts.progress.info(`  warning: ${file}: ${w}`);
  const pdf = await print(report.html, { browser: opts.browser, footerText: report.title });

  commitReport(paths, { executed: executes ? notebookText(executed.notebook) : undefined, html: opts.html ? report.html : undefined, pdf });
  return {
    notebook: file,
    pdf: pdfPath,
    executed: executes ? executedPath : undefined,
    figures: report.figures,
    tables: report.tables,
    pages: countPdfPages(pdf),
    warnings: report.warnings,
    execution,
  };
}

/** The user's notebook is never written: an output path that is the notebook itself is refused. */
export function checkNotOverwritten(file: string, output: string, given: string, fix: string): void {
  if (path.resolve(output) === path.resolve(file)) {
    throw new UserError(`${file}: ${given} would write the executed notebook over this notebook; ${fix}`);
  }
}

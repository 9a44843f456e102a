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
import { executeNotebook } from "./execute/index.js";
import { CodeCell, Notebook, UserError, joinSource, readNotebook, writeFileAtomic, writeNotebook } from "./notebook.js";
import { applyParameters, parameterSummary } from "./parameters.js";
import { printPdf } from "./print/pdf.js";
import { ProgressSink } from "./progress.js";
import { parseCellOptions } from "./render/cell-options.js";
import { readFrontMatter } from "./render/front-matter.js";
import { RunInfo, renderReport } from "./render/report.js";
import { checkTemplate } from "./render/template.js";

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
  progress: ProgressSink;
  browser?: Browser;
}

export interface BuildResult {
  notebook: string;
  pdf: string;
  executed?: string;
  figures: number;
  tables: number;
  warnings: string[];
}

export function reportName(file: string): string {
  return path.basename(file).replace(/\.ipynb$/i, "");
}

/** Cells with `//| eval: false` are handed to the kernel empty (it skips empty cells), then restored. */
function withoutUnevaluated(nb: Notebook): { forKernel: Notebook; skipped: number[] } {
  const forKernel = structuredClone(nb);
  const skipped: number[] = [];
  forKernel.cells.forEach((cell, i) => {
    if (cell.cell_type === "code" && !parseCellOptions(joinSource(cell.source)).options.eval) {
      skipped.push(i);
      cell.source = "";
    }
  });
  return { forKernel, skipped };
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
function checkBeforeRunning(nb: Notebook, file: string, templateDir: string | undefined): void {
  checkKernel(nb, file);
  readFrontMatter(nb.cells, file);
  checkTemplate(templateDir);
}

export async function buildNotebook(file: string, opts: BuildOptions): Promise<BuildResult> {
  const name = reportName(file);
  const pdfPath = path.join(opts.outDir, `${name}.pdf`);
  const executedPath = path.join(opts.outDir, `${name}.ipynb`);

  // 1-2. load and configure
  const source = readNotebook(file);
  checkBeforeRunning(source, file, opts.templateDir);
  // `--out` set to the notebook's own folder would put the executed copy over the user's notebook.
  if (opts.execute !== false && path.resolve(executedPath) === path.resolve(file)) {
    throw new UserError(`${file}: --out ${opts.outDir} would write the executed notebook over this notebook; choose another --out folder (e.g. reports/)`);
  }
  const configured = applyParameters(source, opts.parameters ?? {}, file);
  let executed = configured;
  let run: RunInfo = { note: "rendered from stored outputs, not re-executed" };

  // 3. execute
  if (opts.execute !== false) {
    const { forKernel, skipped } = withoutUnevaluated(configured);
    const result = await executeNotebook(forKernel, {
      cwd: path.dirname(path.resolve(file)),
      file,
      cellTimeoutMs: opts.cellTimeoutMs,
      onCell: (p) => opts.progress.cell(p.codeCellNumber, p.codeCellCount, p.phase, p.elapsedMs),
      onDisplay: (d) => {
        const meta = (d.metadata?.labreport ?? {}) as { kind?: string };
        const text = d.data["text/plain"];
        if (meta.kind === "progress" && typeof text === "string") opts.progress.detail(text);
      },
    });
    executed = result.notebook;
    for (const i of skipped) executed.cells[i].source = configured.cells[i].source;
    if (result.failure) {
      const failedPath = path.join(opts.outDir, `${name}.failed.ipynb`);
      writeNotebook(failedPath, executed);
      const f = result.failure;
      throw new UserError(
        `${file}: cell ${f.cellIndex + 1} (code cell ${f.codeCellNumber}) failed: ${f.message} — fix it and rebuild; ` +
          `the previous report is kept, the failed run is in ${failedPath}`,
      );
    }
    const k = result.kernelInfo;
    run = {
      executedAt: new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC"),
      durationMs: result.durationMs,
      kernel: k ? `${k.implementation} ${k.implementationVersion}${k.languageVersion ? ` (TypeScript ${k.languageVersion})` : ""}, Node ${process.version}` : undefined,
      parameters: parameterSummary(configured),
    };
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
    warnings: report.warnings,
  };
}

// What the three stages of a report take and give. `build` is their composition:
//   execute(notebook, ExecuteStageOptions) → ExecutedNotebook
//   render(executed, RenderStageOptions)   → RenderedReport (the report's HTML)
//   print(html, PrintStageOptions)         → the PDF's bytes
// and each CLI command (execute, render, pdf) is one of them on the file the previous one wrote.
import type { Browser } from "puppeteer-core";
import type { Notebook } from "./notebook.js";
import type { ProgressSink } from "./progress.js";
import type { RenderedReport, RunInfo } from "./render/report.js";

export type { RenderedReport, RunInfo };

/** The run information of a report rendered from a notebook's saved outputs (build --no-execute, render). */
export const STORED_OUTPUTS_NOTE = "rendered from stored outputs, not re-executed";

export interface ExecuteStageOptions {
  /** The notebook's path: the kernel runs in its folder, and errors name it. */
  file: string;
  /** Values for the cell tagged `parameters` (--param). */
  parameters?: Record<string, unknown>;
  /** Fail a cell that runs longer than this (--cell-timeout). */
  cellTimeoutMs?: number;
  /** Show a failing cell's error in the report and run the next cells (papermill's --allow-errors). */
  allowErrors?: boolean;
  progress?: ProgressSink;
  /** Where the partial run of a failing notebook is written (the error names it). */
  failedPath: string;
  /** Extra environment for the kernel (a queue worker's fan-out context, a trial's replay request). */
  env?: Record<string, string>;
}

export interface ExecutedNotebook {
  /** The notebook with its outputs; `eval: false` cells unexecuted, with their source. */
  notebook: Notebook;
  /** What the report's run information box says about the run. */
  run: RunInfo;
}

export interface RenderStageOptions {
  /** The notebook's path, for messages, the fallback title and relative image paths. */
  file: string;
  /** Another report template (--template); default templates/. */
  templateDir?: string;
}

export interface PrintStageOptions {
  /** A started browser to reuse (a batch starts one); without it, one is started and closed. */
  browser?: Browser;
  /** Left side of the footer; default the HTML's <title>. */
  footerText?: string;
}

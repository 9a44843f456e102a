#!/usr/bin/env node
// labreport's command line. `build` runs the whole pipeline; each stage also runs alone
// (execute, render, pdf) on the file the previous stage wrote: each such command is one call of the
// stage in report/pipeline.ts. Every error of every command ends in one place (run) as one line.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { CELL_OPTIONS } from "./report/cell-options.js";
import { checkOutputFolder, commitFiles } from "./report/commit.js";
import { notebookText, readNotebook } from "./report/notebook.js";
import { UserError, debugEnabled, errorLine } from "./report/user-error.js";
import { parseParameter } from "./report/notebook-parameters.js";
import { buildNotebook, checkNotOverwritten, execute, print, render, reportName } from "./report/pipeline.js";
import { STORED_OUTPUTS_NOTE } from "./report/stage-types.js";
import { findChromium, launchChromium } from "./report/print/chromium.js";
import { TerminalProgress, clock } from "./report/progress.js";
import { BatchRow, summaryText, writeSummary } from "./report/summary.js";
import { checkTemplate } from "./report/render/template.js";
import { checkQueueUrl } from "./report/queue/connection.js";
import { buildOnQueue } from "./report/queue/enqueue.js";
import { runWorker } from "./report/queue/worker.js";

const USAGE = `usage: labreport <command> [options]

  build [notebook.ipynb|folder ...]   execute notebooks and write reports/<name>.pdf and .ipynb
                                      (default: every notebook in ./notebooks)
      --out DIR          where reports go (default: ./reports)
      --param NAME=VALUE set a value of the cell tagged "parameters" (repeatable)
      --no-execute       render the notebook's stored outputs instead of running it
      --html             also write reports/<name>.html
      --template DIR     use another report template (default: templates/)
      --cell-timeout S   fail a cell that runs longer than S seconds
      --allow-errors     show a failing cell's error in the report and run the next cells
      --summary          print a table of every notebook's result and write summary.csv / .html
      --rerun            execute even where a stored execution is current (front matter freeze: auto)
      -p NAME VALUE      papermill's spelling of --param (also -p NAME=VALUE, --parameters NAME VALUE)
      --queue URL        send one job per notebook to the workers on Redis at URL (redis://host:port)
                         instead of building here; the same files are written here
  worker --queue URL                 take build jobs from Redis at URL and build them (run one per
                                     machine, or several; stop with Ctrl-C after the job in hand)
  execute NOTEBOOK [-o OUT.ipynb]    run a notebook, write the executed copy (default reports/<name>.ipynb)
      --param, -p, --cell-timeout, --allow-errors   as for build; eval: false cells stay unexecuted
  render EXECUTED.ipynb [-o OUT.html] [--template DIR]    executed notebook → report HTML
  pdf REPORT.html [-o OUT.pdf]                            report HTML → PDF
  options                                                 list the cell options (//| key: value)
  help, --help, -h                                        print this

Errors are one line; LABREPORT_DEBUG=1 also prints the stack.`;

const OPTIONS = {
  out: { type: "string" },
  o: { type: "string" },
  param: { type: "string", multiple: true },
  "no-execute": { type: "boolean" },
  html: { type: "boolean" },
  template: { type: "string" },
  "cell-timeout": { type: "string" },
  rerun: { type: "boolean" },
  summary: { type: "boolean" },
  "allow-errors": { type: "boolean" },
  queue: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

class UsageError extends Error {}

/** The options each command honours; any other is refused rather than silently ignored. */
const COMMAND_OPTIONS: Record<string, (keyof typeof OPTIONS)[]> = {
  build: ["out", "param", "no-execute", "html", "template", "cell-timeout", "rerun", "summary", "allow-errors", "queue"],
  worker: ["queue"],
  execute: ["o", "param", "cell-timeout", "allow-errors"],
  render: ["o", "template"],
  pdf: ["o"],
  options: [],
};

function checkOptionsApply(command: string, values: Record<string, unknown>): void {
  const allowed = COMMAND_OPTIONS[command];
  if (!allowed) throw new UsageError(`unknown command "${command}"`);
  const spell = (o: string) => (o.length === 1 ? `-${o}` : `--${o}`);
  for (const key of Object.keys(values)) {
    if (key === "help" || allowed.includes(key as keyof typeof OPTIONS)) continue;
    const takes = allowed.length ? `; ${command} takes ${allowed.map(spell).join(", ")}` : "";
    throw new UsageError(`${spell(key)} does not apply to "${command}"${takes}`);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function parameters(values: string[] | undefined): Record<string, unknown> {
  return Object.fromEntries((values ?? []).map(parseParameter));
}

/** `--cell-timeout S` in milliseconds, checked once for every command that runs cells. */
function cellTimeoutMs(values: Record<string, unknown>): number | undefined {
  const timeout = values["cell-timeout"] as string | undefined;
  if (timeout === undefined) return undefined;
  if (!(Number(timeout) > 0)) throw new UsageError(`--cell-timeout ${timeout}: expected a number of seconds`);
  return Number(timeout) * 1000;
}

/** `--queue URL`, checked as --cell-timeout is: a malformed URL is a usage error, before anything connects. */
function queueUrl(values: Record<string, unknown>): string | undefined {
  const url = values.queue as string | undefined;
  if (url === undefined) return undefined;
  try {
    return checkQueueUrl(url);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Notebooks named on the command line; a folder stands for the notebooks in it. */
export function collectNotebooks(args: string[], cwd = process.cwd()): string[] {
  const targets = args.length ? args : [path.join(cwd, "notebooks")];
  const files: string[] = [];
  for (const target of targets) {
    if (!fs.existsSync(target)) throw new UserError(`${target}: no such notebook or folder; check the path (notebooks live in notebooks/)`);
    if (fs.statSync(target).isDirectory()) {
      const found = fs.readdirSync(target).filter((f) => f.endsWith(".ipynb") && !f.startsWith(".")).sort();
      if (!found.length) throw new UserError(`${target}: no .ipynb notebooks in this folder`);
      files.push(...found.map((f) => path.join(target, f)));
    } else if (!target.endsWith(".ipynb")) {
      throw new UserError(`${target}: not a notebook (expected a .ipynb file)`);
    } else files.push(target);
  }
  // The same notebook named twice (a file and its folder) is built once.
  const seen = new Set<string>();
  return files.filter((f) => !seen.has(path.resolve(f)) && Boolean(seen.add(path.resolve(f))));
}

/** Reports are named after the notebook's file: two hw1.ipynb from different folders would overwrite each other. */
export function checkDistinctReports(files: string[], outDir: string): void {
  const byName = new Map<string, string>();
  for (const file of files) {
    const name = reportName(file).toLowerCase();
    const other = byName.get(name);
    if (other !== undefined) {
      const pdf = path.join(path.relative(process.cwd(), outDir) || ".", `${reportName(file)}.pdf`);
      throw new UserError(`${other} and ${file} would both be written to ${pdf}; build them one at a time with different --out folders, or rename one`);
    }
    byName.set(name, file);
  }
}

async function build(args: string[], values: Record<string, unknown>): Promise<number> {
  const files = collectNotebooks(args);
  const outDir = path.resolve((values.out as string | undefined) ?? "reports");
  checkDistinctReports(files, outDir);
  const timeoutMs = cellTimeoutMs(values);
  const queue = queueUrl(values);
  checkOutputFolder(outDir, "--out folder");
  checkTemplate(values.template as string | undefined);
  if (queue !== undefined) {
    // The workers print the PDFs: this machine needs no Chromium.
    const rows = await buildOnQueue(files, {
      url: queue,
      outDir,
      parameters: parameters(values.param as string[] | undefined),
      templateDir: values.template as string | undefined,
      options: {
        execute: !values["no-execute"],
        html: Boolean(values.html),
        cellTimeoutMs: timeoutMs,
        rerun: Boolean(values.rerun),
        allowErrors: Boolean(values["allow-errors"]),
      },
    });
    return endBatch(rows, outDir, Boolean(values.summary));
  }
  findChromium(); // fail before running anything if the PDF cannot be printed
  stopOnSignals();
  const progress = new TerminalProgress();
  const chromium = await launchChromium();
  const rows: BatchRow[] = [];
  const started = Date.now();
  try {
    for (const [i, file] of files.entries()) {
      const name = path.relative(process.cwd(), file) || file;
      progress.notebookStart(i + 1, files.length, name, batchStatus(rows, files.length, started));
      const t0 = Date.now();
      try {
        const result = await buildNotebook(file, {
          outDir,
          parameters: parameters(values.param as string[] | undefined),
          execute: !values["no-execute"],
          html: Boolean(values.html),
          templateDir: values.template as string | undefined,
          cellTimeoutMs: timeoutMs,
          rerun: Boolean(values.rerun),
          allowErrors: Boolean(values["allow-errors"]),
          progress,
          browser: chromium.browser,
        });
        progress.notebookEnd(true, `${path.relative(process.cwd(), result.pdf)} (${plural(result.figures, "figure")}, ${plural(result.tables, "table")}; ${result.execution})`);
        rows.push({ notebook: name, status: "built", seconds: (Date.now() - t0) / 1000, pages: result.pages, figures: result.figures, tables: result.tables, execution: result.execution });
      } catch (err) {
        progress.notebookEnd(false, "failed");
        // One failing notebook never stops the others: its line here, its row in the summary.
        const message = errorLine(err, file);
        console.error(`error: ${message}`);
        if (debugEnabled()) console.error((err as Error).stack ?? err);
        rows.push({ notebook: name, status: "failed", seconds: (Date.now() - t0) / 1000, error: message });
      }
    }
  } finally {
    await chromium.close();
  }
  return endBatch(rows, outDir, Boolean(values.summary));
}

/**
 * A local build (or execute) stops at once on Ctrl-C, `kill` or a closed terminal, with one line and
 * the shell's exit status for that signal. Its kernels die with it (their 'exit' hook), Chromium goes
 * with its pipe, and reports are only ever replaced whole, so none is left half-written. Queue builds
 * and workers handle their own signals (a worker finishes the job in hand).
 */
function stopOnSignals(): void {
  for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    process.once(signal, () => {
      console.error(`\ninterrupted (${signal}): stopped; the reports already written are kept`);
      process.exit(status);
    });
  }
}

/** The end of a batch, local or queued: the summary when asked for, the count of failures, the exit status. */
function endBatch(rows: BatchRow[], outDir: string, summary: boolean): number {
  const failed = rows.filter((r) => r.status === "failed").length;
  if (summary) {
    console.error(`\n${summaryText(rows)}`);
    const written = writeSummary(outDir, rows);
    console.error(`summary: ${written.map((f) => path.relative(process.cwd(), f)).join(", ")}`);
  }
  if (failed) console.error(`${failed} of ${rows.length} notebooks failed`);
  return failed ? 1 : 0;
}

/** "3 done, 1 failed, 4 left, about 2:10 to go" for the progress line of a batch. */
function batchStatus(rows: BatchRow[], total: number, started: number): string | undefined {
  if (total < 2) return undefined;
  const done = rows.filter((r) => r.status === "built").length;
  const failed = rows.length - done;
  const left = total - rows.length;
  if (!rows.length) return `${left} left`;
  const eta = Math.round(((Date.now() - started) / rows.length) * left / 1000) * 1000;
  return `${done} done, ${failed} failed, ${left} left, about ${clock(eta)} to go`;
}

/**
 * papermill spells a parameter `-p NAME VALUE`; labreport also takes `-p NAME=VALUE` and
 * `--param NAME=VALUE`. All become `--param NAME=VALUE` before the options are parsed.
 */
export function normalizeParamFlags(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (a === "-p" || a === "--parameters") {
      const name = argv[i + 1];
      if (name === undefined) throw new UsageError(`${a} needs NAME VALUE (or NAME=VALUE), e.g. -p epochs 2`);
      if (name.includes("=")) {
        out.push(`--param=${name}`);
        i += 1;
      } else {
        const value = argv[i + 2];
        if (value === undefined) throw new UsageError(`${a} ${name}: missing the value, e.g. -p ${name} 2`);
        out.push(`--param=${name}=${value}`);
        i += 2;
      }
    } else out.push(a);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: normalizeParamFlags(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]);
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help || command === undefined || command === "help") {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  checkOptionsApply(command, values);
  const one = (what: string) => {
    if (args.length !== 1) throw new UsageError(`${command} takes one ${what}, got ${args.length}`);
    return args[0];
  };
  switch (command) {
    case "build":
      return build(args, values);
    case "execute": {
      const file = one("notebook");
      const out = values.o ?? path.join("reports", `${reportName(file)}.ipynb`);
      checkNotOverwritten(file, out, `-o ${out}`, "give another -o path (the notebook itself is never rewritten)");
      checkOutputFolder(path.dirname(path.resolve(out)), "-o path");
      const timeoutMs = cellTimeoutMs(values);
      const failedPath = out.replace(/\.ipynb$/i, "") + ".failed.ipynb";
      stopOnSignals();
      const executed = await execute(readNotebook(file), {
        file,
        parameters: parameters(values.param),
        cellTimeoutMs: timeoutMs,
        allowErrors: Boolean(values["allow-errors"]),
        failedPath,
      });
      wrote(out, notebookText(executed.notebook));
      fs.rmSync(failedPath, { force: true }); // as build does: a good run clears the last failed one
      return 0;
    }
    case "render": {
      const file = one("executed notebook");
      const out = values.o ?? file.replace(/\.ipynb$/i, "") + ".html";
      const report = await render({ notebook: readNotebook(file), run: { note: STORED_OUTPUTS_NOTE } }, { file, templateDir: values.template });
      for (const w of report.warnings) console.error(`warning: ${file}: ${w}`);
      return wrote(out, report.html);
    }
    case "pdf": {
      const file = one("HTML file");
      const out = values.o ?? file.replace(/\.html?$/i, "") + ".pdf";
      return wrote(out, await print(readHtml(file)));
    }
    case "worker": {
      if (args.length) throw new UsageError(`worker takes no notebooks (got ${args[0]}); the notebooks come from "labreport build … --queue"`);
      const url = queueUrl(values);
      if (url === undefined) throw new UsageError("worker needs --queue redis://host:port (the Redis server that build --queue sends to)");
      return runWorker(url);
    }
    case "options":
      for (const [name, spec] of Object.entries(CELL_OPTIONS)) {
        const def = "default" in spec ? ` (default ${String(spec.default)})` : "";
        console.log(`//| ${name}: ${spec.type}${def} — ${spec.description}`);
      }
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** A stage command's result, written in one step (never half a file), and the line saying where. */
function wrote(out: string, data: string | Uint8Array): number {
  commitFiles([{ path: out, data }], "choose another -o path");
  console.log(`wrote ${out}`);
  return 0;
}

function readHtml(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`${file}: no such HTML file; write one with "labreport render"`);
    if (code === "EISDIR") throw new UserError(`${file}: a folder, not an HTML file; pass the report's .html file (written by "labreport render")`);
    throw new UserError(`${file}: cannot read (${code ?? (err as Error).message}); check the file's permissions`);
  }
}

/** The one error path of every command: a line, an exit status, and the stack only when asked for. */
export async function run(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}; run "labreport --help" for usage`);
      return 2;
    }
    // The file the command was given, for the line of an unexpected error (a UserError names it itself).
    const file = argv.find((a, i) => i > 0 && !a.startsWith("-") && /\.(ipynb|html?)$/i.test(a));
    console.error(`error: ${errorLine(err, file)}`);
    if (debugEnabled()) console.error((err as Error).stack ?? err);
    return 1;
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then((code) => process.exit(code));
}

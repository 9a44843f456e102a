// `labreport worker --queue redis://…`: takes build jobs off the queue, one at a time, and builds each
// with the same buildNotebook as a local build, in a private temp dir that rebuilds the enqueuer's
// paths (its cwd, the notebook, its freeze store, --out, --template) under the temp root. Messages
// then name the enqueuer's own paths once the temp root is cut out of them.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Job, UnrecoverableError, Worker } from "bullmq";
import type { Browser } from "puppeteer-core";
import { freezePath } from "../freeze.js";
import { buildNotebook, reportFiles } from "../pipeline.js";
import { findChromium, launchChromium } from "../print/chromium.js";
import type { ProgressSink } from "../progress.js";
import { checkTemplate } from "../render/template.js";
import { errorLine } from "../user-error.js";
import { writeCompanions } from "./companions.js";
import { connectionOptions, probeRedis, shownUrl } from "./connection.js";
import { FAN_OUT_ENV, FanOutContext, TRIAL_QUEUE_NAME, TrialJobData, TrialJobResult } from "../../contract/trial-jobs.js";
import { BuildJobData, BuildJobProgress, BuildJobResult, FAILED_RUN_TTL_S, QUEUE_NAME, WORKER_SETTINGS, failedRunKey } from "./job.js";
import { workerLibraryHash } from "./library-check.js";
import { runTrialJob } from "./trial-worker.js";

/** The build's progress as the job's progress (the enqueuer shows it), at most once a second; printed lines kept as notes. */
class JobProgress implements ProgressSink {
  private last = 0;
  private cellText = "";
  constructor(private readonly job: Job, private readonly worker: string, readonly notes: string[]) {}
  private send(detail: string, force = false): void {
    if (!force && Date.now() - this.last < 1000) return;
    this.last = Date.now();
    const progress: BuildJobProgress = { worker: this.worker, detail };
    this.job.updateProgress(progress as unknown as object).catch(() => undefined);
  }
  notebookStart(): void {
    this.send("starting kernel", true);
  }
  cell(codeCell: number, codeCells: number, phase: string): void {
    this.cellText = `cell ${codeCell}/${codeCells}`;
    this.send(phase === "start" ? this.cellText : `${this.cellText} ${phase}`);
  }
  detail(text: string): void {
    this.send(`${this.cellText}  ${text.split("\n")[0]}`);
  }
  notebookEnd(): void {}
  info(line: string): void {
    this.notes.push(line);
  }
}

interface WorkerContext {
  name: string;
  /** The queue's URL: the kernel of a build fans its searches' trials out to it. */
  url: string;
  say(line: string): void;
  browser: Browser;
  saveFailedRun(jobId: string, text: string): Promise<void>;
}

/** One job: check the library, rebuild the enqueuer's files under a temp root, build, give back the outputs. */
export async function buildJob(job: Job<BuildJobData, BuildJobResult>, ctx: WorkerContext): Promise<BuildJobResult> {
  const d = job.data;
  const own = workerLibraryHash();
  if (d.libraryHash !== own) {
    // Unrecoverable: the same job on this worker would fail again.
    throw new UnrecoverableError(
      `${d.file}: worker ${ctx.name} runs library ${own} but the build's library is ${d.libraryHash}; ` +
        `update the worker's checkout to the build's commit (git pull && npm run compile) and restart the worker`,
    );
  }
  // The enqueuer learns which worker runs the job before anything else happens.
  await job.updateProgress({ worker: ctx.name, detail: "starting" } satisfies BuildJobProgress);
  ctx.say(`${d.file}: building (job ${job.id})`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-job-"));
  // The enqueuer's absolute path p is root + p here.
  const local = (p: string) => path.join(root, path.resolve(d.cwd, p));
  const unmirror = (s: string) => s.split(root).join("");
  const home = process.cwd();
  const started = Date.now();
  const file = path.isAbsolute(d.file) ? local(d.file) : d.file;
  const outDir = local(d.outDir);
  const write = (p: string, data: string) => {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
  };
  try {
    fs.mkdirSync(local(d.cwd), { recursive: true });
    // One job at a time per worker process (concurrency 1), so the process's cwd is the job's.
    process.chdir(local(d.cwd));
    write(path.resolve(file), d.notebook);
    writeCompanions(path.dirname(path.resolve(file)), d.companions);
    const store = path.resolve(freezePath(file));
    if (d.freezeStore !== undefined) write(store, d.freezeStore);
    let templateDir: string | undefined;
    if (d.template) {
      templateDir = local(d.template.dir);
      write(path.join(templateDir, "report.html"), d.template.html);
      write(path.join(templateDir, "report.css"), d.template.css);
    }
    // A search with `fanOut: true` in this notebook sends its trials back to the queue (trial-worker.ts replays them).
    const fanOut: FanOutContext = {
      format: 1, url: ctx.url, file: d.file, notebook: d.notebook, parameters: d.parameters, companions: d.companions, libraryHash: d.libraryHash, worker: ctx.name,
    };
    const fanOutFile = path.join(root, "fan-out.json");
    fs.writeFileSync(fanOutFile, JSON.stringify(fanOut));
    const progress = new JobProgress(job, ctx.name, []);
    progress.notebookStart();
    const result = await buildNotebook(file, {
      outDir, parameters: d.parameters, ...d.options, templateDir, progress, browser: ctx.browser, kernelEnv: { [FAN_OUT_ENV]: fanOutFile },
    });
    const storeNow = fs.existsSync(store) ? fs.readFileSync(store, "utf8") : undefined;
    return {
      worker: ctx.name,
      seconds: (Date.now() - started) / 1000,
      pdf: fs.readFileSync(result.pdf).toString("base64"),
      executed: result.executed ? fs.readFileSync(result.executed, "utf8") : undefined,
      html: d.options.html ? fs.readFileSync(reportFiles(file, outDir).html, "utf8") : undefined,
      freezeStore: storeNow !== d.freezeStore ? storeNow : undefined,
      figures: result.figures,
      tables: result.tables,
      pages: result.pages,
      execution: unmirror(result.execution),
      notes: progress.notes.map(unmirror),
    };
  } catch (err) {
    // The failed run (reports/x.failed.ipynb, which the error names) goes back through Redis.
    const failed = reportFiles(file, outDir).failed;
    if (job.id && fs.existsSync(failed)) await ctx.saveFailedRun(job.id, fs.readFileSync(failed, "utf8")).catch(() => undefined);
    throw new Error(unmirror(errorLine(err, d.file)));
  } finally {
    process.chdir(home);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Runs until SIGINT or SIGTERM, which let the job in hand finish first (a second signal stops at once). */
export async function runWorker(url: string, out: NodeJS.WritableStream = process.stderr): Promise<number> {
  await probeRedis(url);
  findChromium();
  checkTemplate(undefined);
  const name = `${os.hostname()}:${process.pid}`;
  const chromium = await launchChromium();
  const say = (line: string) => out.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  let worker: Worker<BuildJobData, BuildJobResult> | undefined = undefined;
  const ctx: WorkerContext = {
    name,
    url,
    say,
    browser: chromium.browser,
    async saveFailedRun(jobId, text) {
      const client = await worker!.client;
      await client.set(failedRunKey(jobId), text, { EX: FAILED_RUN_TTL_S });
    },
  };
  worker = new Worker<BuildJobData, BuildJobResult>(QUEUE_NAME, (job) => buildJob(job, ctx), {
    connection: connectionOptions(url),
    concurrency: 1,
    name,
    ...WORKER_SETTINGS,
  });
  // One trial at a time beside the build: a build whose search fans out waits (idle) for its trials,
  // so a single worker can still finish it.
  const trials = new Worker<TrialJobData, TrialJobResult>(TRIAL_QUEUE_NAME, (job) => runTrialJob(job, { name, say }), {
    connection: connectionOptions(url),
    concurrency: 1,
    name,
    ...WORKER_SETTINGS,
  });
  trials.on("completed", (job) => say(`${job.name}: done (job ${job.id})`));
  trials.on("failed", (job, err) => say(`${job?.name ?? "trial"}: failed (job ${job?.id}): ${err.message}`));
  trials.on("error", () => undefined); // the build worker's handler below says it once
  worker.on("completed", (job) => say(`${job.data.file}: done (job ${job.id})`));
  worker.on("failed", (job, err) => say(`${job?.data.file ?? "?"}: failed (job ${job?.id}): ${err.message}`));
  let lastError = "";
  worker.on("error", (err) => {
    // Lost Redis: ioredis reconnects every second; say so once, not every second.
    if (err.message !== lastError) say(`warning: ${shownUrl(url)}: ${err.message}; retrying`);
    lastError = err.message;
  });
  await Promise.all([worker.waitUntilReady(), trials.waitUntilReady()]);
  say(`worker ${name} (library ${workerLibraryHash()}) waiting for builds on ${shownUrl(url)}`);
  const w = worker;
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      say(`${signal}: finishing the job in hand, then stopping (again to stop now)`);
      process.once(signal as NodeJS.Signals, () => process.exit(130));
      Promise.all([w.close(), trials.close()]).then(() => resolve(), () => resolve());
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await chromium.close();
  return 0;
}

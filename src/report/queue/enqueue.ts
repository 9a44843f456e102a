// `labreport build … --queue redis://…`: one job per notebook instead of a local build. Each job carries
// its inputs (job.ts); the results come back as the jobs finish and are written through the same
// atomic commit as a local build's, so a failed notebook never replaces a previous good report.
// Freeze: a notebook's store travels with its job and the worker decides, exactly as a local build
// does (a current store renders without running); a store the worker wrote comes back beside the notebook.
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Job, Queue, QueueEvents } from "bullmq";
import { commitFiles } from "../commit.js";
import { freezePath, libraryHash, writeFrozenStore } from "../freeze.js";
import { readNotebook } from "../notebook.js";
import { commitReport, reportFiles } from "../pipeline.js";
import type { BatchRow } from "../summary.js";
import { UserError, errorLine } from "../user-error.js";
import { QueueBoard } from "./board.js";
import { connectionOptions, probeRedis, shownUrl, unreachable } from "./connection.js";
import { gatherCompanions } from "./companions.js";
import { BuildJobData, BuildJobProgress, BuildJobResult, QUEUE_NAME, QueuedBuildOptions, WORKER_SETTINGS, failedRunKey } from "./job.js";

export interface QueueBuildOptions {
  url: string;
  /** Absolute. */
  outDir: string;
  parameters: Record<string, unknown>;
  templateDir?: string;
  options: QueuedBuildOptions;
}

/** Seconds without an answer from Redis before the build gives up (the workers keep their jobs). */
const LOST_AFTER_S = 10;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Builds the notebooks on the queue's workers; one row per notebook, in the order given. */
export async function buildOnQueue(files: string[], opts: QueueBuildOptions): Promise<BatchRow[]> {
  await probeRedis(opts.url);
  const names = files.map((f) => path.relative(process.cwd(), f) || f);
  const rows: (BatchRow | undefined)[] = files.map(() => undefined);
  const board = new QueueBoard(names);
  const fail = (i: number, message: string, seconds = 0) => {
    board.finished(i, false, "failed");
    board.info(`error: ${message}`);
    rows[i] = { notebook: names[i], status: "failed", seconds, error: message };
  };

  const template = opts.templateDir
    ? {
        dir: path.resolve(opts.templateDir),
        html: fs.readFileSync(path.join(opts.templateDir, "report.html"), "utf8"),
        css: fs.readFileSync(path.join(opts.templateDir, "report.css"), "utf8"),
      }
    : undefined; // without --template, the workers' own templates/ (the same checkout)
  const hash = libraryHash();
  const jobs: { i: number; data: BuildJobData }[] = [];
  for (const [i, file] of files.entries()) {
    try {
      readNotebook(file); // a notebook that is not JSON fails here, as it would locally, not on a worker
      const store = freezePath(file);
      jobs.push({
        i,
        data: {
          format: 1,
          file,
          cwd: process.cwd(),
          notebook: fs.readFileSync(file, "utf8"),
          companions: gatherCompanions(file, [opts.outDir], (line) => board.info(line)),
          freezeStore: fs.existsSync(store) ? fs.readFileSync(store, "utf8") : undefined,
          template,
          outDir: opts.outDir,
          parameters: opts.parameters,
          options: opts.options,
          libraryHash: hash,
        },
      });
    } catch (err) {
      fail(i, errorLine(err, file));
    }
  }

  const connection = connectionOptions(opts.url, LOST_AFTER_S);
  const queue = new Queue<BuildJobData, BuildJobResult>(QUEUE_NAME, { connection });
  queue.on("error", () => undefined); // the watchdog below reports a lost Redis, once
  // The events are read from now on, by Redis's clock. Without lastEventId, QueueEvents starts at "$"
  // when its first blocking read happens, which can be after a fast worker took a job (and died with
  // it): that job's events were never seen, and its notebook was re-queued with no worker to name.
  await queue.waitUntilReady();
  // ioredis underneath: BullMQ's client type leaves TIME out.
  const [seconds, micros] = (await ((await queue.client) as unknown as { time(): Promise<[string, string]> }).time());
  const events = new QueueEvents(QUEUE_NAME, { connection, lastEventId: `${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)}-0` });
  // job.waitUntilFinished listens on the queue once per job: a class of 200 is not a listener leak.
  queue.setMaxListeners(jobs.length + 10);
  events.setMaxListeners(jobs.length + 10);
  events.on("error", () => undefined);
  const watching = { on: true };
  let onInterrupt: (() => void) | undefined;
  try {
    await events.waitUntilReady(); // the queue is ready since the clock was read
    // The job ids are chosen here, and the listeners attached, before the jobs exist: a worker may take
    // a job (and die with it) while addBulk is still awaiting.
    const batch = randomUUID().slice(0, 8);
    const ids = jobs.map((_, k) => `${batch}-${k + 1}`);
    const index = new Map(ids.map((id, k) => [id, jobs[k].i]));
    const of = (jobId: string) => index.get(jobId);
    events.on("active", ({ jobId }) => of(jobId) !== undefined && board.running(of(jobId)!));
    events.on("progress", ({ jobId, data }) => {
      const p = data as unknown as BuildJobProgress;
      if (of(jobId) !== undefined) board.running(of(jobId)!, p.worker, p.detail);
    });
    events.on("stalled", ({ jobId }) => of(jobId) !== undefined && board.requeued(of(jobId)!));
    board.start(shownUrl(opts.url), jobs.length);
    const added = await queue.addBulk(
      jobs.map(({ data }, k) => ({
        name: path.basename(data.file),
        data,
        // attempts 1: a failing notebook fails once; a dead worker's job is re-queued by the stalled-job check, not by attempts.
        opts: { jobId: ids[k], attempts: 1, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 24 * 3600 } },
      })),
    );
    // Ctrl-C: this build's jobs that no worker took yet leave the queue (those running finish there).
    onInterrupt = () => {
      board.close();
      console.error("interrupted: taking this build's waiting jobs off the queue");
      Promise.all(added.map((job) => job.remove().catch(() => undefined))).finally(() => process.exit(130));
    };
    process.once("SIGINT", onInterrupt);

    const finish = async (job: Job<BuildJobData, BuildJobResult>, k: number) => {
      const i = jobs[k].i;
      const file = jobs[k].data.file;
      let result: BuildJobResult;
      try {
        result = await job.waitUntilFinished(events);
      } catch (err) {
        const done = await Job.fromId(queue, job.id!);
        const seconds = done?.finishedOn && done.processedOn ? (done.finishedOn - done.processedOn) / 1000 : 0;
        await writeFailedRun(queue, job.id!, reportFiles(file, opts.outDir).failed);
        const reason = (err as Error).message.split("\n")[0];
        // BullMQ's own words when maxStalledCount ran out; every other reason is the worker's error line.
        const line = /stalled more than allowable limit/.test(reason)
          ? `${file}: its worker stopped answering ${WORKER_SETTINGS.maxStalledCount + 1} times (killed, or out of memory?), so the job was given up; check the workers and build it again`
          : reason;
        return fail(i, line, seconds);
      }
      let unstored: string | undefined;
      try {
        unstored = writeResult(file, opts, result);
      } catch (err) {
        return fail(i, errorLine(err, file), result.seconds);
      }
      for (const note of result.notes) board.info(note);
      if (unstored) board.info(`  warning: ${unstored}`);
      const out = path.relative(process.cwd(), reportFiles(file, opts.outDir).pdf);
      board.finished(i, true, `${out} (${plural(result.figures, "figure")}, ${plural(result.tables, "table")}; ${result.execution}; on ${result.worker})`);
      rows[i] = { notebook: names[i], status: "built", seconds: result.seconds, pages: result.pages, figures: result.figures, tables: result.tables, execution: result.execution };
      // Its PDF need not stay in Redis once written here.
      await job.remove().catch(() => undefined);
    };
    await Promise.race([Promise.all(added.map(finish)), watchRedis(queue, opts.url, watching)]);
  } finally {
    watching.on = false;
    if (onInterrupt) process.removeListener("SIGINT", onInterrupt);
    board.close();
    await Promise.race([Promise.all([events.close(), queue.close()]), new Promise((r) => setTimeout(r, 2000).unref())]);
  }
  return rows.map((r, i) => r ?? { notebook: names[i], status: "failed", seconds: 0, error: "not built" });
}

/**
 * The outputs of a finished job, written as a local build writes them: all together, after the build
 * succeeded. Returns the warning line of a freeze store that could not be written (the report is).
 */
function writeResult(file: string, opts: QueueBuildOptions, result: BuildJobResult): string | undefined {
  commitReport(reportFiles(file, opts.outDir), { executed: result.executed, html: result.html, pdf: Buffer.from(result.pdf, "base64") });
  return result.freezeStore === undefined ? undefined : writeFrozenStore(file, result.freezeStore);
}

/** A failed notebook's partial run, which its error line names, from Redis to the --out folder. */
async function writeFailedRun(queue: Queue, jobId: string, target: string): Promise<void> {
  const client = await queue.client;
  const text = await client.get(failedRunKey(jobId));
  if (text === null) return;
  commitFiles([{ path: target, data: text }], "choose another --out folder");
  await client.del(failedRunKey(jobId));
}

/** Rejects once Redis has not answered for LOST_AFTER_S: the build must end with a line, not hang. */
async function watchRedis(queue: Queue, url: string, watching: { on: boolean }): Promise<void> {
  let lostSince: number | undefined;
  while (watching.on) {
    await new Promise((r) => setTimeout(r, 1000));
    const answered = await Promise.race([
      queue.client.then((c) => c.get("labreport:ping")).then(() => true, () => false),
      new Promise<boolean>((r) => setTimeout(() => r(false), 2000)),
    ]);
    if (answered) lostSince = undefined;
    else if (lostSince === undefined) lostSince = Date.now();
    else if (Date.now() - lostSince > LOST_AFTER_S * 1000) {
      throw new UserError(`${unreachable(url, `no answer for ${LOST_AFTER_S} s`).message}; the reports written so far are kept; build again once Redis is back`);
    }
  }
}

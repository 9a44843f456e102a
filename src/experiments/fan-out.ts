// Where the points of a search are evaluated: here, one after another (the default); on the job
// queue's workers (`fanOut: true` in a notebook that `labreport build --queue` gave to a worker); or,
// in a worker's replay of the notebook, only the one point that the trial job asks for. Every search
// (gridSearch, randomSearch, repeatRuns) runs its points through runPoints, so all three fan out the
// same way and keep their results in the same run store. The protocol is src/contract/trial-jobs.ts.
import * as fs from "node:fs";
import * as path from "node:path";
import {
  FAN_OUT_ENV,
  FanOutContext,
  TRIAL_DONE_MESSAGE,
  TRIAL_QUEUE_NAME,
  TRIAL_RUN_ENV,
  TrialJobData,
  TrialJobResult,
  TrialOutcome,
  TrialRecord,
  TrialRun,
} from "../contract/trial-jobs.js";
import { ProgressDisplay } from "../display/progress.js";
import { RunStore, keepNonFinite, reviveNonFinite } from "./run-store.js";
import { Params } from "./search-space.js";

/** One evaluated point of a search. */
export interface PointOutcome<R> {
  /** The point's index in the search. */
  index: number;
  params: Params;
  result: R;
  seconds: number;
  /** True when the result was read back from the run store. */
  stored: boolean;
  /** "host:pid" of the queue worker that evaluated it; absent when it ran in this process. */
  worker?: string;
}

export interface RunPointsOptions<R> {
  /** Send the points that are not in the store to the queue's workers, when there is a queue. */
  fanOut?: boolean;
  /** Called as each point finishes (in the order they finish). */
  onPoint?: (outcome: PointOutcome<R>) => void;
}

// The searches of this process (a notebook's kernel), numbered in the order they start: a replay
// of the notebook numbers them the same way, which is how it finds the one its trial belongs to.
let searchesStarted = 0;
const finishedSearches = new Map<number, TrialRecord[]>();

/**
 * Evaluates `evaluate` on every point (stored points are read back, new results are stored), here
 * or on the queue's workers; returns the outcomes in the points' order.
 *
 * @example
 * const outcomes = await runPoints([{ lr: 0.1 }, { lr: 0.01 }], async (p) => train(p), RunStore.open(null), { fanOut: true });
 */
export async function runPoints<R>(
  points: Params[],
  evaluate: (params: Params, index: number) => Promise<R>,
  store: RunStore,
  options: RunPointsOptions<R> = {},
): Promise<PointOutcome<R>[]> {
  const search = openSearch(store);
  const replay = trialRun();
  if (replay && search === replay.search) return replayOnePoint(replay, evaluate);

  const outcomes: (PointOutcome<R> | undefined)[] = points.map(() => undefined);
  const done = (o: PointOutcome<R>) => {
    outcomes[o.index] = o;
    options.onPoint?.(o);
  };
  const pending: number[] = [];
  for (const [index, params] of points.entries()) {
    const stored = store.get<R>(params);
    if (stored) done({ index, params, result: stored.result, seconds: stored.seconds, stored: true });
    else pending.push(index);
  }

  const context = options.fanOut && !replay ? fanOutContext() : undefined;
  if (context && pending.length > 0) {
    await evaluateOnQueue(context, search, pending.map((index) => ({ index, params: points[index] })), (index, r) => {
      store.put(points[index], r.result, r.seconds);
      done({ index, params: points[index], result: r.result as R, seconds: r.seconds, stored: false, worker: r.worker });
    });
  } else {
    for (const index of pending) {
      const started = Date.now();
      const result = await evaluate(points[index], index);
      const seconds = (Date.now() - started) / 1000;
      store.put(points[index], result, seconds);
      done({ index, params: points[index], result, seconds, stored: false });
    }
  }
  const all = outcomes as PointOutcome<R>[];
  closeSearch(search, all);
  return all;
}

/**
 * Numbers a search that is starting (in the order searches start in this kernel). In a replay, a
 * search before the trial's own is answered from the records the trial carried: they go into its
 * store, so it reads every point back instead of running it. A search whose points depend on each
 * other (bayesianOptimization) calls this and closeSearch itself: it is never fanned out, but a
 * replay must still not run it again.
 *
 * @example
 * const search = openSearch(store);
 * // … evaluate the points through `store` …
 * closeSearch(search, trials.map((t) => ({ params: t.params, result: { value: t.value }, seconds: t.seconds })));
 */
export function openSearch(store: RunStore): number {
  const search = searchesStarted++;
  const replay = trialRun();
  if (replay && search < replay.search) {
    for (const record of replay.before[search] ?? []) {
      if (!store.has(record.params)) store.put(record.params, record.result, record.seconds);
    }
  }
  return search;
}

/** Keeps a finished search's points for the replays of later searches. */
export function closeSearch(search: number, records: TrialRecord[]): void {
  finishedSearches.set(search, records.map(({ params, result, seconds }) => ({ params, result, seconds })));
}

/** The replay's request (read once per process), or undefined in an ordinary run. */
let cachedRun: TrialRun | null | undefined;
function trialRun(): TrialRun | undefined {
  if (cachedRun === undefined) {
    const file = process.env[TRIAL_RUN_ENV];
    cachedRun = file ? (JSON.parse(fs.readFileSync(file, "utf8")) as TrialRun) : null;
  }
  return cachedRun ?? undefined;
}

function fanOutContext(): FanOutContext | undefined {
  const file = process.env[FAN_OUT_ENV];
  return file ? (JSON.parse(fs.readFileSync(file, "utf8")) as FanOutContext) : undefined;
}

/** Evaluates the trial's point, hands the result to the worker, and ends the replay (nothing after the search is needed). */
async function replayOnePoint<R>(run: TrialRun, evaluate: (params: Params, index: number) => Promise<R>): Promise<never> {
  const started = Date.now();
  const result = await evaluate(run.params, run.trial);
  const outcome: TrialOutcome = { format: 1, search: run.search, params: run.params, result, seconds: (Date.now() - started) / 1000 };
  fs.writeFileSync(run.resultFile, JSON.stringify(outcome, keepNonFinite));
  throw new Error(TRIAL_DONE_MESSAGE);
}

/** Adds one trial job per point and waits for all; the first failed trial fails the search (the others are taken off the queue). */
async function evaluateOnQueue(
  context: FanOutContext,
  search: number,
  pending: { index: number; params: Params }[],
  finished: (index: number, result: TrialJobResult) => void,
): Promise<void> {
  // Loaded only when a search fans out: a notebook that never does pays nothing for it.
  const { Queue, QueueEvents } = await import("bullmq");
  const connection = { url: context.url, maxRetriesPerRequest: null, connectTimeout: 3_000 };
  const queue = new Queue<TrialJobData, TrialJobResult>(TRIAL_QUEUE_NAME, { connection });
  const events = new QueueEvents(TRIAL_QUEUE_NAME, { connection });
  queue.setMaxListeners(pending.length + 10);
  events.setMaxListeners(pending.length + 10);
  const before = Object.fromEntries(finishedSearches);
  const name = path.basename(context.file);
  // Live in the notebook (and on the build's board, which shows the kernel's progress line).
  const progress = new ProgressDisplay();
  let finishedCount = 0;
  const show = (last?: string) =>
    progress.update(`search ${search + 1}: ${finishedCount}/${pending.length} trials done on the queue${last ? ` (last: ${last})` : ""}`, finishedCount / pending.length, true);
  let jobs: Awaited<ReturnType<typeof queue.addBulk>> = [];
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    jobs = await queue.addBulk(
      pending.map(({ index, params }) => ({
        name: `${name} search ${search + 1} trial ${index + 1}`,
        data: { context, search, trial: index, params, before },
        // attempts 1: a failing trial fails once; a dead worker's trial is re-queued by the stalled-job check.
        opts: { attempts: 1, removeOnComplete: true, removeOnFail: { age: 24 * 3600 } },
      })),
    );
    show();
    await Promise.all(
      jobs.map(async (job, k) => {
        let result: TrialJobResult;
        try {
          result = await job.waitUntilFinished(events);
        } catch (err) {
          throw new Error(`${context.file}: trial ${pending[k].index + 1} of search ${search + 1} (${JSON.stringify(pending[k].params)}) failed on the queue: ${(err as Error).message.split("\n")[0]}`);
        }
        // The replay wrote NaN as {"$number": "NaN"} (JSON has none): read back as the store reads it.
        finished(pending[k].index, { ...result, result: JSON.parse(JSON.stringify(result.result), reviveNonFinite) });
        finishedCount++;
        show(`trial ${pending[k].index + 1} on ${result.worker}, ${result.seconds.toFixed(1)} s`);
      }),
    );
  } finally {
    await Promise.all(jobs.map((job) => job.remove().catch(() => undefined)));
    await Promise.all([events.close(), queue.close()]).catch(() => undefined);
  }
}

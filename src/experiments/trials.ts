// What every search shares: an objective to call on a point, the result of one trial, and
// running a trial through the run store (a stored point is read back, not run again).
import { runPoints } from "./fan-out.js";
import { RunStore } from "./run-store.js";
import { Params } from "./search-space.js";

/**
 * What an objective returns: the number to optimise, or it with any details to keep.
 *
 * @example
 * const result: ObjectiveResult = { value: history.last().valError, details: { epochs: history.epochs.length } };
 */
export type ObjectiveResult = number | { value: number; details?: unknown };

/**
 * Trains and measures one point; `trial` counts from 0.
 *
 * @example
 * const objective: Objective = async (p) => (await trainModel(build(p), train, { epochs: 3, validation })).last().valError;
 */
export type Objective = (params: Params, info: { trial: number }) => ObjectiveResult | Promise<ObjectiveResult>;

/**
 * One evaluated point.
 *
 * @example
 * for (const t of result.trials) console.log(t.trial, t.params, t.value, t.stored ? "(stored)" : `${t.seconds} s`);
 */
export interface Trial {
  trial: number;
  params: Params;
  value: number;
  details?: unknown;
  /** True when the result came from the run store instead of a new run. */
  stored: boolean;
  seconds: number;
  /** "host:pid" of the queue worker that ran it (`fanOut`); absent when it ran in this kernel. */
  worker?: string;
}

/**
 * Options every search takes.
 *
 * @example
 * await gridSearch(space, objective, { goal: "maximize", store: "results/grid.json", onTrial: (t) => console.log(t.value) });
 */
export interface SearchOptions {
  /** "minimize" (default: errors, losses) or "maximize" (accuracies). */
  goal?: "minimize" | "maximize";
  /** JSON file of finished runs: a re-run skips them (default none: nothing is kept). */
  store?: string | RunStore;
  /** Called after every trial (e.g. to print progress). */
  onTrial?: (trial: Trial) => void;
}

/**
 * Options of the searches whose points do not depend on each other (gridSearch, randomSearch).
 *
 * @example
 * await gridSearch(space, objective, { store: "results/grid.json", fanOut: true });
 */
export interface ParallelSearchOptions extends SearchOptions {
  /**
   * In a notebook built with `labreport build --queue`, send the trials to the queue's workers, which
   * replay the notebook up to this search and evaluate one point each (README, "Fanning out a
   * search"). Only what the objective returns comes back: variables it sets stay on the worker.
   * Without a queue (Jupyter, a local build) the trials run here, as without the option.
   */
  fanOut?: boolean;
}

/**
 * The trials of a search and the best of them.
 *
 * @example
 * const { trials, best } = await gridSearch({ batchSize: [16, 32] }, objective);
 */
export interface SearchResult {
  trials: Trial[];
  best: Trial;
}

/** The store a search writes to. */
export function openStore(store: string | RunStore | undefined): RunStore {
  return store instanceof RunStore ? store : RunStore.open(store ?? null);
}

/**
 * Evaluates the points of a search whose points do not depend on each other: here, or fanned out to
 * the queue's workers; stored points are read back. Trials are numbered in the points' order.
 *
 * @example
 * const { trials } = await searchPoints(gridPoints({ lr: [0.1, 0.01] }), objective, { store: "results/lr.json" });
 */
export async function searchPoints(points: Params[], objective: Objective, options: ParallelSearchOptions): Promise<SearchResult> {
  const outcomes = await runPoints(points, (params, trial) => evaluateObjective(objective, params, trial), openStore(options.store), {
    fanOut: options.fanOut,
    onPoint: (o) => options.onTrial?.(asTrial(o)),
  });
  const trials = outcomes.map(asTrial);
  return { trials, best: bestTrial(trials, options.goal) };
}

function asTrial(o: { index: number; params: Params; result: { value: number; details?: unknown }; seconds: number; stored: boolean; worker?: string }): Trial {
  const trial: Trial = { trial: o.index, params: o.params, value: o.result.value, details: o.result.details, stored: o.stored, seconds: o.seconds };
  if (o.worker) trial.worker = o.worker;
  return trial;
}

/** Calls the objective and checks what it returned. */
async function evaluateObjective(objective: Objective, params: Params, trial: number): Promise<{ value: number; details?: unknown }> {
  const raw = await objective(params, { trial });
  const result = typeof raw === "number" ? { value: raw } : raw;
  if (typeof result?.value !== "number" || Number.isNaN(result.value)) {
    throw new Error(`the objective returned ${JSON.stringify(raw)} for ${JSON.stringify(params)}; expected a number or { value: number }`);
  }
  return result;
}

/**
 * Runs one trial, or reads it back from the store when that point has finished before.
 *
 * @example
 * const trial = await runTrial((p) => Number(p.lr) ** 2, { lr: 0.1 }, 0, RunStore.open(null));
 */
export async function runTrial(objective: Objective, params: Params, trial: number, store: RunStore): Promise<Trial> {
  const stored = store.get<{ value: number; details?: unknown }>(params);
  if (stored) return { trial, params, value: stored.result.value, details: stored.result.details, stored: true, seconds: stored.seconds };
  const started = Date.now();
  const result = await evaluateObjective(objective, params, trial);
  const seconds = (Date.now() - started) / 1000;
  store.put(params, result, seconds);
  return { trial, params, value: result.value, details: result.details, stored: false, seconds };
}

/**
 * The best trial for the goal.
 *
 * @example
 * bestTrial(result.trials, "maximize").params;
 */
export function bestTrial(trials: Trial[], goal: "minimize" | "maximize" = "minimize"): Trial {
  if (trials.length === 0) throw new Error("no trial has run");
  const sign = goal === "maximize" ? -1 : 1;
  return trials.reduce((best, t) => (sign * t.value < sign * best.value ? t : best));
}

/**
 * One row per trial (its parameters, the value, whether it was read from the store), for showTable.
 *
 * @example
 * showTable(trialRows(result, "validation accuracy"), { caption: "Grid search." });
 */
export function trialRows(result: SearchResult, valueName = "value"): Record<string, string | number | boolean>[] {
  return result.trials.map((t) => ({ trial: t.trial + 1, ...t.params, [valueName]: t.value, seconds: Math.round(t.seconds * 10) / 10, stored: t.stored }));
}

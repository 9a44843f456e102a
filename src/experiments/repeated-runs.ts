// Repeating one experiment over K seeds and summarising each per-epoch metric by its mean and
// standard deviation across runs (seed 001, figure 4: "average training loss with std" over 3 runs).
import { meanAndStd } from "../plots/band.js";
import { History } from "../train/history.js";
import { RunStore } from "./run-store.js";
import { runPoints } from "./fan-out.js";
import { openStore } from "./trials.js";

/**
 * Per-epoch series of one run, by metric name (e.g. trainLoss, valAccuracy).
 *
 * @example
 * const metrics: RunMetrics = historyMetrics(history);
 */
export type RunMetrics = Record<string, number[]>;

/**
 * The runs of a repeated experiment, and their per-epoch mean and standard deviation.
 *
 * @example
 * const runs = await repeatRuns([1, 2, 3], (seed) => trainModel(convNet({ seed }), train, { epochs: 5, seed, validation }));
 * runs.summary("valError").mean;
 */
export interface RepeatedRuns {
  seeds: number[];
  /** One record per seed, in seed order. */
  runs: RunMetrics[];
  /** The runs' values of `metric`: one array per seed. */
  values(metric: string): number[][];
  /** Mean and standard deviation of `metric` at every epoch. */
  summary(metric: string, std?: "population" | "sample"): { mean: number[]; std: number[] };
}

/**
 * The per-epoch arrays of a History (and its per-batch losses) as plain metrics.
 *
 * @example
 * historyMetrics(history).valError; // a copy of history.valError
 */
export function historyMetrics(history: History): RunMetrics {
  return {
    trainLoss: history.trainLoss.slice(),
    trainAccuracy: history.trainAccuracy.slice(),
    trainError: history.trainError.slice(),
    valLoss: history.valLoss.slice(),
    valAccuracy: history.valAccuracy.slice(),
    valError: history.valError.slice(),
    learningRate: history.learningRate.slice(),
    batchLoss: history.batchLoss.slice(),
  };
}

/**
 * Runs `run` once per seed (one after another) and collects its metrics; with `store`, seeds
 * that finished before are read back instead of trained again.
 *
 * @example
 * const repeated = await repeatRuns([1, 2, 3], async (seed) =>
 *   trainModel(twoConvSixteenFourNet({ seed }), train, { epochs: 30, seed, optimizer: { name: "adam", learningRate: 1e-4 } }));
 * repeated.summary("trainLoss"); // { mean: [...30], std: [...30] }
 */
export async function repeatRuns(
  seeds: number[],
  run: (seed: number) => Promise<History | RunMetrics> | History | RunMetrics,
  options: {
    store?: string | RunStore;
    name?: string;
    /** Run the seeds on the queue's workers in a `labreport build --queue` build (see gridSearch's `fanOut`). */
    fanOut?: boolean;
  } = {},
): Promise<RepeatedRuns> {
  if (seeds.length === 0) throw new Error("repeatRuns needs at least one seed");
  if (new Set(seeds).size !== seeds.length) throw new Error(`repeatRuns: seeds repeat in ${JSON.stringify(seeds)}`);
  const experiment = options.name ?? "repeated";
  const outcomes = await runPoints(
    seeds.map((seed) => ({ experiment, seed })),
    async (params) => {
      const out = await run(Number(params.seed));
      return out instanceof History ? historyMetrics(out) : out;
    },
    openStore(options.store),
    { fanOut: options.fanOut },
  );
  const runs = outcomes.map((o) => o.result);
  return summarizeRuns(seeds, runs);
}

/**
 * Summaries over runs that are already at hand (one metrics record per seed).
 *
 * @example
 * summarizeRuns([1, 2], [{ loss: [1, 2] }, { loss: [3, 4] }]).summary("loss"); // mean [2, 3], std [1, 1]
 */
export function summarizeRuns(seeds: number[], runs: RunMetrics[]): RepeatedRuns {
  const values = (metric: string) =>
    runs.map((r, i) => {
      const v = r[metric];
      if (!v) throw new Error(`run of seed ${seeds[i]} has no metric ${metric} (it has ${Object.keys(r).join(", ")})`);
      return v;
    });
  return {
    seeds,
    runs,
    values,
    summary: (metric, std = "population") => meanAndStd(values(metric), std),
  };
}

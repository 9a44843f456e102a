// Bayesian optimisation: a few random points, then each next point maximises the expected
// improvement under a Gaussian-process surrogate fitted (in the unit cube) to all results so far.
import { Random } from "../data/random.js";
import { expectedImprovement, fitGaussianProcessML } from "./gaussian-process.js";
import { Params, SearchSpaceInput, decodePoint, encodePoint, normalizeSpace, pointKey, samplePoint } from "./search-space.js";
import { closeSearch, openSearch } from "./fan-out.js";
import { Objective, SearchOptions, SearchResult, Trial, bestTrial, openStore, runTrial } from "./trials.js";

/**
 * The budget, seed and candidates of a Bayesian optimisation.
 *
 * @example
 * await bayesianOptimization(space, objective, { trials: 30, initialTrials: 8, seed: 1, store: "results/bo.json" });
 */
export interface BayesianOptions extends SearchOptions {
  /** Total number of trials (the budget). */
  trials: number;
  /** Random trials before the surrogate takes over (default 5, at most `trials`). */
  initialTrials?: number;
  /** Seed of the random trials and of the candidate points (default 0). */
  seed?: number;
  /** Random candidate points scored by expected improvement per trial (default 1000). */
  candidates?: number;
}

/**
 * Minimises (or maximises) `objective` over `space` with a GP surrogate and expected improvement.
 * Deterministic for a seed; with a store, an interrupted search resumes and skips finished trials.
 *
 * @example
 * const { best } = await bayesianOptimization(
 *   { lr: logUniform(1e-4, 1), momentum: uniform(0, 0.95) },
 *   async (p) => validationError(p),
 *   { trials: 20, seed: 1, store: "results/bo.json" },
 * );
 */
export async function bayesianOptimization(space: SearchSpaceInput, objective: Objective, options: BayesianOptions): Promise<SearchResult> {
  if (!(Number.isInteger(options.trials) && options.trials >= 1)) throw new Error(`invalid trials: ${options.trials} (expected an integer >= 1)`);
  const normalized = normalizeSpace(space);
  const dims = Object.keys(normalized).length;
  const random = new Random(options.seed ?? 0);
  const store = openStore(options.store);
  // Numbered among the notebook's searches, so that a replay for a later fanned-out search reads it back.
  const search = openSearch(store);
  const initial = Math.min(options.trials, Math.max(1, options.initialTrials ?? 5));
  const candidates = options.candidates ?? 1000;
  const sign = options.goal === "maximize" ? -1 : 1;
  const trials: Trial[] = [];
  const seen = new Set<string>();

  for (let i = 0; i < options.trials; i++) {
    const params = i < initial ? samplePoint(normalized, random) : proposeNext();
    seen.add(pointKey(params));
    const trial = await runTrial(objective, params, i, store);
    trials.push(trial);
    options.onTrial?.(trial);
  }
  closeSearch(search, trials.map((t) => ({ params: t.params, result: { value: t.value, details: t.details }, seconds: t.seconds })));
  return { trials, best: bestTrial(trials, options.goal) };

  /** The candidate of highest expected improvement that has not been tried. */
  function proposeNext(): Params {
    const x = trials.map((t) => encodePoint(normalized, t.params));
    const raw = trials.map((t) => sign * t.value);
    const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
    const sd = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length) || 1;
    const y = raw.map((v) => (v - mean) / sd);
    const gp = fitGaussianProcessML(x, y);
    const bestY = Math.min(...y);
    const bestX = x[y.indexOf(bestY)];
    let chosen: Params | undefined;
    let chosenScore = -Infinity;
    for (let c = 0; c < candidates; c++) {
      // Half the candidates anywhere, half near the best point so far (local refinement).
      const u = c % 2 === 0
        ? Array.from({ length: dims }, () => random.next())
        : bestX.map((b) => Math.min(1, Math.max(0, b + 0.1 * gaussian(random))));
      const params = decodePoint(normalized, u);
      if (seen.has(pointKey(params))) continue;
      const { mean: m, std } = gp.predict(encodePoint(normalized, params));
      const score = expectedImprovement(m, std, bestY);
      if (score > chosenScore) {
        chosenScore = score;
        chosen = params;
      }
    }
    // Every candidate tried already (a small discrete space): fall back to a random point.
    return chosen ?? samplePoint(normalized, random);
  }
}

/** A standard normal draw (Box–Muller). */
function gaussian(random: Random): number {
  const u = 1 - random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

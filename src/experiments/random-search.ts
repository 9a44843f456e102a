// Random search: seeded independent draws from the space.
import { Random } from "../data/random.js";
import { SearchSpaceInput, normalizeSpace, samplePoint } from "./search-space.js";
import { Objective, ParallelSearchOptions, SearchResult, searchPoints } from "./trials.js";

/**
 * Evaluates `objective` on `trials` random points (the same points for the same seed).
 *
 * @example
 * const { best } = await randomSearch({ lr: logUniform(1e-4, 1e-1), batchSize: [16, 64] }, objective, { trials: 20, seed: 1 });
 */
export async function randomSearch(
  space: SearchSpaceInput,
  objective: Objective,
  options: ParallelSearchOptions & { trials: number; seed?: number },
): Promise<SearchResult> {
  if (!(Number.isInteger(options.trials) && options.trials >= 1)) throw new Error(`invalid trials: ${options.trials} (expected an integer >= 1)`);
  const normalized = normalizeSpace(space);
  const random = new Random(options.seed ?? 0);
  // The points are drawn first, all of them: the same seed gives the same points, run here or fanned out.
  const points = Array.from({ length: options.trials }, () => samplePoint(normalized, random));
  return searchPoints(points, objective, options);
}

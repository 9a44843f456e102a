// Grid search: every combination of the declared choices (seed 004: batch size × architecture).
import { SearchSpaceInput, gridPoints } from "./search-space.js";
import { Objective, ParallelSearchOptions, SearchResult, searchPoints } from "./trials.js";

/**
 * Evaluates `objective` on every point of the grid; finished points in the store are not run again.
 *
 * @example
 * const { best, trials } = await gridSearch(
 *   { batchSize: [4, 8, 16, 32, 64], arch: ["shallow", "fat", "deep"] },
 *   async (p) => ({ value: await bestValidationAccuracy(p) }),
 *   { goal: "maximize", store: "results/grid.json" },
 * );
 */
export async function gridSearch(space: SearchSpaceInput, objective: Objective, options: ParallelSearchOptions = {}): Promise<SearchResult> {
  return searchPoints(gridPoints(space), objective, options);
}

// The library a worker computes with: a job (a build or a trial) made on another library is refused,
// since its results would not be the ones the enqueuer's checkout computes.
import { libraryHash } from "../freeze.js";

/**
 * This checkout's library hash. Test hook: LABREPORT_TEST_WORKER_LIBRARY_HASH stands in for it, so a
 * test can start a worker "on another library" without changing src/.
 */
export function workerLibraryHash(env: NodeJS.ProcessEnv = process.env): string {
  return env.LABREPORT_TEST_WORKER_LIBRARY_HASH || libraryHash();
}

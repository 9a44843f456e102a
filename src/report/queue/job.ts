// The contract between `labreport build --queue` (enqueue.ts) and `labreport worker` (worker.ts): what
// one build job carries, what it gives back, and the queue's settings both sides must agree on. A
// job carries everything the build reads from the enqueuer's disk, so a worker needs only a checkout
// of the same library (checked through its hash) and Chromium.

import type { Companions } from "./companions.js";

/** The BullMQ queue every labreport build job goes through. */
export const QUEUE_NAME = "labreport-build";

/**
 * How fast a job whose worker died goes back to the queue: a live worker renews its lock every
 * lockDuration / 2; a lock left to expire is found by another worker's check, every stalledInterval.
 * A dead worker's job is thus re-queued within about 20 s. maxStalledCount: a job that took down its
 * worker three times fails rather than killing worker after worker.
 */
export const WORKER_SETTINGS = { lockDuration: 15_000, stalledInterval: 5_000, maxStalledCount: 2 } as const;

/** The build options of `labreport build` that a worker applies. */
export interface QueuedBuildOptions {
  execute: boolean;
  html: boolean;
  cellTimeoutMs?: number;
  rerun: boolean;
  allowErrors: boolean;
}

export interface BuildJobData {
  format: 1;
  /** The notebook's path as the enqueuer named it; the worker rebuilds the enqueuer's paths under a temp dir, so messages name it the same. */
  file: string;
  /** The enqueuer's working directory (absolute): relative paths and messages are relative to it. */
  cwd: string;
  /** The notebook file's text. */
  notebook: string;
  /** notebooks/_freeze/<name>.json as the enqueuer has it: a current store renders without a run, as locally. */
  freezeStore?: string;
  /** The files in the notebook's folder and below it that its run may read (companions.ts). */
  companions: Companions;
  /** The --template folder's report.html and report.css, when one is given. */
  template?: { dir: string; html: string; css: string };
  /** The enqueuer's --out folder (absolute). */
  outDir: string;
  /** --param values, parsed. */
  parameters: Record<string, unknown>;
  options: QueuedBuildOptions;
  /** libraryHash() of the enqueuer's checkout: a worker on another library would compute other results. */
  libraryHash: string;
}

export interface BuildJobResult {
  /** "host:pid" of the worker that built it. */
  worker: string;
  /** How long the build took on the worker. */
  seconds: number;
  /** The PDF, base64. */
  pdf: string;
  /** The executed notebook's text (absent for --no-execute). */
  executed?: string;
  /** The report's HTML (--html). */
  html?: string;
  /** The freeze store the build wrote, to be written beside the enqueuer's notebook. */
  freezeStore?: string;
  figures: number;
  tables: number;
  pages?: number;
  /** "executed", "frozen (…)", … as a local build says it. */
  execution: string;
  /** The lines the build printed (warnings, notes), paths as the enqueuer sees them. */
  notes: string[];
}

/** What a running job reports (job.updateProgress): its worker and the build's latest progress text. */
export interface BuildJobProgress {
  worker: string;
  detail?: string;
}

/** A failed notebook's partial run ("the failed run is in reports/x.failed.ipynb"): kept a day in Redis for the enqueuer. */
export function failedRunKey(jobId: string): string {
  return `labreport:${QUEUE_NAME}:failed-run:${jobId}`;
}
export const FAILED_RUN_TTL_S = 24 * 3600;

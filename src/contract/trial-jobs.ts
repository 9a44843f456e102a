// The contract of fanned-out trials, between a search running in a notebook's kernel
// (src/experiments/fan-out.ts) and `labreport worker` (src/report/queue/trial-worker.ts).
//
// A trial's objective is a closure over the notebook's variables, which cannot be sent anywhere. So a
// worker rebuilds it: it runs the same notebook, at the same parameters, on the same library, up to
// the search, and there the search evaluates only the trial's point and hands its result back
// (through a file), then stops the run. Searches that ran before it in the notebook are answered from
// the records the kernel already has, so they do not run again on the worker.

/** The BullMQ queue of trials (builds go through "labreport-build"). */
export const TRIAL_QUEUE_NAME = "labreport-trial";

/**
 * Set in the kernel of a notebook built by `labreport worker`: the path of a FanOutContext JSON file.
 * A search with `fanOut: true` sends its trials to the queue only when it is set.
 */
export const FAN_OUT_ENV = "LABREPORT_FAN_OUT";

/** Set in the kernel of a trial's replay: the path of a TrialRun JSON file. */
export const TRIAL_RUN_ENV = "LABREPORT_TRIAL_RUN";

/** What a kernel needs to have its trials replayed elsewhere: the notebook as its build ran it. */
export interface FanOutContext {
  format: 1;
  /** redis://host:port of the queue. */
  url: string;
  /** The notebook's path as the build names it (for messages). */
  file: string;
  /** The notebook's text, its --param values, and the files beside it (base64 by name). */
  notebook: string;
  parameters: Record<string, unknown>;
  companions: Record<string, string>;
  /** libraryHash() of the checkout: a worker on another library would compute other values. */
  libraryHash: string;
  /** "host:pid" of the worker whose kernel runs the notebook. */
  worker: string;
}

/** A finished point of a search: its parameters and what its run returned (a RunStore record's core). */
export interface TrialRecord {
  params: Record<string, string | number | boolean>;
  result: unknown;
  seconds: number;
}

/** What a replay is asked to do: evaluate `params` in the notebook's `search`-th search. */
export interface TrialRun {
  format: 1;
  /** The search's number in the notebook: 0 for the first gridSearch/randomSearch/repeatRuns call, … */
  search: number;
  /** The trial's index in its search (what the objective's `info.trial` says). */
  trial: number;
  params: Record<string, string | number | boolean>;
  /** The finished points of the searches before it, by search number. */
  before: Record<number, TrialRecord[]>;
  /** Where the replay writes its TrialOutcome. */
  resultFile: string;
}

/** What a replay writes when its search has evaluated the point. */
export interface TrialOutcome {
  format: 1;
  search: number;
  params: Record<string, string | number | boolean>;
  result: unknown;
  seconds: number;
}

/** One trial job on the queue. */
export interface TrialJobData {
  context: FanOutContext;
  search: number;
  trial: number;
  params: Record<string, string | number | boolean>;
  before: Record<number, TrialRecord[]>;
}

/** What a worker gives back for a trial. */
export interface TrialJobResult {
  /** "host:pid" of the worker that ran it. */
  worker: string;
  result: unknown;
  seconds: number;
}

/**
 * The message of the error that ends a replay once its point is evaluated: the worker reads the
 * outcome file, so this "failure" of the notebook's run is the trial's success.
 */
export const TRIAL_DONE_MESSAGE = "labreport trial done: the rest of the notebook is not needed for this trial";

// A worker's side of a fanned-out trial (protocol: src/contract/trial-jobs.ts): replay the notebook
// that sent it, at the same parameters, in a private temp folder, with the trial's request in the
// kernel's environment. The search it belongs to evaluates the one point, writes the outcome and
// ends the run; the outcome goes back as the job's result. Nothing is chdir'ed: a worker runs a
// trial beside its build job (whose kernel is waiting for these very trials).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Job, UnrecoverableError } from "bullmq";
import { TRIAL_RUN_ENV, TrialJobData, TrialJobResult, TrialOutcome, TrialRun } from "../../contract/trial-jobs.js";
import { readNotebook } from "../notebook.js";
import { CellFailedError, execute } from "../pipeline.js";
import { cellName } from "../execute/index.js";
import { errorLine } from "../user-error.js";
import { writeCompanions } from "./companions.js";
import { workerLibraryHash } from "./library-check.js";

export interface TrialWorkerContext {
  /** "host:pid". */
  name: string;
  say(line: string): void;
}

/** Runs one trial job: replay up to its search, evaluate its point, give back the outcome. */
export async function runTrialJob(job: Job<TrialJobData, TrialJobResult>, ctx: TrialWorkerContext): Promise<TrialJobResult> {
  const { context, search, trial, params, before } = job.data;
  const own = workerLibraryHash();
  if (context.libraryHash !== own) {
    throw new UnrecoverableError(
      `${context.file}: worker ${ctx.name} runs library ${own} but the trial's notebook runs library ${context.libraryHash}; ` +
        `update the worker's checkout to the build's commit (git pull && npm run compile) and restart the worker`,
    );
  }
  const label = `${context.file} search ${search + 1} trial ${trial + 1}`;
  ctx.say(`${label}: replaying the notebook (job ${job.id})`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-trial-"));
  const dir = path.join(root, "notebook");
  const file = path.join(dir, path.basename(context.file));
  const resultFile = path.join(root, "outcome.json");
  const runFile = path.join(root, "trial.json");
  const unmirror = (s: string) => s.split(file).join(context.file).split(root).join("");
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, context.notebook);
    writeCompanions(dir, context.companions);
    const run: TrialRun = { format: 1, search, trial, params, before, resultFile };
    fs.writeFileSync(runFile, JSON.stringify(run));
    let ranToTheEnd = false;
    try {
      await execute(readNotebook(file), { file, parameters: context.parameters, failedPath: path.join(root, "failed.ipynb"), env: { [TRIAL_RUN_ENV]: runFile } });
      ranToTheEnd = true;
    } catch (err) {
      // The search ends the replay with an error once the outcome is written: that is success.
      if (!fs.existsSync(resultFile)) throw err;
    }
    if (ranToTheEnd) {
      throw new UnrecoverableError(
        `${context.file}: the replay ran the whole notebook without reaching search ${search + 1}; ` +
          `the notebook's searches must start in the same order on every run (no search inside a condition that changes between runs)`,
      );
    }
    // Not revived: NaN stays {"$number": "NaN"} through Redis's JSON, and the kernel revives it.
    const outcome = JSON.parse(fs.readFileSync(resultFile, "utf8")) as TrialOutcome;
    return { worker: ctx.name, result: outcome.result, seconds: outcome.seconds };
  } catch (err) {
    if (err instanceof UnrecoverableError) throw err;
    // The building kernel prefixes the file and the trial; the replay's temp paths mean nothing there.
    if (err instanceof CellFailedError) {
      const c = err.cell;
      throw new Error(unmirror(`${c.message}, in ${cellName(c)} of the worker's replay`));
    }
    throw new Error(unmirror(errorLine(err, context.file)));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

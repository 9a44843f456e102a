// Searches fanned out on a real job queue: a notebook built by a worker sends the trials of its
// gridSearch and repeatRuns (fanOut: true) back to the queue, where workers replay the notebook up
// to each search and evaluate one point each. The objective's closure (a variable of an earlier
// cell) is rebuilt by the replay; each point is evaluated exactly once, never in the build's own
// kernel; the replays answer the earlier searches (a Bayesian one too) from the records sent with them;
// the results land in the search's run store; NaN survives the trip.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { Proc, Redis, runCli, startRedis, startWorker, stopWorkers } from "../queue-cluster.js";

let redis: Redis | undefined;
const workers: Proc[] = [];
after(async () => {
  await stopWorkers(workers);
  await redis?.stop();
});

function sweepNotebook(evaluations: string): object {
  const code = (source: string) => ({ cell_type: "code", metadata: {}, execution_count: null, outputs: [], source });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" }, language_info: { name: "typescript" } },
    cells: [
      { cell_type: "markdown", metadata: {}, source: "# A fanned-out sweep" },
      code(
        `import * as fs from "node:fs";\nimport { bayesianOptimization, gridSearch, repeatRuns, RunStore, uniform } from "labreport";\n` +
          `const offset = 100;  // in the objective's closure: a replay must rebuild it\n` +
          `const log = (line: string) => fs.appendFileSync(${JSON.stringify(evaluations)}, line + "\\n");\n` +
          `// A search that never fans out, before the fanned-out ones: replays must read it back, not run it.\n` +
          `const tuned = await bayesianOptimization({ a: uniform(0, 1) }, async (p, { trial }) => {\n` +
          `  log(\`bayes \${trial} \${process.pid}\`);\n` +
          `  return Number(p.a);\n` +
          `}, { trials: 3, seed: 1 });`,
      ),
      code(
        `const grid = await gridSearch({ x: [1, 2, 3, 4] }, async (p) => {\n` +
          `  log(\`grid \${p.x} \${process.pid}\`);\n` +
          `  return { value: Number(p.x) ** 2 + offset, details: { pid: process.pid } };\n` +
          `}, { fanOut: true, store: "grid.json" });`,
      ),
      code(
        `const repeated = await repeatRuns([1, 2, 3], async (seed) => {\n` +
          `  log(\`repeat \${seed} \${process.pid}\`);\n` +
          `  return { loss: [seed + grid.best.value, NaN] };\n` +
          `}, { fanOut: true, name: "after-grid" });`,
      ),
      code(
        `console.log("RESULT " + JSON.stringify({\n` +
          `  kernel: process.pid,\n` +
          `  trials: grid.trials.map((t) => ({ x: t.params.x, value: t.value, worker: t.worker ?? null, pid: (t.details as { pid: number }).pid })),\n` +
          `  loss: repeated.values("loss").map((l) => [l[0], Number.isNaN(l[1])]),\n` +
          `  stored: RunStore.open("grid.json").size,\n` +
          `}));`,
      ),
    ],
  };
}

test("a notebook's gridSearch and repeatRuns fan out to 2 workers: each point evaluated once, in replays, results back in the store", { timeout: 600_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-fan-out-"));
  const evaluations = path.join(dir, "evaluations.log");
  fs.writeFileSync(path.join(dir, "sweep.ipynb"), JSON.stringify(sweepNotebook(evaluations)));
  redis = await startRedis();
  for (let k = 0; k < 2; k++) workers.push(await startWorker(redis.url));

  const build = runCli(["build", path.join(dir, "sweep.ipynb"), "--queue", redis.url, "--out", path.join(dir, "reports")], dir);
  const code = await build.exited;
  assert.equal(code, 0, `${build.output}\n--- workers:\n${workers.map((w) => w.output).join("\n")}`);

  const executed = fs.readFileSync(path.join(dir, "reports", "sweep.ipynb"), "utf8");
  const line = executed.match(/RESULT (\{.*?\})\\n/);
  assert.ok(line, executed);
  const result = JSON.parse(JSON.parse(`"${line[1]}"`)) as {
    kernel: number;
    trials: { x: number; value: number; worker: string | null; pid: number }[];
    loss: [number, boolean][];
    stored: number;
  };
  assert.deepEqual(result.trials.map((t) => [t.x, t.value]), [[1, 101], [2, 104], [3, 109], [4, 116]]);
  // Every trial came from a worker's replay, not from the build's own kernel.
  const names = workers.map((w) => w.output.match(/worker (\S+) \(library/)![1]);
  for (const t of result.trials) {
    assert.ok(t.worker && names.includes(t.worker), `trial ${t.x} ran on ${t.worker}, not one of ${names}`);
    assert.notEqual(t.pid, result.kernel);
  }
  // The later search used the earlier one's best (101) and NaN came back as NaN.
  assert.deepEqual(result.loss, [[102, true], [103, true], [104, true]]);
  assert.equal(result.stored, 4);

  // Each point was evaluated exactly once: the repeatRuns replays answered the grid from the records they carried.
  const lines = fs.readFileSync(evaluations, "utf8").trim().split("\n").map((l) => l.split(" ").slice(0, 2).join(" ")).sort();
  assert.deepEqual(lines, ["bayes 0", "bayes 1", "bayes 2", "grid 1", "grid 2", "grid 3", "grid 4", "repeat 1", "repeat 2", "repeat 3"]);
  const bayesPids = fs.readFileSync(evaluations, "utf8").split("\n").filter((l) => l.startsWith("bayes")).map((l) => Number(l.split(" ")[2]));
  assert.deepEqual(bayesPids, [result.kernel, result.kernel, result.kernel]);
  const replays = workers.map((w) => (w.output.match(/replaying the notebook/g) ?? []).length);
  assert.equal(replays[0] + replays[1], 7, workers.map((w) => w.output).join("\n"));
  assert.ok(fs.existsSync(path.join(dir, "reports", "sweep.pdf")));
});

test("a trial whose objective throws: evaluated once (no retry), the build fails naming the trial and the error, exit 1", { timeout: 600_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-fan-out-"));
  const evaluations = path.join(dir, "evaluations.log");
  const nb = sweepNotebook(evaluations) as { cells: { source: string }[] };
  nb.cells[2].source = nb.cells[2].source.replace("log(`grid ${p.x} ${process.pid}`);", "log(`grid ${p.x} ${process.pid}`);\n  if (p.x === 2) throw new Error(\"diverged at x = 2\");");
  assert.match(nb.cells[2].source, /diverged/);
  fs.writeFileSync(path.join(dir, "sweep.ipynb"), JSON.stringify(nb));
  redis ??= await startRedis();
  while (workers.length < 2) workers.push(await startWorker(redis.url));

  const build = runCli(["build", path.join(dir, "sweep.ipynb"), "--queue", redis.url, "--out", path.join(dir, "reports")], dir);
  const code = await build.exited;
  assert.equal(code, 1, build.output);
  // The grid is the notebook's second search (the Bayesian one is the first).
  assert.match(build.output, /sweep\.ipynb: trial 2 of search 2 \(\{"x":2\}\) failed on the queue: Error: diverged at x = 2, in cell 3 \(code cell 2\) of the worker's replay/);
  // The worker's temp folder is not named: only the build's own failed run is.
  assert.doesNotMatch(build.output, /labreport-trial-|\/failed\.ipynb/);
  const lines = fs.readFileSync(evaluations, "utf8").trim().split("\n").map((l) => l.split(" ").slice(0, 2).join(" "));
  assert.equal(lines.filter((l) => l === "grid 2").length, 1, lines.join("\n"));
  assert.ok(!fs.existsSync(path.join(dir, "reports", "sweep.pdf")));
});

test("a worker SIGKILLed while replaying a trial: the trial goes back to the queue, another worker finishes it, the build succeeds", { timeout: 600_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-fan-out-"));
  fs.writeFileSync(path.join(dir, "sweep.ipynb"), JSON.stringify(sweepNotebook(path.join(dir, "evaluations.log"))));
  redis ??= await startRedis();
  while (workers.length < 3) workers.push(await startWorker(redis.url));

  const build = runCli(["build", path.join(dir, "sweep.ipynb"), "--queue", redis.url, "--out", path.join(dir, "reports")], dir);
  // The first worker seen replaying a trial dies with it (and its kernels: its process group).
  const replaying = /sweep\.ipynb search (\d+) trial (\d+): replaying the notebook/;
  const victim = await Promise.any(workers.map((w) => w.waitFor(replaying, 300_000).then(() => w)));
  const [, search, trial] = victim.output.match(replaying)!;
  victim.killGroup("SIGKILL");
  const victimName = victim.output.match(/worker (\S+) \(library/)![1];
  workers.splice(workers.indexOf(victim), 1);
  const code = await build.exited;
  assert.equal(code, 0, `${build.output}\n--- workers:\n${workers.map((w) => w.output).join("\n")}`);

  const executed = fs.readFileSync(path.join(dir, "reports", "sweep.ipynb"), "utf8");
  const result = JSON.parse(JSON.parse(`"${executed.match(/RESULT (\{.*?\})\\n/)![1]}"`)) as { trials: { x: number; value: number; worker: string }[]; loss: [number, boolean][] };
  assert.deepEqual(result.trials.map((t) => [t.x, t.value]), [[1, 101], [2, 104], [3, 109], [4, 116]]);
  assert.deepEqual(result.loss, [[102, true], [103, true], [104, true]]);
  // The killed trial was finished by a worker that lived.
  const redone = workers.some((w) => w.output.includes(`sweep.ipynb search ${search} trial ${trial}: done`));
  assert.ok(redone, `search ${search} trial ${trial} redone by another worker than ${victimName}:\n${workers.map((w) => w.output).join("\n")}`);
  if (search === "1") assert.notEqual(result.trials[Number(trial) - 1].worker, victimName);
});

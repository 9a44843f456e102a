// The queue's faults, each with its own redis-server and workers: Redis unreachable, a failing
// notebook (failed once, never retried, its error in the summary), a worker on another library, a
// worker stopped mid-job.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, test } from "node:test";
import { Queue } from "bullmq";
import { Proc, Redis, freePort, runCli, startRedis, startWorker, stopWorkers, tinyNotebook } from "../queue-cluster.js";

let redis: Redis | undefined;
let workers: Proc[] = [];
afterEach(async () => {
  await stopWorkers(workers);
  workers = [];
  await redis?.stop();
  redis = undefined;
});

function classFolder(notebooks: Record<string, object>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-queue-faults-"));
  for (const [name, nb] of Object.entries(notebooks)) fs.writeFileSync(path.join(dir, name), JSON.stringify(nb));
  return dir;
}

test("Redis unreachable: build and worker each print one line naming the URL and the fix, exit 1, within seconds", async () => {
  const url = `redis://127.0.0.1:${await freePort()}`;
  const dir = classFolder({ "a.ipynb": tinyNotebook(1) });
  for (const args of [["build", path.join(dir, "a.ipynb"), "--queue", url, "--out", path.join(dir, "reports")], ["worker", "--queue", url]]) {
    const started = Date.now();
    const cli = runCli(args, dir);
    const code = await cli.exited;
    assert.equal(code, 1, cli.output);
    assert.equal(cli.output, `error: --queue ${url}: cannot reach Redis (ECONNREFUSED); start redis-server there or pass the right --queue URL\n`);
    assert.ok(Date.now() - started < 15_000, `${args[0]} took ${Date.now() - started} ms`);
  }
  assert.ok(!fs.existsSync(path.join(dir, "reports", "a.pdf")));
});

test("a failing notebook: its job fails once (no retry), its error in the summary, the previous report kept, exit 1; files beside a notebook and below it travel with it", { timeout: 300_000 }, async () => {
  redis = await startRedis();
  workers.push(await startWorker(redis.url));
  const readsData = 'import * as fs from "fs";\nconsole.log(fs.readFileSync("data.txt", "utf8"), fs.readFileSync("inputs/day 1/more.txt", "utf8"));';
  const dir = classFolder({ "good.ipynb": tinyNotebook(1, readsData), "bad.ipynb": tinyNotebook(2, 'throw new Error("bad forgot to train");') });
  fs.writeFileSync(path.join(dir, "data.txt"), "companion 42");
  fs.mkdirSync(path.join(dir, "inputs", "day 1"), { recursive: true });
  fs.writeFileSync(path.join(dir, "inputs", "day 1", "more.txt"), "from a subfolder");
  const out = path.join(dir, "reports");
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, "bad.pdf"), "last week's good report");

  const build = runCli(["build", dir, "--queue", redis.url, "--out", out, "--summary"], dir);
  assert.equal(await build.exited, 1, build.output);
  assert.match(build.output, /error: \S*\/bad\.ipynb: cell 3 \(code cell 2\) failed: Error: bad forgot to train — fix it and rebuild; the previous report is kept, the failed run is in .*reports\/bad\.failed\.ipynb\n/);
  assert.match(build.output, /1 of 2 notebooks failed/);
  const csv = fs.readFileSync(path.join(out, "summary.csv"), "utf8");
  assert.match(csv, /\nbad\.ipynb,failed,\d+\.\d,,,,.*bad forgot to train/);
  assert.match(csv, /\ngood\.ipynb,built,\d+\.\d,1,/);
  assert.equal(fs.readFileSync(path.join(out, "bad.pdf"), "utf8"), "last week's good report");
  // The partial run came back from the worker, as a local build leaves it.
  assert.match(fs.readFileSync(path.join(out, "bad.failed.ipynb"), "utf8"), /bad forgot to train/);
  assert.ok(fs.existsSync(path.join(out, "good.pdf")));
  assert.match(fs.readFileSync(path.join(out, "good.ipynb"), "utf8"), /companion 42 from a subfolder/);

  // Ran once: one attempt, one build on the worker.
  const queue = new Queue("labreport-build", { connection: { url: redis.url } });
  try {
    const failed = await queue.getJobs(["failed"]);
    assert.deepEqual(failed.map((j) => [path.basename(j.data.file), j.attemptsMade]), [["bad.ipynb", 1]]);
    assert.deepEqual(await queue.getJobCounts("wait", "active", "delayed"), { wait: 0, active: 0, delayed: 0 });
  } finally {
    await queue.close();
  }
  assert.equal(workers[0].output.match(/bad\.ipynb: building/g)?.length, 1, workers[0].output);
});

test("a worker on another library: the job fails with both hashes and the fix, no report written", { timeout: 300_000 }, async () => {
  redis = await startRedis();
  // Test hook: the worker takes this hash for its checkout's.
  workers.push(await startWorker(redis.url, { LABREPORT_TEST_WORKER_LIBRARY_HASH: "0123456789abcdef" }));
  const dir = classFolder({ "a.ipynb": tinyNotebook(1) });
  const out = path.join(dir, "reports");
  const build = runCli(["build", path.join(dir, "a.ipynb"), "--queue", redis.url, "--out", out], dir);
  assert.equal(await build.exited, 1, build.output);
  assert.match(
    build.output,
    /error: .*a\.ipynb: worker \S+ runs library 0123456789abcdef but the build's library is [0-9a-f]{16}; update the worker's checkout to the build's commit \(git pull && npm run compile\) and restart the worker\n/,
  );
  assert.ok(!fs.existsSync(path.join(out, "a.pdf")));
});

test("a worker sent SIGTERM mid-job finishes the job in hand, its PDF included, then stops with status 0", { timeout: 300_000 }, async () => {
  redis = await startRedis();
  const worker = await startWorker(redis.url);
  workers.push(worker);
  const dir = classFolder({ "slow.ipynb": tinyNotebook(1, "await new Promise((r) => setTimeout(r, 4000));") });
  const out = path.join(dir, "reports");
  const build = runCli(["build", path.join(dir, "slow.ipynb"), "--queue", redis.url, "--out", out], dir);
  await worker.waitFor(/slow\.ipynb: building/, 120_000);
  worker.child.kill("SIGTERM"); // the worker alone, as `kill PID` sends it; its kernel and Chromium carry on
  await worker.waitFor(/SIGTERM: finishing the job in hand/);
  assert.equal(await build.exited, 0, `${build.output}\n--- worker:\n${worker.output}`);
  assert.match(build.output, /slow\.ipynb ✓ /);
  assert.ok(fs.statSync(path.join(out, "slow.pdf")).size > 1000);
  assert.equal(await worker.exited, 0, worker.output);
});

test("Ctrl-C in a worker's terminal (SIGINT to its whole process group) also finishes the job in hand: the kernel and Chromium are not interrupted", { timeout: 300_000 }, async () => {
  redis = await startRedis();
  const worker = await startWorker(redis.url);
  workers.push(worker);
  // The busy cell says when it has begun (a file at an absolute path: the worker runs the notebook
  // in a folder of its own), so the signal lands mid-cell, not while the kernel starts.
  const started = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labreport-ctrl-c-")), "busy-cell-started");
  const busyCell = `require("fs").writeFileSync(${JSON.stringify(started)}, "");\n` +
    "const until = Date.now() + 4000;\nwhile (Date.now() < until) {}  // a cell busy computing, as training is";
  const dir = classFolder({ "slow.ipynb": tinyNotebook(1, busyCell) });
  const out = path.join(dir, "reports");
  const build = runCli(["build", path.join(dir, "slow.ipynb"), "--queue", redis.url, "--out", out], dir);
  const deadline = Date.now() + 120_000;
  while (!fs.existsSync(started)) {
    assert.ok(Date.now() < deadline, `the busy cell never started\n${build.output}\n--- worker:\n${worker.output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // The worker was started as a process group of its own, as a shell starts a foreground job; a
  // terminal's Ctrl-C sends SIGINT to every process of that group.
  worker.killGroup("SIGINT");
  await worker.waitFor(/SIGINT: finishing the job in hand/);
  assert.equal(await build.exited, 0, `${build.output}\n--- worker:\n${worker.output}`);
  assert.match(build.output, /slow\.ipynb ✓ /);
  assert.ok(fs.statSync(path.join(out, "slow.pdf")).size > 1000);
  assert.equal(await worker.exited, 0, worker.output);
});

test("--queue's usage errors: a URL that is not redis://, worker without --queue or with notebooks, --queue on a stage command", async () => {
  const cases: [string[], RegExp][] = [
    [["build", "x.ipynb", "--queue", "localhost:6379"], /^error: --queue localhost:6379: not a Redis URL; write it as redis:\/\/host:port \(e\.g\. redis:\/\/localhost:6379\); run "labreport --help" for usage\n$/],
    [["worker"], /^error: worker needs --queue redis:\/\/host:port .*; run "labreport --help" for usage\n$/],
    [["worker", "a.ipynb", "--queue", "redis://h:1"], /^error: worker takes no notebooks \(got a\.ipynb\).*; run "labreport --help" for usage\n$/],
    [["execute", "a.ipynb", "--queue", "redis://h:1"], /^error: --queue does not apply to "execute"; execute takes -o, --param, --cell-timeout, --allow-errors; run "labreport --help" for usage\n$/],
  ];
  const dir = classFolder({ "x.ipynb": tinyNotebook(1) });
  for (const [args, expected] of cases) {
    const cli = runCli(args, dir);
    assert.equal(await cli.exited, 2, cli.output);
    assert.match(cli.output, expected);
  }
});

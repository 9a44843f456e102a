// A class's batch on a real job queue: 20 notebooks, 3 workers, one of them SIGKILLed in the middle
// of a job. Its job goes back to the queue, another worker builds it, and every report is written
// once, as a local build writes it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { Proc, Redis, runCli, startRedis, startWorker, stopWorkers, writeTinyNotebooks } from "../queue-cluster.js";

let redis: Redis | undefined;
const workers: Proc[] = [];
after(async () => {
  await stopWorkers(workers);
  await redis?.stop();
});

test("20 notebooks across 3 workers, one worker killed mid-job: every report written once, summary complete", { timeout: 900_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-queue-"));
  const files = writeTinyNotebooks(path.join(dir, "class"), 20);
  const out = path.join(dir, "reports");
  redis = await startRedis();
  for (let k = 0; k < 3; k++) workers.push(await startWorker(redis.url));

  const build = runCli(["build", path.join(dir, "class"), "--queue", redis.url, "--out", out, "--summary"], dir);
  // The first worker to take a job dies with it (and its kernel and Chromium: its process group).
  const victim = await Promise.any(workers.map((w) => w.waitFor(/building \(job \S+\)/, 300_000).then(() => w)));
  victim.killGroup("SIGKILL");
  const victimName = victim.output.match(/worker (\S+) \(library/)![1];
  const code = await build.exited;
  const log = build.output;
  assert.equal(code, 0, log);

  // The killed worker's job went back to the queue and was finished by another worker.
  const requeued = log.match(/\] (\S+) back in the queue: worker (\S+) stopped answering/);
  assert.ok(requeued, `a re-queued job in:\n${log}`);
  assert.equal(requeued[2], victimName);
  const rebuilt = log.match(new RegExp(`\\] ${requeued[1].replace(/[.]/g, "\\.")} ✓ .*; on (\\S+)\\)`));
  assert.ok(rebuilt && rebuilt[1] !== victimName, `rebuilt by another worker:\n${log}`);

  // Every notebook reported done exactly once, its PDF and executed notebook present, nothing half-written.
  for (const file of files) {
    const name = path.basename(file, ".ipynb");
    assert.equal(log.split("\n").filter((l) => l.includes(`${name}.ipynb ✓`)).length, 1, `${name} reported once:\n${log}`);
  }
  const written = fs.readdirSync(out).sort();
  assert.deepEqual(written.filter((f) => f.endsWith(".pdf")), files.map((f) => `${path.basename(f, ".ipynb")}.pdf`));
  assert.deepEqual(written.filter((f) => f.endsWith(".ipynb")), files.map((f) => path.basename(f)));
  assert.deepEqual(written.filter((f) => !/\.(pdf|ipynb)$/.test(f)), ["summary.csv", "summary.html"]);
  // Each report is its own notebook's: student 7's PDF prints "number 7".
  for (const n of [1, 7, 20]) {
    const text = execFileSync("pdftotext", [path.join(out, `student${String(n).padStart(2, "0")}.pdf`), "-"], { encoding: "utf8" });
    assert.match(text, new RegExp(`number ${n}\\b`));
  }

  const csv = fs.readFileSync(path.join(out, "summary.csv"), "utf8").trim().split("\n");
  assert.equal(csv.length, 21);
  for (const [k, line] of csv.slice(1).entries()) {
    assert.match(line, new RegExp(`^class/student${String(k + 1).padStart(2, "0")}\\.ipynb,built,\\d+\\.\\d,1,`));
  }
  assert.match(fs.readFileSync(path.join(out, "summary.html"), "utf8"), /20 of 20 notebooks built/);
  // The surviving workers built all of it between them.
  const done = workers.filter((w) => w !== victim).map((w) => (w.output.match(/: done \(job/g) ?? []).length);
  assert.equal(done[0] + done[1], 20, workers.map((w) => w.output).join("\n"));
});

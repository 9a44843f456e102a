// Batch mode, as a grader uses it: a folder of submissions, one bad notebook among them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { CLI, FIXTURES, REPO } from "../paths.js";

test("build over a folder with --summary: every good notebook builds, the bad one is reported, summary.csv/.html written, exit 1", () => {
  const submissions = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-batch-"));
  const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, "freeze", "frozen.ipynb"), "utf8"));
  for (const student of ["alice", "bob"]) fs.writeFileSync(path.join(submissions, `${student}.ipynb`), JSON.stringify(fixture));
  const broken = structuredClone(fixture);
  broken.cells[3].source = 'throw new Error("carol forgot to train");';
  fs.writeFileSync(path.join(submissions, "carol.ipynb"), JSON.stringify(broken));
  const out = path.join(submissions, "reports");

  const r = spawnSync(process.execPath, [CLI, "build", submissions, "--out", out, "--summary"], { cwd: REPO, encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, 1, "one notebook failed");
  assert.ok(fs.existsSync(path.join(out, "alice.pdf")) && fs.existsSync(path.join(out, "bob.pdf")), "the others still built");
  assert.ok(!fs.existsSync(path.join(out, "carol.pdf")));
  assert.match(r.stderr, /\[batch\] 2 done, 0 failed, 1 left, about \d+:\d\d to go/);
  assert.match(r.stderr, /carol\.ipynb: cell 4 \(code cell 2\) failed: .*carol forgot to train/);

  const csv = fs.readFileSync(path.join(out, "summary.csv"), "utf8").trim().split("\n");
  assert.equal(csv[0], "notebook,status,time (s),pages,figures,tables,error");
  assert.equal(csv.length, 4);
  assert.match(csv.find((l) => l.includes("alice.ipynb"))!, /,built,\d+\.\d,1,0,0,$/);
  assert.match(csv.find((l) => l.includes("carol.ipynb"))!, /,failed,\d+\.\d,,,,".*carol forgot to train.*"$|,failed,\d+\.\d,,,,.*carol forgot to train/);
  const html = fs.readFileSync(path.join(out, "summary.html"), "utf8");
  assert.match(html, /2 of 3 notebooks built/);
  assert.match(r.stderr, /notebook\s+status\s+time \(s\)\s+pages/);
});

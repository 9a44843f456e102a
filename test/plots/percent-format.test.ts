import { test } from "node:test";
import * as assert from "node:assert/strict";
import { lineChartSpec, percentFormat } from "../../src/plots/index.js";
import { axisLabels, render } from "./render.js";

test("percentFormat: enough decimals that the ticks of a narrow domain read differently", () => {
  assert.equal(percentFormat([0.9841, 0.9849]), ".2%");
  assert.equal(percentFormat([0.9841, 0.98415, 0.9849]), ".2%", "the extremes decide");
  assert.equal(percentFormat([0.98401, 0.98409]), ".3%");
  assert.equal(percentFormat([0.9, 0.99]), ".0%");
  assert.equal(percentFormat([0.2, 0.95]), ".0%");
  assert.equal(percentFormat([0.97, NaN, 0.97]), ".1%", "one value: one decimal");
  assert.equal(percentFormat([]), ".0%");
  assert.throws(() => percentFormat([0, 1], { ticks: 0 }), /invalid ticks 0/);
});

/** The y axis labels of a rendered one-series line chart of `values` with percentFormat. */
async function yLabels(values: number[], height: number): Promise<string[]> {
  const spec = lineChartSpec({ name: "accuracy", values }, { xTitle: "N", yTitle: "Accuracy", yFormat: percentFormat(values), height });
  const { svg, warnings } = await render(spec);
  assert.deepEqual(warnings, []);
  return axisLabels(svg).find((labels) => labels.every((l) => l.endsWith("%")))!;
}

test("percentFormat in rendered line charts: distinct y tick labels at any height", async () => {
  const narrow = await yLabels([0.9841, 0.9845, 0.9849], 280);
  assert.ok(narrow.length >= 3, `y labels: ${narrow}`);
  assert.ok(narrow.includes("98.45%"), `y labels: ${narrow}`);
  for (const values of [[0.9841, 0.9849], [0.9, 0.99], [0.5012, 0.5013], [0.12, 0.87], [0.9733, 0.9861]]) {
    for (const height of [120, 280, 400]) {
      const labels = await yLabels(values, height);
      assert.ok(labels.length >= 2, `[${values}] at height ${height}: ${labels}`);
      assert.equal(new Set(labels).size, labels.length, `[${values}] at height ${height}: ${labels}`);
    }
  }
  // The bug it fixes: with ".1%" the narrow domain's ticks all read 98.4%.
  const { svg } = await render(lineChartSpec({ name: "a", values: [0.9841, 0.9849] }, { xTitle: "N", yTitle: "A", yFormat: ".1%" }));
  const repeated = axisLabels(svg).find((labels) => labels.every((l) => l.endsWith("%")))!;
  assert.ok(repeated.length > 1 && new Set(repeated).size < repeated.length, `with .1%: ${repeated}`);
});

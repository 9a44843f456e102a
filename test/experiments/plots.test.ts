import { test } from "node:test";
import * as assert from "node:assert/strict";
import { SequentialBuilder } from "../../src/models/index.js";
import {
  accuracyVsLearningRateSpec, dropoutSchemesSpec, lrRangeTestSpec, repeatedRunsSpec, summarizeRuns, filterGridSpec,
  misclassifiedGridSpec, LabelledImage,
} from "../../src/experiments/index.js";
import { convFilterImages } from "../../src/plots/index.js";
import { axisLabels, render } from "../plots/render.js";

/** Every axis and legend in a spec (any depth) and the config, for the labelLimit rule. */
function axesAndLegends(spec: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === "axis" || key === "legend") && value && typeof value === "object") found.push(value as Record<string, unknown>);
      walk(value);
    }
  };
  walk(spec);
  return found;
}

function checkTitledAndUncut(spec: any, xTitle: RegExp, yTitle: RegExp) {
  assert.equal(spec.$schema, "https://vega.github.io/schema/vega-lite/v5.json");
  assert.equal(spec.config.axis.labelLimit, 0);
  assert.equal(spec.config.legend.labelLimit, 0);
  for (const a of axesAndLegends(spec)) if (a.labelLimit !== undefined) assert.equal(a.labelLimit, 0);
  const text = JSON.stringify(spec);
  assert.match(text, xTitle);
  assert.match(text, yTitle);
  JSON.parse(text); // plain JSON, nothing else
}

test("experiment figures are plain Vega-Lite v5 with titled, uncut axes", () => {
  const band = repeatedRunsSpec(summarizeRuns([1, 2], [{ trainLoss: [1, 0.5] }, { trainLoss: [3, 1.5] }]), "trainLoss", { yTitle: "Training loss" }) as any;
  checkTitledAndUncut(band, /"Epoch"/, /"Training loss"/);
  assert.deepEqual(band.data.values.map((r: any) => [r.mean, r.lower, r.upper]), [[2, 1, 3], [1, 0.5, 1.5]]);

  const rates = accuracyVsLearningRateSpec([{ learningRate: 1e-4, accuracy: 0.97 }, { learningRate: 0.01, accuracy: 0.93 }, { learningRate: 0.05, accuracy: 0.09 }]) as any;
  checkTitledAndUncut(rates, /"Learning rate"/, /"Accuracy"/);
  assert.equal(rates.encoding.x.scale.type, "log");

  const lr = lrRangeTestSpec({
    rates: [1e-3, 1e-2, 1e-1, 1], losses: [2.3, 2.0, 1.0, 9], smoothedLosses: [2.3, 2.1, 1.5, 4],
    minLossRate: 0.1, steepestRate: 0.1, suggestedRate: 0.01, diverged: true,
  }) as any;
  checkTitledAndUncut(lr, /Learning rate \(log scale\)/, /"Training loss"/);
  assert.match(JSON.stringify(lr), /suggested 0\.010/);

  const dropout = dropoutSchemesSpec({ samples: [1, 10], scaled: 0.97, beforeSoftmax: [0.9, 0.96], afterSoftmax: [0.9, 0.965] }) as any;
  checkTitledAndUncut(dropout, /dropout masks N/, /"Test accuracy"/);
  assert.equal(dropout.data.values.length, 6);
});

test("image grids: learned filters and misclassified examples as PNG image marks with captions", () => {
  const model = new SequentialBuilder([8, 8, 3], { seed: 1 }).conv2d(4, 3).relu().flatten().dense(2).build();
  const filters = convFilterImages(model);
  assert.equal(filters.length, 4);
  assert.deepEqual([filters[0].width, filters[0].height, filters[0].channels], [3, 3, 3]);
  assert.ok(filters.every((f) => Math.min(...f.pixels) === 0 && Math.max(...f.pixels) === 255), "each filter spans 0..255");
  const spec = filterGridSpec(model) as any;
  const images = spec.data.values;
  assert.equal(images.length, 4);
  assert.match(images[0].url, /^data:image\/png;base64,iVBORw0KGgo/);
  // Enlarged to 39×39 (3 × 13) before encoding, so no viewer blurs a 3×3 filter.
  const png = Buffer.from(images[0].url.split(",")[1], "base64");
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [39, 39]);

  const wrong: LabelledImage[] = [0, 1].map((i) => ({
    pixels: new Uint8Array(4 * 4).fill(100 * i), width: 4, height: 4, channels: 1, actual: i, predicted: 1 - i, index: i,
    caption: `true: ${["cat", "dog"][i]} / predicted: ${["cat", "dog"][1 - i]}`,
  }));
  const grid = misclassifiedGridSpec(wrong) as any;
  assert.deepEqual(grid.data.values.map((v: any) => v.caption), ["cat → dog", "dog → cat"]);
  assert.throws(() => misclassifiedGridSpec([]), /no misclassified examples/);
});

test("dropout schemes within a tenth of a point: the accuracy ticks read differently", async () => {
  // Seed 004's figure 3 at 10,000 test images: every scheme near 98.4%.
  const spec = dropoutSchemesSpec({
    samples: [10, 20, 50, 100], scaled: 0.9845, beforeSoftmax: [0.9841, 0.9844, 0.9847, 0.9849], afterSoftmax: [0.9842, 0.9845, 0.9846, 0.9848],
  }) as any;
  assert.equal(spec.encoding.y.axis.format, ".2%");
  const { svg, warnings } = await render(spec);
  assert.deepEqual(warnings, []);
  const yLabels = axisLabels(svg).find((labels) => labels.every((l) => l.endsWith("%")))!;
  assert.ok(yLabels.length >= 3, `y labels: ${yLabels}`);
  assert.equal(new Set(yLabels).size, yLabels.length, `y labels: ${yLabels}`);
});

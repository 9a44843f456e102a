import { test } from "node:test";
import * as assert from "node:assert/strict";
import { History } from "../../src/train/index.js";
import {
  learningCurveSpec, lineChartSpec, meanStdBandSpec, meanAndStd, confusionMatrixSpec, FIGURE_WIDTH, FIGURE_HEIGHT,
} from "../../src/plots/index.js";
import { render } from "./render.js";

function history(withValidation = true): History {
  const h = new History();
  [0.12, 0.04, 0.026].forEach((trainError, i) =>
    h.record({
      epoch: i + 1, trainError, trainAccuracy: 1 - trainError, trainLoss: trainError * 3,
      valError: withValidation ? [0.054, 0.044, 0.02][i] : NaN, valAccuracy: withValidation ? 1 - [0.054, 0.044, 0.02][i] : NaN,
      valLoss: withValidation ? 0.1 : NaN, learningRate: 0.01, seconds: 1, samplesPerSecond: 100,
    }),
  );
  return h;
}

function values(spec: any): any[] {
  return spec.data.values;
}

test("learning curve: training and validation error per epoch, titled axes, uncut labels, house size", async () => {
  const spec: any = learningCurveSpec(history());
  assert.equal(spec.$schema, "https://vega.github.io/schema/vega-lite/v5.json");
  assert.equal(spec.width, FIGURE_WIDTH);
  assert.equal(spec.height, FIGURE_HEIGHT);
  assert.equal(spec.config.axis.labelLimit, 0);
  assert.equal(spec.config.legend.labelLimit, 0);
  assert.equal(spec.encoding.x.title, "Epoch");
  assert.equal(spec.encoding.y.title, "Error");
  assert.deepEqual(values(spec).slice(0, 4), [
    { x: 1, y: 0.12, series: "Training" },
    { x: 2, y: 0.04, series: "Training" },
    { x: 3, y: 0.026, series: "Training" },
    { x: 1, y: 0.054, series: "Validation" },
  ]);
  assert.deepEqual(spec.encoding.color.scale.domain, ["Training", "Validation"]);
  const { svg, warnings } = await render(spec);
  assert.deepEqual(warnings, []);
  for (const text of ["Epoch", "Error", "Training", "Validation"]) assert.ok(svg.includes(`>${text}<`), `SVG shows ${text}`);
});

test("learning curve of loss or accuracy in percent; training only without validation", () => {
  const loss: any = learningCurveSpec(history(), { metric: "loss" });
  assert.equal(loss.encoding.y.title, "Loss");
  assert.equal(values(loss)[0].y, 0.36);
  const acc: any = learningCurveSpec(history(), { metric: "accuracy", percent: true, validationName: "Test" });
  assert.equal(acc.encoding.y.title, "Accuracy (%)");
  assert.ok(Math.abs(values(acc)[0].y - 88) < 1e-9);
  assert.ok(values(acc).some((r: any) => r.series === "Test"));
  const trainOnly: any = learningCurveSpec(history(false));
  assert.deepEqual([...new Set(values(trainOnly).map((r: any) => r.series))], ["Training"]);
  assert.throws(() => learningCurveSpec(history(), { metric: "f1" as any }), /invalid learning-curve metric: f1/);
  assert.throws(() => learningCurveSpec(new History()), /no epochs/);
});

test("line chart of several series (seed 001: loss per epoch for three learning rates)", async () => {
  const spec: any = lineChartSpec(
    [
      { name: "lr = 0.0001", values: [0.75, 0.2, 0.05] },
      { name: "lr = 0.01", values: [0.2, 0.15, 0.135] },
      { name: "lr = 0.05", values: [2.31, 2.31, NaN] },
    ],
    { xTitle: "Epoch", yTitle: "Training loss", legendTitle: "Learning rate" },
  );
  assert.equal(values(spec).length, 8, "non-finite values are left out");
  assert.equal(spec.encoding.color.title, "Learning rate");
  const { svg, warnings } = await render(spec);
  assert.deepEqual(warnings, []);
  assert.ok(svg.includes(">lr = 0.0001<"));
  assert.ok(svg.includes(">Training loss<"));
});

test("mean ± std band over runs (numpy's population std by default)", async () => {
  const runs = [[1, 2, 3], [3, 2, 1], [2, 2, 2]];
  const { mean, std } = meanAndStd(runs);
  assert.deepEqual(mean, [2, 2, 2]);
  assert.ok(Math.abs(std[0] - Math.sqrt(2 / 3)) < 1e-12);
  assert.equal(std[1], 0);
  assert.ok(Math.abs(meanAndStd(runs, "sample").std[0] - 1) < 1e-12);
  const spec: any = meanStdBandSpec(runs, { xTitle: "Epoch", yTitle: "Training loss" });
  assert.equal(spec.layer.length, 2);
  assert.equal(spec.layer[0].mark.type, "area");
  const first = values(spec)[0];
  assert.ok(Math.abs(first.lower - (2 - Math.sqrt(2 / 3))) < 1e-12 && Math.abs(first.upper - (2 + Math.sqrt(2 / 3))) < 1e-12);
  const { svg, warnings } = await render(spec);
  assert.deepEqual(warnings, []);
  assert.ok(svg.includes(">Training loss<"));
  const grouped: any = meanStdBandSpec({ "lr 0.01": runs, "lr 0.001": runs }, { xTitle: "Epoch", yTitle: "Loss" });
  assert.equal(values(grouped).length, 6);
  assert.throws(() => meanStdBandSpec([[1, 2], [1]], { xTitle: "x", yTitle: "y" }), /runs differ in length: 2, 1/);
});

test("confusion matrix heat map with counts", async () => {
  const spec: any = confusionMatrixSpec([[5, 1], [2, 7]], { classNames: ["cat", "dog"] });
  assert.deepEqual(values(spec), [
    { actual: "cat", predicted: "cat", count: 5, share: 5 / 6 },
    { actual: "cat", predicted: "dog", count: 1, share: 1 / 6 },
    { actual: "dog", predicted: "cat", count: 2, share: 2 / 9 },
    { actual: "dog", predicted: "dog", count: 7, share: 7 / 9 },
  ]);
  assert.equal(spec.encoding.x.title, "Predicted class");
  assert.equal(spec.encoding.y.title, "Actual class");
  const { svg, warnings } = await render(spec);
  assert.deepEqual(warnings, []);
  assert.ok(svg.includes(">7<") && svg.includes(">dog<"));
  assert.throws(() => confusionMatrixSpec([[1, 2]]), /must be square/);
  assert.throws(() => confusionMatrixSpec([[1]], { classNames: ["a", "b"] }), /1 classes but 2 class names/);
});

test("PNG encoding: signature, chunks and CRCs that zlib/inflate accept", async () => {
  const { encodePng, pngDataUrl } = await import("../../src/plots/index.js");
  const zlib = await import("node:zlib");
  const pixels = Uint8Array.from({ length: 6 }, (_, i) => i * 40);
  const png = encodePng(pixels, 3, 2, 1);
  assert.deepEqual(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.readUInt32BE(16), 3);
  assert.equal(png.readUInt32BE(20), 2);
  // IHDR CRC over "IHDR" + 13 bytes is the well-known value for this header.
  const idatLength = png.readUInt32BE(33);
  assert.equal(png.toString("ascii", 37, 41), "IDAT");
  const raw = zlib.inflateSync(png.subarray(41, 41 + idatLength));
  assert.deepEqual(Array.from(raw), [0, 0, 40, 80, 0, 120, 160, 200]);
  assert.match(pngDataUrl(pixels, 3, 2), /^data:image\/png;base64,iVBORw0KGgo/);
  assert.throws(() => encodePng(pixels, 4, 4), /do not make a 4×4×1 image/);
});

test("image grid of dataset images with captions renders as SVG images", async () => {
  const { imageGridSpec, datasetImages } = await import("../../src/plots/index.js");
  const { loadMnist } = await import("../../src/data/index.js");
  const test10 = loadMnist({ split: "test", limit: 10 });
  const images = datasetImages(test10, [0, 1, 2, 3, 4]);
  assert.equal(images[0].pixels.length, 784);
  const spec: any = imageGridSpec(images, { columns: 3, captions: ["7", "2", "1", "0", "4"] });
  assert.equal(spec.data.values.length, 5);
  assert.equal(spec.layer.length, 2);
  const { svg, warnings } = await render(spec);
  assert.deepEqual(warnings, []);
  assert.equal((svg.match(/<image/g) ?? []).length, 5);
  assert.ok(svg.includes(">7<"));
  assert.throws(() => datasetImages(test10, [10]), /position 10 is outside 0..9/);
});

test("comparison of runs: one curve per history", async () => {
  const { comparisonCurveSpec } = await import("../../src/plots/index.js");
  const spec: any = comparisonCurveSpec({ "No regularisation": history(), "Weight decay": history() }, { yTitle: "Test error" });
  assert.equal(spec.encoding.y.title, "Test error");
  assert.deepEqual(spec.encoding.color.scale.domain, ["No regularisation", "Weight decay"]);
  assert.equal(spec.data.values.length, 6);
  assert.equal(spec.data.values[0].y, 0.054);
  const training: any = comparisonCurveSpec({ a: history() }, { split: "training", metric: "loss" });
  assert.equal(training.encoding.y.title, "Training loss");
  const { warnings } = await render(spec);
  assert.deepEqual(warnings, []);
});

test("convolution filters as images: grey for one input channel, colour for three", async () => {
  const { convFilterImages, imageGridSpec } = await import("../../src/plots/index.js");
  const { convNet, vggStyleNet, VGG_VARIANTS } = await import("../../src/models/index.js");
  const first = convFilterImages(convNet({ seed: 1 }));
  assert.equal(first.length, 20);
  assert.deepEqual([first[0].width, first[0].height, first[0].channels], [5, 5, 1]);
  assert.equal(Math.min(...first[0].pixels), 0);
  assert.equal(Math.max(...first[0].pixels), 255);
  assert.equal(convFilterImages(convNet({ seed: 1 }), { layer: 1 }).length, 50);
  const rgb = convFilterImages(vggStyleNet({ blocks: VGG_VARIANTS.shallow, seed: 1 }));
  assert.deepEqual([rgb.length, rgb[0].channels, rgb[0].pixels.length], [16, 3, 27]);
  assert.throws(() => convFilterImages(convNet(), { layer: 5 }), /no convolution 5 in the model \(it has 2/);
  const { warnings } = await render(imageGridSpec(first.slice(0, 4), { cellSize: 30 }));
  assert.deepEqual(warnings, []);
});

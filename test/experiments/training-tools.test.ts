import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadMnist, splitTrainValidation } from "../../src/data/index.js";
import { mlp, mlpWithHidden, SequentialBuilder } from "../../src/models/index.js";
import { trainModel, evaluate, parameterNormTracker } from "../../src/train/index.js";
import {
  lrRangeTest, evaluateDropoutSchemes, forwardWithDropout, misclassifiedExamples, parameterNormSpec,
} from "../../src/experiments/index.js";

const [train, test_] = splitTrainValidation(loadMnist({ limit: 700 }), 500);
const quiet = { progress: false } as const;

test("LR range test on a tiny model: rates grow exponentially, loss falls then diverges, a sane rate is suggested, weights restored", async () => {
  const model = mlpWithHidden(32, { seed: 1 });
  const before = model.getWeights().map((w) => Array.from(w.dataSync()));
  const result = await lrRangeTest(model, train, { minRate: 1e-4, maxRate: 100, steps: 60, batchSize: 32, seed: 1 });
  assert.deepEqual(model.getWeights().map((w) => Array.from(w.dataSync())), before);
  assert.ok(Math.abs(result.rates[0] - 1e-4) < 1e-12);
  const ratio = result.rates[1] / result.rates[0];
  for (let i = 2; i < result.rates.length; i++) assert.ok(Math.abs(result.rates[i] / result.rates[i - 1] - ratio) < 1e-9);
  assert.ok(result.diverged, "SGD at rate 100 diverges");
  assert.ok(result.rates.length < 60);
  const minSmoothed = Math.min(...result.smoothedLosses);
  assert.ok(minSmoothed < result.smoothedLosses[0] - 0.3, `loss should fall: ${result.smoothedLosses[0]} → ${minSmoothed}`);
  assert.ok(result.suggestedRate > 1e-3 && result.suggestedRate < 2, `suggested ${result.suggestedRate}`);
  assert.ok(result.steepestRate <= result.minLossRate);
  // The test leaves no trace: training afterwards (with dropout) matches training a fresh model.
  const withDropout = () => mlp({ hidden: [16], dropout: 0.3, seed: 6 });
  const tested = withDropout();
  await lrRangeTest(tested, train, { steps: 10, batchSize: 32 });
  const after = async (m: tf.LayersModel) => (await trainModel(m, train, { ...quiet, epochs: 1, batchSize: 100, seed: 2 })).batchLoss;
  assert.deepEqual(await after(tested), await after(withDropout()));
  // The suggestion trains: one epoch at the suggested rate beats one at the smallest rate.
  const at = async (rate: number) =>
    (await trainModel(mlpWithHidden(32, { seed: 1 }), train, { ...quiet, epochs: 1, batchSize: 32, optimizer: { learningRate: rate }, seed: 1 })).trainLoss[0];
  assert.ok((await at(result.suggestedRate)) < (await at(1e-4)));
});

test("parameter norms per iteration (core tracker) into a figure: weight decay gives the lower curve", async () => {
  const run = async (weightDecay: number) => {
    const tracker = parameterNormTracker();
    await trainModel(mlpWithHidden(16, { seed: 2 }), train, { ...quiet, epochs: 2, batchSize: 100, optimizer: { learningRate: 0.05, weightDecay }, callbacks: [tracker] });
    return tracker;
  };
  const plain = await run(0);
  const decayed = await run(0.5);
  assert.ok(decayed.norms.at(-1)! < plain.norms.at(-1)!);
  const spec = parameterNormSpec({ "no weight decay": plain, "weight decay 0.5": decayed }) as any;
  assert.equal(spec.data.values.length, plain.steps.length + decayed.steps.length);
  assert.deepEqual(spec.data.values[1], { iteration: 1, norm: plain.norms[1], series: "no weight decay" });
});

test("dropout schemes: scaled inference equals evaluate(); sampled schemes vary with N and approach it", async () => {
  const model = mlp({ hidden: [64], dropout: 0.5, seed: 4, output: "logSoftmax" });
  await trainModel(model, train, { ...quiet, epochs: 3, batchSize: 32, optimizer: { learningRate: 0.1, momentum: 0.5 }, seed: 4 });
  const result = evaluateDropoutSchemes(model, test_, { samples: [1, 5, 40] });
  assert.equal(result.scaled, evaluate(model, test_).accuracy);
  assert.deepEqual(result.samples, [1, 5, 40]);
  assert.equal(result.beforeSoftmax[0], result.afterSoftmax[0], "with one mask both averages are that mask's prediction");
  assert.ok(result.beforeSoftmax[2] > result.beforeSoftmax[0], `more masks help: ${result.beforeSoftmax}`);
  for (const acc of [result.beforeSoftmax[2], result.afterSoftmax[2]]) assert.ok(Math.abs(acc - result.scaled) < 0.05, `${acc} vs ${result.scaled}`);
  // Dropout really is on in the sampled passes, and only there.
  const xs = tf.ones([2, 28, 28, 1]);
  assert.notDeepEqual(Array.from(forwardWithDropout(model, xs, true).dataSync()), Array.from(forwardWithDropout(model, xs, false).dataSync()));
  assert.throws(() => evaluateDropoutSchemes(mlpWithHidden(4), test_), /no dropout layer/);
});

test("misclassified examples carry pixels and true/predicted captions", () => {
  const model = new SequentialBuilder([28, 28, 1], { seed: 5 }).flatten().dense(10).build();
  const wrong = misclassifiedExamples(model, test_, 5);
  assert.equal(wrong.length, 5);
  for (const w of wrong) {
    assert.notEqual(w.actual, w.predicted);
    assert.equal(w.pixels.length, 784);
    assert.deepEqual([w.width, w.height, w.channels], [28, 28, 1]);
    assert.equal(w.caption, `true: ${w.actual} / predicted: ${w.predicted}`);
  }
});

test("misclassified examples: predicted in batches of batchSize, stopping once enough are found", () => {
  const model = new SequentialBuilder([28, 28, 1], { seed: 5 }).flatten().dense(10).build();
  // Counted at the output layer's call(), which every forward pass reaches.
  const batchRows: number[] = [];
  const output = model.layers[model.layers.length - 1];
  const call = output.call.bind(output);
  output.call = ((inputs: tf.Tensor, kwargs: any) => {
    batchRows.push(inputs.shape[0]);
    return call(inputs, kwargs);
  }) as typeof output.call;
  const all = misclassifiedExamples(model, test_, test_.indices.length, { batchSize: 64 });
  assert.equal(test_.indices.length, 200);
  assert.deepEqual(batchRows, [64, 64, 64, 8], "four passes of at most 64 images, none of the whole set");
  assert.ok(all.length > 10, `an untrained model gets many wrong: ${all.length}`);
  // Same mistakes in the same order as with the default batch size.
  batchRows.length = 0;
  assert.deepEqual(misclassifiedExamples(model, test_, test_.indices.length).map((e) => e.index), all.map((e) => e.index));
  assert.deepEqual(batchRows, [200]);
  // A small limit is met within the first batch: the rest is never predicted.
  batchRows.length = 0;
  const first = misclassifiedExamples(model, test_, 3, { batchSize: 64 });
  assert.deepEqual(first.map((e) => e.index), all.slice(0, 3).map((e) => e.index));
  assert.deepEqual(batchRows, [64]);
  assert.throws(() => misclassifiedExamples(model, test_, 3, { batchSize: 0 }), /invalid batch size 0/);
});

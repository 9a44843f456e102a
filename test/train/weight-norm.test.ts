import { test } from "node:test";
import * as assert from "node:assert/strict";
import { loadMnist } from "../../src/data/index.js";
import { mlpWithHidden } from "../../src/models/index.js";
import { parameterNorm, parameterNormTracker, trainModel, History } from "../../src/train/index.js";

test("parameterNorm is the L2 norm of all trainable parameters", () => {
  const model = mlpWithHidden(5, { seed: 1 });
  let sum = 0;
  for (const w of model.getWeights()) for (const v of w.dataSync()) sum += v * v;
  assert.ok(Math.abs(parameterNorm(model) - Math.sqrt(sum)) < 1e-4);
});

test("weight decay shrinks the parameter norm (seed 004, figure 2)", async () => {
  const train = loadMnist({ limit: 256 });
  const run = async (weightDecay: number) => {
    const tracker = parameterNormTracker();
    await trainModel(mlpWithHidden(16, { seed: 4 }), train, {
      epochs: 2, batchSize: 64, optimizer: { learningRate: 0.05, weightDecay }, callbacks: [tracker], progress: false, seed: 4,
    });
    return tracker;
  };
  const plain = await run(0);
  const decayed = await run(0.5);
  assert.deepEqual(plain.steps, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(plain.norms[0], decayed.norms[0]);
  assert.ok(decayed.norms[8] < plain.norms[8], `${decayed.norms[8]} < ${plain.norms[8]}`);
});

test("History.table has readable headers, leaves out absent validation, shows time and throughput", () => {
  const h = new History();
  h.record({ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, trainError: 0.5, valLoss: NaN, valAccuracy: NaN, valError: NaN, learningRate: 0.1, seconds: 1.26, samplesPerSecond: 100.4 });
  assert.deepEqual(h.table(), {
    columns: ["Epoch", "Training loss", "Training accuracy", "Time (s)", "Samples/s"],
    rows: [[1, 1, 0.5, 1.3, 100]],
  });
  assert.equal(h.at(1).samplesPerSecond, 100.4);
  assert.deepEqual(h.samplesPerSecond, [100.4]);
  assert.throws(() => h.at(3), /no epoch 3/);
});

test("iteration tracker: batch loss and accuracy on watched sets after every update (seed 002)", async () => {
  const { iterationTracker } = await import("../../src/train/index.js");
  const { takeFirst } = await import("../../src/data/index.js");
  const data = loadMnist({ limit: 300 });
  const small = takeFirst(data, 100);
  const tracker = iterationTracker({ Train: small }, 2);
  await trainModel(mlpWithHidden(8, { seed: 1 }), data, { epochs: 2, batchSize: 50, progress: false, callbacks: [tracker] });
  assert.deepEqual(tracker.iterations, [0, 2, 4, 6, 8, 10]);
  assert.equal(tracker.losses.length, 6);
  assert.equal(tracker.accuracy.Train.length, 6);
  assert.ok(tracker.accuracy.Train.every((a) => a >= 0 && a <= 1));
});

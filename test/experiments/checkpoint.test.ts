import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadMnist, splitTrainValidation } from "../../src/data/index.js";
import { mlp } from "../../src/models/index.js";
import { trainModel, createOptimizer, stepDecay, oneCycle, OptimizerConfig, LearningRateSchedule } from "../../src/train/index.js";
import { loadCheckpoint, saveCheckpoint, trainWithCheckpoints, CheckpointManifest } from "../../src/experiments/index.js";
import { historyFromManifest } from "../../src/experiments/checkpoint.js";

const [train, validation] = splitTrainValidation(loadMnist({ limit: 400 }), 300);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "labreport-ckpt-"));

const weightsOf = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

const cases: { optimizer: OptimizerConfig; schedule: LearningRateSchedule }[] = [
  { optimizer: { name: "sgd", learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4 }, schedule: stepDecay({ stepSize: 1, gamma: 0.5 }) },
  // 10 batches per epoch: the per-batch one-cycle schedule must continue at step 20 after the resume.
  { optimizer: { name: "adam", learningRate: 0.003 }, schedule: oneCycle({ maxRate: 0.01, totalSteps: 30 }) },
  // SGD with momentum: one-cycle also cycles the momentum, which must continue at step 20 too.
  { optimizer: { name: "sgd", learningRate: 0.01, momentum: 0.9 }, schedule: oneCycle({ maxRate: 0.05, totalSteps: 30 }) },
];
for (const { optimizer, schedule } of cases) {
  test(`an interrupted, resumed run matches an uninterrupted trainModel run exactly (${optimizer.name}, ${schedule.name})`, async () => {
    const options = { epochs: 3, batchSize: 32, optimizer, validation, seed: 5, progress: false as const, schedule };
    const build = (seed: number) => mlp({ hidden: [24], dropout: 0.2, batchNorm: "afterRelu", seed });
    const reference = build(3);
    const expected = await trainModel(reference, train, options);

    const dir = tmp();
    const crashing = build(3);
    const crash = { onEpochBegin: (epoch: number) => { if (epoch === 3) throw new Error("simulated crash"); } };
    await assert.rejects(trainWithCheckpoints(crashing, train, { ...options, checkpointDir: dir, callbacks: [crash] }), /simulated crash/);

    // A fresh process would build the model again (here with another seed: the checkpoint must win).
    const resumed = build(99);
    const seenEpochs: number[] = [];
    const history = await trainWithCheckpoints(resumed, train, {
      ...options, checkpointDir: dir, callbacks: [{ onEpochEnd: (logs) => { seenEpochs.push(logs.epoch); } }],
    });
    assert.deepEqual(seenEpochs, [3], "only the missing epoch is trained");
    assert.deepEqual(history.epochs, [1, 2, 3]);
    assert.deepEqual(history.batchLoss, expected.batchLoss);
    assert.deepEqual(history.batchEpoch, expected.batchEpoch);
    assert.deepEqual(history.trainLoss, expected.trainLoss);
    assert.deepEqual(history.valLoss, expected.valLoss);
    assert.deepEqual(history.learningRate, expected.learningRate);
    assert.equal(history.samplesPerSecond.length, 3);
    assert.ok(history.samplesPerSecond.every((r) => r > 0), `samples/s ${history.samplesPerSecond}`);
    assert.deepEqual(weightsOf(resumed), weightsOf(reference));

    // Running the finished call again trains nothing and returns the same history.
    const again = await trainWithCheckpoints(build(7), train, { ...options, checkpointDir: dir });
    assert.deepEqual(again.valLoss, expected.valLoss);
  });
}

test("saveCheckpoint / loadCheckpoint round-trip weights, optimiser state and epoch; mismatches are named", async () => {
  const dir = tmp();
  const model = mlp({ hidden: [8], seed: 1 });
  const optimizer = createOptimizer({ learningRate: 0.1, momentum: 0.5 });
  await trainModel(model, train, { epochs: 1, batchSize: 100, optimizer, progress: false });
  await saveCheckpoint(dir, model, { epoch: 1, optimizer, extra: { note: "x" } });
  const files = fs.readdirSync(dir).sort();
  assert.equal(files.length, 2, `manifest + one values file, got ${files}`);
  const copy = mlp({ hidden: [8], seed: 2 });
  const optimizer2 = createOptimizer({ learningRate: 0.1, momentum: 0.5 });
  const manifest = await loadCheckpoint(dir, copy, optimizer2);
  assert.equal(manifest.epoch, 1);
  assert.deepEqual(manifest.extra, { note: "x" });
  assert.deepEqual(weightsOf(copy), weightsOf(model));
  const a = await optimizer.optimizer.getWeights();
  const b = await optimizer2.optimizer.getWeights();
  assert.deepEqual(b.map((n) => Array.from(n.tensor.dataSync())), a.map((n) => Array.from(n.tensor.dataSync())));
  await assert.rejects(loadCheckpoint(dir, mlp({ hidden: [9], seed: 1 })), /shape/);
  await assert.rejects(loadCheckpoint(dir, copy, createOptimizer({ name: "adam", learningRate: 0.1 })), /optimiser sgd/);
  await assert.rejects(loadCheckpoint(path.join(dir, "nope"), copy), /no checkpoint/);
});

test("a run that early stopping ended counts as finished when called again", async () => {
  const dir = tmp();
  const options = {
    epochs: 20, batchSize: 100, optimizer: { learningRate: 0.5 }, validation, seed: 1, progress: false as const,
    earlyStopping: { patience: 1, monitor: "trainLoss" as const, minDelta: 10 }, checkpointDir: dir,
  };
  const first = await trainWithCheckpoints(mlp({ hidden: [8], seed: 1 }), train, options);
  assert.equal(first.restoredEpoch, 1);
  assert.equal(first.epochs.length, 2, "epoch 2 does not improve on epoch 1 by 10, so patience 1 stops there");
  assert.equal(first.stoppedEpoch, 2);
  let trained = 0;
  const model = mlp({ hidden: [8], seed: 1 });
  const again = await trainWithCheckpoints(model, train, { ...options, callbacks: [{ onEpochEnd: () => { trained++; } }] });
  assert.equal(trained, 0);
  assert.deepEqual(again.trainLoss, first.trainLoss);
  assert.equal(again.restoredEpoch, 1, "the best epoch's weights were restored");
  // ...and those are the weights the checkpoint gives back.
  const reference = mlp({ hidden: [8], seed: 1 });
  await trainModel(reference, train, { ...options, epochs: 1, earlyStopping: undefined });
  assert.deepEqual(weightsOf(model), weightsOf(reference));
});

test("a checkpoint saved before throughput was recorded loads with NaN samples/s, keeping epochs aligned", () => {
  const history = { epochs: [1, 2], trainLoss: [0.5, 0.4], seconds: [1, 1], learningRate: [0.1, 0.1] };
  const loaded = historyFromManifest({ history } as unknown as CheckpointManifest);
  assert.equal(loaded.samplesPerSecond.length, 2);
  assert.ok(loaded.samplesPerSecond.every(Number.isNaN));
  loaded.record({ ...loaded.at(2), epoch: 3, samplesPerSecond: 900 });
  assert.equal(loaded.at(3).samplesPerSecond, 900);
});

import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadMnist, takeFirst, splitTrainValidation } from "../../src/data/index.js";
import { mlp, mlpWithHidden, leNetStyleNet } from "../../src/models/index.js";
import { trainModel, evaluate, History, TrainingCallbacks, predictLabels, modelConfusionMatrix } from "../../src/train/index.js";

const [train, validation] = splitTrainValidation(loadMnist({ limit: 1500 }), 1000);
const quiet = { progress: false } as const;

test("a short MLP run on a small slice learns: loss falls, accuracy well above chance", async () => {
  const model = mlpWithHidden(30, { seed: 1 });
  const history = await trainModel(model, train, {
    ...quiet, epochs: 3, batchSize: 32, optimizer: { learningRate: 0.1 }, validation, seed: 1,
  });
  assert.deepEqual(history.epochs, [1, 2, 3]);
  assert.ok(history.trainLoss[2] < history.trainLoss[0], `loss ${history.trainLoss}`);
  assert.ok(history.valAccuracy[2] > 0.75, `validation accuracy ${history.valAccuracy}`);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(history.valError[i] + history.valAccuracy[i] - 1) < 1e-12);
  assert.equal(history.batchLoss.length, 3 * Math.ceil(1000 / 32));
  const evaluation = evaluate(model, validation);
  assert.equal(evaluation.total, 500);
  assert.ok(Math.abs(evaluation.accuracy - history.valAccuracy[2]) < 1e-12);
  assert.ok(Math.abs(evaluation.totalLoss - evaluation.loss * 500) < 1e-6);
  const matrix = modelConfusionMatrix(model, validation);
  assert.equal(matrix.flat().reduce((a, b) => a + b, 0), 500);
  assert.equal(matrix.reduce((sum, row, i) => sum + row[i], 0), evaluation.correct);
  assert.equal(predictLabels(model, validation).length, 500);
});

test("same seeds give identical numbers (with dropout and batch norm); another seed differs", async () => {
  const run = async (seed: number) => {
    const model = mlp({ hidden: [32], batchNorm: "afterRelu", dropout: 0.3, seed });
    const h = await trainModel(model, takeFirst(train, 300), {
      ...quiet, epochs: 2, batchSize: 50, optimizer: { name: "adam", learningRate: 0.01, weightDecay: 1e-4 },
      validation: takeFirst(validation, 100), seed,
    });
    return [h.batchLoss, h.trainLoss, h.valLoss, h.valAccuracy];
  };
  const a = await run(7);
  const b = await run(7);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, await run(8));
});

test("training mode is used for dropout and batch norm: moving statistics change", async () => {
  const model = mlp({ hidden: [16], batchNorm: "beforeRelu", seed: 2 });
  const bn = model.layers.find((l) => l.getClassName() === "PyTorchBatchNorm")!;
  const before = bn.getWeights()[2].dataSync().slice();
  await trainModel(model, takeFirst(train, 128), { ...quiet, epochs: 1, batchSize: 64 });
  const after = bn.getWeights()[2].dataSync();
  assert.notDeepEqual(Array.from(after), Array.from(before));
});

test("the loss follows the model's output: NLL for log-softmax, cross-entropy for logits", async () => {
  // leNetStyleNet ends in log-softmax: one tiny step runs the convolutional path and the NLL loss.
  const model = leNetStyleNet({ seed: 3 });
  const h = await trainModel(model, takeFirst(train, 8), { ...quiet, epochs: 1, batchSize: 8 });
  assert.ok(h.trainLoss[0] > 2 && h.trainLoss[0] < 2.6, `initial NLL ≈ ln 10, got ${h.trainLoss[0]}`);
  const logits = mlpWithHidden(10, { seed: 3 });
  const h2 = await trainModel(logits, takeFirst(train, 64), { ...quiet, epochs: 1, batchSize: 64, optimizer: { learningRate: 1e-9 } });
  assert.ok(h2.trainLoss[0] > 2 && h2.trainLoss[0] < 2.6, `cross-entropy ≈ ln 10, got ${h2.trainLoss[0]}`);
});

test("callbacks see every batch and epoch; stopTraining ends the run", async () => {
  const events: string[] = [];
  const spy: TrainingCallbacks = {
    onTrainBegin: (c) => void events.push(`begin ${c.batchesPerEpoch}x${c.epochs}`),
    onEpochBegin: (e) => void events.push(`epoch ${e}`),
    onBatchEnd: (b) => void events.push(`batch ${b.epoch}.${b.batch} ${b.seen}`),
    onEpochEnd: (logs, c) => {
      events.push(`end ${logs.epoch}`);
      if (logs.epoch === 2) c.stopTraining = true;
    },
    onTrainEnd: (c) => void events.push(`done ${c.history.epochs.length}`),
  };
  await trainModel(mlpWithHidden(8), takeFirst(train, 100), { ...quiet, epochs: 5, batchSize: 64, callbacks: [spy] });
  assert.deepEqual(events, [
    "begin 2x5", "epoch 1", "batch 1.0 64", "batch 1.1 100", "end 1",
    "epoch 2", "batch 2.0 64", "batch 2.1 100", "end 2", "done 2",
  ]);
});

test("progress outside a kernel: per-batch lines in the seeds' format and a line per epoch", async () => {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    await trainModel(mlpWithHidden(8), takeFirst(train, 200), { epochs: 2, batchSize: 50, progress: { logEvery: 2 } });
  } finally {
    console.log = original;
  }
  assert.ok(lines.includes("Epoch: 1 0/200 (0%) Loss: " + lines.find((l) => l.startsWith("Epoch: 1 0/200"))!.split("Loss: ")[1]));
  assert.ok(lines.some((l) => /^Epoch: 2 100\/200 \(50%\) Loss: \d\.\d{3}$/.test(l)), lines.join("\n"));
  assert.ok(lines.some((l) => /^Epoch 2\/2: train loss \d\.\d{4}, acc \d+\.\d\d% \| \d+\.\d s, \d+\/s$/.test(l)), lines.join("\n"));
  assert.ok(lines.some((l) => l.startsWith("Trained 2 epoch(s)")));
});

test("no tensors leak per step", async () => {
  const model = mlpWithHidden(8, { seed: 1 });
  await trainModel(model, takeFirst(train, 64), { ...quiet, epochs: 1, batchSize: 32 });
  const before = tf.memory().numTensors;
  await trainModel(model, takeFirst(train, 256), { ...quiet, epochs: 2, batchSize: 32, validation: takeFirst(validation, 50) });
  assert.equal(tf.memory().numTensors, before);
});

test("invalid options are rejected clearly", async () => {
  const model = mlpWithHidden(4);
  await assert.rejects(trainModel(model, train, { epochs: 0 }), /invalid epochs: 0/);
  await assert.rejects(trainModel(model, train, { epochs: 1, loss: "mse" as any }), /invalid loss: mse/);
  await assert.rejects(trainModel(model, train, { epochs: 1, optimizer: { name: "rmsprop" as any, learningRate: 1 } }), /invalid optimizer: rmsprop/);
  assert.ok(new History());
});

test("datasets that do not fit the model are rejected with a clear error", async () => {
  const { imageDataset } = await import("../../src/data/index.js");
  const colour = imageDataset("colour toy", new Uint8Array(2 * 4 * 4 * 3), Uint8Array.of(0, 1), [4, 4, 3], 2);
  await assert.rejects(trainModel(mlpWithHidden(4), colour, { epochs: 1, progress: false }), /colour toy: images are \[4, 4, 3\] but the model expects \[28, 28, 1\]/);
  const manyClasses = imageDataset("many", new Uint8Array(784), Uint8Array.of(11), [28, 28, 1], 12);
  assert.throws(() => evaluate(mlpWithHidden(4), manyClasses), /labels go up to 11 but the model has only 10 outputs/);
});

test("batch losses per epoch, and the async evaluation agrees with the sync one", async () => {
  const { evaluateAsync } = await import("../../src/train/index.js");
  const model = mlpWithHidden(8, { seed: 5 });
  const h = await trainModel(model, takeFirst(train, 200), { ...quiet, epochs: 2, batchSize: 64 });
  assert.equal(h.batchLossesOf(1).length, 4);
  assert.deepEqual(h.batchLossesOf(2), h.batchLoss.slice(4));
  const a = evaluate(model, validation, { batchSize: 128 });
  const b = await evaluateAsync(model, validation, { batchSize: 128 });
  assert.deepEqual(a, b);
});

test("a schedule scales the configured learning rate, also for an optimiser used again", async () => {
  const { createOptimizer, exponentialDecay } = await import("../../src/train/index.js");
  const optimizer = createOptimizer({ learningRate: 0.1, momentum: 0.9 });
  const model = mlpWithHidden(4, { seed: 1 });
  const options = { ...quiet, epochs: 3, batchSize: 100, optimizer, schedule: exponentialDecay({ gamma: 0.5 }) };
  const first = await trainModel(model, takeFirst(train, 100), options);
  const second = await trainModel(model, takeFirst(train, 100), options);
  assert.deepEqual(first.learningRate, [0.1, 0.05, 0.025]);
  assert.deepEqual(second.learningRate, [0.1, 0.05, 0.025]);
  optimizer.dispose();
});

test("each epoch records its wall time and training throughput (evaluation not counted in the throughput)", async () => {
  const model = mlpWithHidden(8, { seed: 4 });
  const slow = { onEvaluateBegin: () => new Promise<void>((resolve) => setTimeout(resolve, 300)) };
  const h = await trainModel(model, takeFirst(train, 200), {
    ...quiet, epochs: 2, batchSize: 50, validation: takeFirst(validation, 50), callbacks: [slow],
  });
  assert.equal(h.samplesPerSecond.length, 2);
  for (let i = 0; i < 2; i++) {
    const rate = h.samplesPerSecond[i];
    assert.ok(Number.isFinite(rate) && rate > 0, `samples/s ${rate}`);
    assert.ok(h.seconds[i] >= 0.3, `epoch time ${h.seconds[i]} includes the evaluation`);
    // 200 examples at `rate` took at most the epoch's time less the 0.3 s spent before evaluating.
    assert.ok(200 / rate <= h.seconds[i] - 0.29, `training time ${200 / rate} s of ${h.seconds[i]} s`);
    assert.equal(h.rows()[i].samplesPerSecond, rate);
  }
  const table = h.table();
  assert.deepEqual(table.columns.slice(-2), ["Time (s)", "Samples/s"]);
  assert.equal(table.rows[0][6], Math.round(h.samplesPerSecond[0]));
});

test("a diverging run warns once, naming where and the learning rate, and trains on", async (t) => {
  const warn = t.mock.method(console, "warn", () => {});
  const history = await trainModel(mlpWithHidden(30, { seed: 1 }), takeFirst(train, 320), {
    ...quiet, epochs: 2, batchSize: 32, optimizer: { learningRate: 1e6 }, seed: 1,
  });
  const nonFinite = history.batchLoss.filter((l) => !Number.isFinite(l)).length;
  assert.ok(nonFinite >= 2, `the run diverges on several batches: ${history.batchLoss}`);
  assert.equal(history.batchLoss.length, 20, "every batch of both epochs ran");
  assert.equal(warn.mock.callCount(), 1);
  const line = String(warn.mock.calls[0].arguments[0]);
  const first = history.batchLoss.findIndex((l) => !Number.isFinite(l));
  assert.ok(line.includes(`epoch ${Math.floor(first / 10) + 1}, batch ${(first % 10) + 1} of 10`), line);
  assert.match(line, /learning rate \(1000000\) is probably too high/);
  assert.ok(!line.includes("\n"), "one line");
  // A run that stays finite says nothing.
  await trainModel(mlpWithHidden(30, { seed: 1 }), takeFirst(train, 64), { ...quiet, epochs: 1, batchSize: 32, optimizer: { learningRate: 0.1 } });
  assert.equal(warn.mock.callCount(), 1);
});

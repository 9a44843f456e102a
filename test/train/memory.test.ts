// Training must not leak: the number of live tfjs tensors, their bytes and the process's resident
// memory stay flat from epoch to epoch (a leak of one tensor per batch shows as hundreds per epoch).
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import * as tf from "@tensorflow/tfjs";
import { loadMnist, takeFirst, splitTrainValidation } from "../../src/data/index.js";
import { mlp, smallCnn } from "../../src/models/index.js";
import { trainModel, type OptimizerConfig } from "../../src/train/index.js";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const [train, validation] = splitTrainValidation(loadMnist({ limit: 1400 }), 1200);

async function perEpoch(model: tf.LayersModel, optimizer: OptimizerConfig, epochs: number) {
  const samples: { tensors: number; bytes: number; rss: number }[] = [];
  await trainModel(model, train, {
    progress: false, epochs, batchSize: 32, optimizer, validation, seed: 1,
    callbacks: [{
      onEpochEnd() {
        gc();
        const m = tf.memory();
        samples.push({ tensors: m.numTensors, bytes: m.numBytes, rss: process.memoryUsage().rss });
      },
    }],
  });
  return samples;
}

for (const [name, build, optimizer] of [
  ["MLP with dropout and batch norm, SGD with momentum and weight decay (seeds 002, 004)",
    () => mlp({ hidden: [64, 64], dropout: 0.5, batchNorm: "beforeRelu", seed: 1 }),
    { learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4 }],
  ["CNN with batch norm, Adam (seeds 001, 002)",
    () => smallCnn({ batchNorm: true, seed: 1 }),
    { name: "adam", learningRate: 1e-3 }],
] as const) {
  test(`no growth across epochs: ${name}`, async () => {
    const samples = await perEpoch(build(), optimizer as OptimizerConfig, 6);
    // Epoch 1 creates the optimiser's state; from epoch 2 on nothing new may stay alive.
    const settled = samples.slice(1);
    assert.ok(settled.every((s) => s.tensors === settled[0].tensors), `live tensors per epoch: ${samples.map((s) => s.tensors)}`);
    assert.ok(settled.every((s) => s.bytes === settled[0].bytes), `tensor bytes per epoch: ${samples.map((s) => s.bytes)}`);
    const growthMiB = (settled[settled.length - 1].rss - settled[0].rss) / 2 ** 20;
    assert.ok(growthMiB < 40, `resident memory grew ${growthMiB.toFixed(1)} MiB over ${settled.length - 1} epochs`);
  });
}

// tf.train.sgd and tf.train.momentum on labnative update each variable in one native pass, in
// place when only the variable can see its array. The results must be tfjs's, and nothing a user
// holds may change.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { registerNativeBackend, BACKEND_NAME } from "../../src/engine/native/backend";

registerNativeBackend();

/** Ten steps on a 100x100 variable with fixed gradients; returns its values after each step. */
async function tenSteps(
  backend: string, during?: (v: tf.Variable, step: number) => void, makeOptimizer: () => tf.Optimizer = () => tf.train.sgd(0.1),
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const v = tf.variable(tf.randomNormal([100, 100], 0, 1, "float32", 11));
  const optimizer = makeOptimizer();
  const after: Float32Array[] = [];
  for (let s = 0; s < 10; s++) {
    const g = tf.randomNormal([100, 100], 0, 1, "float32", 100 + s);
    during?.(v, s);
    optimizer.applyGradients({ [v.name]: g });
    g.dispose();
    after.push(Float32Array.from(v.dataSync()));
  }
  v.dispose();
  optimizer.dispose();
  return after;
}

function closeTo(a: Float32Array, b: Float32Array, what: string): void {
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i] - b[i]) > 1e-5 * Math.max(1, Math.abs(b[i]))) assert.fail(`${what}: element ${i}: ${a[i]} vs ${b[i]}`);
  }
}

test("SGD steps on labnative give tfjs's values", async () => {
  const cpu = await tenSteps("cpu");
  const native = await tenSteps(BACKEND_NAME);
  cpu.forEach((c, s) => closeTo(native[s], c, `step ${s}`));
  await tf.setBackend("cpu");
});

test("momentum steps on labnative give tfjs's values (plain and Nesterov), buffers as tfjs keeps them", async () => {
  for (const nesterov of [false, true]) {
    const make = () => tf.train.momentum(0.05, 0.9, nesterov);
    const cpu = await tenSteps("cpu", undefined, make);
    const native = await tenSteps(BACKEND_NAME, undefined, make);
    cpu.forEach((c, s) => closeTo(native[s], c, `${nesterov ? "Nesterov" : "momentum"} step ${s}`));
  }
  // The momentum buffer is the optimizer's, as checkpoints read it.
  await tf.setBackend(BACKEND_NAME);
  const v = tf.variable(tf.ones([50, 100]));
  const optimizer = tf.train.momentum(0.1, 0.5);
  for (let s = 0; s < 3; s++) tf.tidy(() => optimizer.applyGradients([{ name: v.name, tensor: tf.fill([50, 100], 2) }]));
  const weights = await optimizer.getWeights();
  assert.equal(weights.length, 2, "iterations and one momentum buffer");
  // acc: 2, 3, 3.5 after three steps of gradient 2 with momentum 0.5.
  assert.ok(Math.abs((weights[1].tensor.dataSync() as Float32Array)[123] - 3.5) < 1e-6);
  assert.ok(Math.abs((v.dataSync() as Float32Array)[7] - (1 - 0.1 * (2 + 3 + 3.5))) < 1e-6);
  v.dispose();
  optimizer.dispose();
  await tf.setBackend("cpu");
});

test("in-place updates never change what a user holds: clones, read-out arrays, earlier reads", async () => {
  const held: { clone: tf.Tensor; copy: Float32Array; read: Float32Array }[] = [];
  await tenSteps(BACKEND_NAME, (v, step) => {
    if (step % 3 !== 2) return;
    const read = v.dataSync() as Float32Array;  // the backend's own array, handed out
    held.push({ clone: v.clone(), copy: Float32Array.from(read), read });
  });
  assert.equal(held.length, 3);
  for (const [i, h] of held.entries()) {
    closeTo(h.clone.dataSync() as Float32Array, h.copy, `clone ${i}`);
    closeTo(h.read, h.copy, `read-out array ${i}`);
    h.clone.dispose();
  }
  await tf.setBackend("cpu");
});

test("a model trained with tf.train.sgd on labnative updates its weights in place and leaks nothing", async () => {
  await tf.setBackend(BACKEND_NAME);
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [80], units: 80 }), tf.layers.dense({ units: 4 })] });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: "meanSquaredError" });
  const x = tf.randomNormal([64, 80], 0, 1, "float32", 1), y = tf.randomNormal([64, 4], 0, 1, "float32", 2);
  await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
  const kernel = model.layers[0].getWeights()[0];
  const idBefore = kernel.dataId;
  const buffers = tf.memory().numDataBuffers;
  const h = await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
  assert.equal(model.layers[0].getWeights()[0].dataId, idBefore, "the 80x80 kernel kept its array: updated in place");
  assert.equal(tf.memory().numDataBuffers, buffers);
  const loss = h.history.loss as number[];
  assert.ok(loss[2] < loss[0], `loss goes down: ${loss.join(", ")}`);
  tf.dispose([x, y]);
  model.dispose();
  await tf.setBackend("cpu");
});

// Deferred outputs on labnative: a kernel result computed only when first read (the input gradient
// of a model's first convolution, which tfjs computes and throws away unread).
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { registerNativeBackend, BACKEND_NAME } from "../../src/engine/native/backend";

registerNativeBackend();

interface Deferring {
  deferred(shape: number[], inputs: tf.TensorInfo[], compute: () => Float32Array): tf.TensorInfo;
  readSync(dataId: object): unknown;
}

function doubled(backend: Deferring, x: tf.Tensor, counter: { n: number }): tf.Tensor {
  const info = backend.deferred(x.shape, [x], () => {
    counter.n++;
    return (backend.readSync(x.dataId) as Float32Array).map((v) => v * 2);
  });
  return tf.engine().makeTensorFromTensorInfo(info);
}

test("a deferred output is computed once, on first read, even after its input was disposed", async () => {
  await tf.setBackend(BACKEND_NAME);
  const before = tf.memory().numDataBuffers;
  const backend = tf.backend() as unknown as Deferring;
  const counter = { n: 0 };
  const x = tf.tensor1d([1, 2, 3]);
  const y = doubled(backend, x, counter);
  x.dispose();
  tf.tidy(() => tf.add(tf.ones([3]), 5).dataSync());  // other work between: must not disturb x's values
  assert.equal(counter.n, 0, "nothing computed before a read");
  assert.deepEqual(Array.from(tf.tidy(() => tf.add(y, 1).dataSync())), [3, 5, 7], "a kernel reading it sees the values");
  assert.deepEqual(Array.from(y.dataSync()), [2, 4, 6]);
  assert.equal(counter.n, 1, "computed exactly once");
  y.dispose();
  assert.equal(tf.memory().numDataBuffers, before, "the input's buffer was let go with the output");
});

test("a deferred output disposed unread is never computed and leaks nothing", async () => {
  await tf.setBackend(BACKEND_NAME);
  const before = tf.memory().numDataBuffers;
  const backend = tf.backend() as unknown as Deferring;
  const counter = { n: 0 };
  const x = tf.tensor1d([1, 2, 3]);
  tf.tidy(() => {
    doubled(backend, x, counter);
  });
  assert.equal(counter.n, 0);
  assert.deepEqual(Array.from(x.dataSync()), [1, 2, 3], "the input is intact and still usable");
  x.dispose();
  assert.equal(tf.memory().numDataBuffers, before);
  assert.equal((tf.backend() as unknown as { data: { numDataIds(): number } }).data.numDataIds(), before);
});

test("training a conv net leaves no deferred buffers behind", async () => {
  await tf.setBackend(BACKEND_NAME);
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: "relu" }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: "meanSquaredError" });
  const x = tf.randomNormal([32, 12, 12, 1], 0, 1, "float32", 3);
  const y = tf.randomNormal([32, 3], 0, 1, "float32", 4);
  await model.fit(x, y, { batchSize: 8, epochs: 1, verbose: 0 });
  const after1 = tf.memory().numDataBuffers;
  const h = await model.fit(x, y, { batchSize: 8, epochs: 3, verbose: 0 });
  assert.equal(tf.memory().numDataBuffers, after1, "steady state: every step frees what it made");
  const loss = h.history.loss as number[];
  assert.ok(loss[2] < loss[0], `loss goes down (${loss.join(", ")})`);
  tf.dispose([x, y]);
  model.dispose();
});

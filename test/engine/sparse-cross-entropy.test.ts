// The classification loss runs as one kernel each way on labnative (src/engine/fused-ops.ts,
// src/engine/native/kernels/loss.ts), where tfjs runs a log-softmax, a one-hot product, a sum, a
// mean and a negation. Its value and its gradient must be what those ops compute on tfjs's cpu
// engine (where the library's loss functions still compose them), for logits and log-probabilities.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { registerNativeBackend, BACKEND_NAME } from "../../src/engine/native/backend";
import { SPARSE_CROSS_ENTROPY, SPARSE_CROSS_ENTROPY_GRAD } from "../../src/engine/fused-ops";
import { crossEntropyLoss, nllLoss } from "../../src/train/losses";

registerNativeBackend();

type Loss = (scores: tf.Tensor, labels: tf.Tensor) => tf.Scalar;

/** The loss and its gradient for the scores, on the active engine. */
function valueAndGradient(loss: Loss, scores: Float32Array, shape: [number, number], labels: number[], dtype: "int32" | "float32") {
  return tf.tidy(() => {
    const s = tf.tensor2d(scores, shape), y = tf.tensor1d(labels, dtype);
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => loss(t, y))(s);
    return { value: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
  });
}

function scoresOf(rows: number, classes: number, seed: number, scale: number, logProbabilities: boolean): Float32Array {
  return tf.tidy(() => {
    const raw = tf.randomNormal([rows, classes], 0, scale, "float32", seed);
    return (logProbabilities ? tf.logSoftmax(raw) : raw).dataSync() as Float32Array;
  });
}

const CASES = [
  { name: "cross-entropy of logits, a seed's batch", loss: crossEntropyLoss, logProbabilities: false, rows: 64, classes: 10, scale: 3 },
  { name: "cross-entropy of large logits (no overflow)", loss: crossEntropyLoss, logProbabilities: false, rows: 16, classes: 10, scale: 300 },
  { name: "NLL of log-probabilities", loss: nllLoss, logProbabilities: true, rows: 64, classes: 10, scale: 2 },
  { name: "NLL, two classes, batch 5", loss: nllLoss, logProbabilities: true, rows: 5, classes: 2, scale: 1 },
];

for (const c of CASES) {
  for (const dtype of ["int32", "float32"] as const) {
    test(`${c.name}, ${dtype} labels: value and gradient on labnative match tfjs's ops on the cpu engine`, async () => {
      const scores = scoresOf(c.rows, c.classes, 7, c.scale, c.logProbabilities);
      const labels = Array.from({ length: c.rows }, (_, i) => (i * 7 + 3) % c.classes);
      await tf.setBackend("cpu");
      const reference = valueAndGradient(c.loss, scores, [c.rows, c.classes], labels, dtype);
      await tf.setBackend(BACKEND_NAME);
      const native = valueAndGradient(c.loss, scores, [c.rows, c.classes], labels, dtype);
      assert.ok(Number.isFinite(reference.value) && reference.value > 0, `reference loss ${reference.value}`);
      assert.ok(Math.abs(native.value - reference.value) <= 1e-5 * Math.max(1, reference.value), `loss ${native.value} vs ${reference.value}`);
      let worst = 0;
      for (let i = 0; i < native.grad.length; i++) worst = Math.max(worst, Math.abs(native.grad[i] - reference.grad[i]));
      assert.ok(worst <= 1e-6, `gradient: worst error ${worst}`);
      // Each row's gradient of the mean: -1/rows at the label for NLL, softmax - one-hot over rows for logits.
      const rowSum = native.grad.slice(0, c.classes).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(rowSum - (c.logProbabilities ? -1 / c.rows : 0)) < 1e-6, `first row's gradient sums to ${rowSum}`);
    });
  }
}

test("a label outside the classes adds nothing and gets no gradient, as a zero one-hot row does on tfjs's ops", async () => {
  const scores = scoresOf(4, 3, 9, 1, false);
  const labels = [0, 5, 2, -1];
  await tf.setBackend("cpu");
  const reference = valueAndGradient(crossEntropyLoss, scores, [4, 3], labels, "int32");
  await tf.setBackend(BACKEND_NAME);
  const native = valueAndGradient(crossEntropyLoss, scores, [4, 3], labels, "int32");
  assert.ok(Math.abs(native.value - reference.value) < 1e-6, `loss ${native.value} vs ${reference.value}`);
  assert.deepEqual(Array.from(native.grad.slice(3, 6)), [0, 0, 0]);
  for (let i = 0; i < 12; i++) assert.ok(Math.abs(native.grad[i] - reference.grad[i]) < 1e-6, `gradient ${i}: ${native.grad[i]} vs ${reference.grad[i]}`);
});

test("NaN scores give a NaN loss, so a diverged run is seen", async () => {
  await tf.setBackend(BACKEND_NAME);
  const scores = Float32Array.of(0, NaN, 1, 2, 0, 1);
  assert.ok(Number.isNaN(valueAndGradient(crossEntropyLoss, scores, [2, 3], [0, 1], "int32").value));
  assert.ok(Number.isNaN(valueAndGradient(nllLoss, Float32Array.of(NaN, -1, -1, -2), [2, 2], [0, 1], "int32").value));
});

test("on labnative the loss of a training step is one kernel forward and one back", async () => {
  await tf.setBackend(BACKEND_NAME);
  const logits = tf.variable(tf.randomNormal([8, 10], 0, 1, "float32", 1));
  const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32");
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => crossEntropyLoss(logits, labels), [logits]);
    Object.values(grads).forEach((g) => g.dispose());
    return value;
  });
  const kernels = info.kernels.map((k) => k.name);
  assert.deepEqual(kernels.filter((k) => k !== "Identity"), [SPARSE_CROSS_ENTROPY, SPARSE_CROSS_ENTROPY_GRAD], kernels.join(" "));
});

// PyTorchBatchNorm's moving statistics: on labnative they are updated in JS from the fused kernel's
// batch moments (movingAverage), elsewhere with tf ops. Both must give the same float32 values.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { registerNativeBackend, BACKEND_NAME } from "../../src/engine/native/backend";
import { batchNormTraining } from "../../src/engine/fused-ops";
import { movingAverage, PyTorchBatchNorm } from "../../src/models/custom-layers";

registerNativeBackend();

function sameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: lengths`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

for (const backend of ["cpu", BACKEND_NAME]) {
  test(`movingAverage equals tf's moving.mul(keep).add(batch.mul(factor).mul(1 - keep)) bit for bit on ${backend}`, async () => {
    await tf.setBackend(backend);
    const moving = tf.randomNormal([5000], 0, 3, "float32", 1);
    const batch = tf.randomUniform([5000], 0, 10, "float32", 2);
    for (const [keep, factor] of [[0.9, 64 / 63], [0.9, 1], [0.99, 6272 / 6271], [0.5, 2]]) {
      const scaled = factor === 1 ? batch : batch.mul(factor);
      const viaOps = tf.tidy(() => moving.mul(keep).add(scaled.mul(1 - keep)));
      const viaJs = movingAverage(moving.dataSync() as Float32Array, batch.dataSync() as Float32Array, keep, factor);
      sameBits(viaJs, viaOps.dataSync(), `${backend} keep ${keep} factor ${factor}`);
      tf.dispose([viaOps, factor === 1 ? [] : scaled]);
    }
    tf.dispose([moving, batch]);
  });
}

test("PyTorchBatchNorm on labnative: moving statistics as tf ops make them from the batch moments", async () => {
  await tf.setBackend(BACKEND_NAME);
  const layer = new PyTorchBatchNorm({});
  const xs = [0, 1, 2].map((i) => tf.randomNormal([64, 30], i, 1 + i, "float32", 10 + i));
  layer.apply(xs[0], { training: false });  // builds the weights
  const [gamma, beta, movingMean, movingVariance] = layer.getWeights();
  let mean = movingMean.clone(), variance = movingVariance.clone();
  for (const x of xs) {
    (layer.apply(x, { training: true }) as tf.Tensor).dispose();
    const fused = batchNormTraining(x, gamma, beta, 1e-5)!;
    const [m, v] = tf.tidy(() => [mean.mul(0.9).add(fused.mean.mul(1 - 0.9)), variance.mul(0.9).add(fused.variance.mul(64 / 63).mul(1 - 0.9))]);
    tf.dispose([mean, variance, fused.y, fused.mean, fused.variance]);
    [mean, variance] = [m, v];
  }
  const [, , layerMean, layerVariance] = layer.getWeights();
  sameBits(layerMean.dataSync(), mean.dataSync(), "moving mean");
  sameBits(layerVariance.dataSync(), variance.dataSync(), "moving variance");
  assert.ok(layerMean.dataSync().some((v) => v !== 0), "the moving mean moved");
  tf.dispose([...xs, mean, variance]);
});

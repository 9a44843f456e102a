// seededDropout (src/engine/dropout.ts): on labnative one native pass that draws dropoutMask's
// mulberry32 stream in C++, elsewhere the JS mask times x. Both must give x * dropoutMask(size, rate,
// seed) bit for bit (stored reports were trained with those masks), the gradient dy times the same
// mask, and SeededDropout's stream of seeds (what checkpoints save) must advance as before.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { registerNativeBackend, BACKEND_NAME } from "../../src/engine/native/backend";
import { dropoutMask, seededDropout, SEEDED_DROPOUT } from "../../src/engine/dropout";
import { SeededDropout } from "../../src/models/custom-layers";
import { captureRandomStates, restoreRandomStates } from "../../src/experiments/checkpoint";
import { Random } from "../../src/data/random";

registerNativeBackend();

// [64, 800]: one MLP layer's activations; [1100, 1000]: above the addon's threshold for splitting
// a pass over threads, so each thread's block starts mid-stream.
const SHAPES = [[64, 800], [1100, 1000], [3, 5, 7]];

/** Element-wise identity, -0 and NaN included (x * 0 is -0 for negative x). */
function sameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: lengths`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

/** x * dropoutMask in float32, computed here without tfjs. */
function expectedDropout(x: Float32Array, rate: number, seed: number): Float32Array {
  const mask = dropoutMask(x.length, rate, seed);
  return x.map((v, i) => v * mask[i]);
}

/** The kernels `f` runs. */
async function kernelsOf(f: () => tf.Tensor): Promise<string[]> {
  const info = await tf.profile(() => f());
  return info.kernelNames;
}

for (const backend of [BACKEND_NAME, "cpu"]) {
  test(`seededDropout on ${backend}: x * dropoutMask(size, rate, seed) exactly`, async () => {
    await tf.setBackend(backend);
    for (const shape of SHAPES) {
      const x = tf.randomNormal(shape, 0, 1, "float32", 5);
      const xv = x.dataSync() as Float32Array;
      for (const [rate, seed] of [[0.5, 1234567], [0.1, 7], [0.8, 2147483646], [0.3, 0]]) {
        const y = seededDropout(x, rate, seed);
        assert.deepEqual(y.shape, shape);
        sameBits(y.dataSync(), expectedDropout(xv, rate, seed), `${backend} ${shape} rate ${rate} seed ${seed}`);
        y.dispose();
      }
      x.dispose();
    }
    // Negative zeros and NaNs come through as x * mask makes them.
    const special = tf.tensor1d([-1, -0, NaN, Infinity, -2.5, 3, NaN, -Infinity]);
    for (const seed of [1, 2, 3]) {
      const y = seededDropout(special, 0.5, seed);
      sameBits(y.dataSync(), expectedDropout(special.dataSync() as Float32Array, 0.5, seed), `${backend} special values seed ${seed}`);
      y.dispose();
    }
    special.dispose();
  });

  test(`seededDropout on ${backend}: rate 0 gives x, an empty x gives an empty result, a bad rate throws`, async () => {
    await tf.setBackend(backend);
    const x = tf.randomNormal([10, 20], 0, 1, "float32", 9);
    const y = seededDropout(x, 0, 3);
    sameBits(y.dataSync(), x.dataSync(), `${backend} rate 0`);
    assert.equal(seededDropout(tf.zeros([0, 4]), 0.5, 1).size, 0);
    assert.throws(() => seededDropout(x, 1, 1), /invalid dropout rate: 1/);
    assert.throws(() => seededDropout(x, -0.1, 1), /invalid dropout rate: -0.1/);
    tf.dispose([x, y]);
  });

  test(`seededDropout on ${backend}: the gradient is dy times the same mask, as the JS multiply's`, async () => {
    await tf.setBackend(backend);
    const x = tf.randomNormal([64, 800], 0, 1, "float32", 11);
    const weights = tf.randomNormal([64, 800], 0, 1, "float32", 12);
    const seed = 987654;
    const viaOp = tf.grad((t: tf.Tensor) => seededDropout(t, 0.5, seed).mul(weights).sum())(x);
    const mask = tf.tensor(dropoutMask(x.size, 0.5, seed), x.shape);
    const viaMask = tf.grad((t: tf.Tensor) => t.mul(mask).mul(weights).sum())(x);
    sameBits(viaOp.dataSync(), viaMask.dataSync(), `${backend} gradient`);
    tf.dispose([x, weights, viaOp, mask, viaMask]);
  });
}

test("seededDropout runs one native kernel on labnative (no mask tensor), mask and multiply on cpu", async () => {
  const x = tf.randomNormal([64, 800], 0, 1, "float32", 13);
  await tf.setBackend(BACKEND_NAME);
  assert.deepEqual(await kernelsOf(() => seededDropout(x, 0.5, 1)), [SEEDED_DROPOUT]);
  await tf.setBackend("cpu");
  assert.ok(!(await kernelsOf(() => seededDropout(x, 0.5, 1))).includes(SEEDED_DROPOUT));
  x.dispose();
});

test("SeededDropout: the same outputs and seed stream on labnative as on cpu; training false is identity; restoring the stream repeats the masks", async () => {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [300] }), new SeededDropout({ rate: 0.4, seed: 21 })] });
    const x = tf.randomNormal([8, 300], 0, 1, "float32", 14);
    const outputs: Float32Array[] = [];
    const step = () => {
      const y = model.apply(x, { training: true }) as tf.Tensor;
      outputs.push(y.dataSync() as Float32Array);
      y.dispose();
    };
    step();
    const saved = captureRandomStates(model);
    step();
    step();
    restoreRandomStates(model, saved);
    step();  // repeats the second step's mask
    const inference = model.apply(x, { training: false }) as tf.Tensor;
    sameBits(inference.dataSync(), x.dataSync(), `${backend} inference`);
    const states = captureRandomStates(model);
    tf.dispose([x, inference]);
    return { outputs, states };
  };
  const native = await run(BACKEND_NAME);
  const cpu = await run("cpu");
  native.outputs.forEach((o, i) => sameBits(o, cpu.outputs[i], `step ${i}: labnative vs cpu`));
  assert.notDeepEqual(native.outputs[1], native.outputs[2]);
  sameBits(native.outputs[3], native.outputs[1], "restored stream repeats the mask");
  // One draw per training step: the restore point's one, then the fourth step's.
  const random = new Random(21);
  for (let i = 0; i < 2; i++) random.seed();
  assert.deepEqual(Object.values(native.states), [random.state]);
  assert.deepEqual(native.states, cpu.states);
});
